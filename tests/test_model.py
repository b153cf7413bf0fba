import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.model import (
    CATEGORIES,
    POLISEN_TYPE_CATEGORY,
    THEMES,
    category_from_polisen_type,
    category_from_text,
    normalize_text,
)

TYPES_FILE = (
    Path(__file__).parents[1]
    / "data"
    / "polisen"
    / "polisen_event_types_counts_sweden_2022-2026.json"
)


def _all_types() -> list[str]:
    return [t for t, _ in json.loads(TYPES_FILE.read_text(encoding="utf-8"))["types"]]


def test_all_97_police_types_map_to_a_known_category():
    types = _all_types()
    assert len(types) == 97
    for t in types:
        assert category_from_polisen_type(t) in CATEGORIES


def test_police_types_of_the_lofte_themes_are_not_lost_in_ovrigt():
    for t in _all_types():
        cat = category_from_polisen_type(t)
        if t.startswith(("Trafikolycka", "Rattfylleri", "Trafikbrott")):
            assert CATEGORIES[cat].theme == "T", t
        if t in ("Narkotikabrott", "Fylleri/LOB", "Alkohollagen"):
            assert CATEGORIES[cat].theme == "N", t
    assert category_from_polisen_type("Stöld/inbrott") == "inbrott"
    assert category_from_polisen_type("Skadegörelse") == "skadegorelse"
    assert category_from_polisen_type("Något helt nytt") == "ovrigt"


def test_mapping_targets_exist_and_themes_are_the_lofte_four():
    assert set(THEMES) == {"N", "T", "B", "S"}
    assert set(POLISEN_TYPE_CATEGORY.values()) <= set(CATEGORIES)
    assert {c.theme for c in CATEGORIES.values()} <= set(THEMES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hastighet", "hastighet"),
        ("Nedskräpning", "nedskrapning"),
        ("Rattfylleri", "rattfylleri"),
        ("EPA-traktorer kör runt torget", "motorburen"),
        ("Bilar kör för fort förbi skolan", "hastighet"),
        ("Mycket skräp och glas vid stranden", "nedskrapning"),
        ("klotter på omklädningsrummet", "skadegorelse"),
        ("misstänkt langning av narkotika", "narkotika"),
        ("Motorburen problematik", "motorburen"),
    ],
)
def test_category_from_swedish_text(text, expected):
    assert category_from_text(text) == expected


def test_unknown_text_has_no_category():
    assert category_from_text("solen skiner") is None
    assert category_from_text("") is None


def test_normalize_text_ignores_case_and_diacritics():
    assert normalize_text("  TÅNGERÅSA   kyrka ") == "tangerasa kyrka"


#: What happened, in a kommun officer's or a citizen's words, and the category it is.
OFFENCES: tuple[tuple[str, str], ...] = (
    ("Bråk", "ordningsstorning"),
    ("Slagsmål mellan ungdomar", "ordningsstorning"),
    ("Stökigt gäng", "ordningsstorning"),
    ("Inbrott i bil", "inbrott"),
    ("Stöld ur bil", "stold"),
    ("Klotter på elskåpet", "skadegorelse"),
    ("Krossad bilruta", "skadegorelse"),
    ("Mycket skräp", "nedskrapning"),
    ("Langning till ungdomar", "alkohol"),
    ("Misstänkt försäljning av narkotika", "narkotika"),
    ("Mopeder kör runt", "motorburen"),
    ("Bilar kör för fort", "hastighet"),
    ("Bil parkerad", "parkering"),
    ("Felparkerade bilar", "parkering"),
    ("Föräldrar parkerar", "parkering"),
)
#: Where: parking places and traffic places, which name no offence of their own.
PLACES: tuple[str, ...] = (
    "på parkeringen vid skolan",
    "på parkeringsplatsen vid Coop",
    "på infartsparkeringen",
    "vid övergångsstället",
    "i korsningen Storgatan/Skolvägen",
    "vid utfarten från parkeringen",
)


def _without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@given(
    offence=st.sampled_from(OFFENCES),
    place=st.sampled_from(PLACES),
    place_first=st.booleans(),
    spelling=st.sampled_from([str, str.lower, str.upper, _without_diacritics]),
)
def test_what_happened_decides_over_where_it_happened(offence, place, place_first, spelling):
    # "bråk på parkeringen vid skolan" was a trafikfarlig plats: "parkering" was a traffic
    # place's word, checked before the crimes
    what, category = offence
    text = f"{place.capitalize()}: {what.lower()}" if place_first else f"{what} {place}"
    assert category_from_text(spelling(text)) == category


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bråk på parkeringen vid skolan", "ordningsstorning"),
        ("inbrott i bil på parkeringsplatsen", "inbrott"),
        ("bil parkerad på övergångsställe", "parkering"),
        ("Bilar parkerade i korsningen skymmer sikten", "parkering"),
        ("inbrott i parkerad bil", "inbrott"),
        ("Parkering på gångbanan utanför förskolan", "parkering"),
        ("Kaos på parkeringen vid hämtning och lämning", "parkering"),
        ("kaos pa parkeringen vid hamtning", "parkering"),
        # a place's own condition is still a trafikfarlig (or otrygg) plats
        ("Skymd utfart vid parkeringen", "trafikfarlig_plats"),
        ("Skymd sikt vid utfart", "trafikfarlig_plats"),
        ("Dålig belysning på parkeringsplatsen", "otrygg_plats"),
        ("Trafikproblem vid skolan", "trafikfarlig_plats"),
        # parks are no parking
        ("Ungdomar samlas i parkerna", None),
    ],
)
def test_parking_complaints_are_parking_and_parking_places_decide_nothing(text, expected):
    assert category_from_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a short keyword inside another word said nothing: "Separat cykelväg önskas" was
        # motorburen problematik ("epa"), "uppsikt" a trafikfarlig plats ("sikt")
        ("Separat gång- och cykelväg önskas", None),
        ("Personal har uppsikt över skolgården", None),
        ("Det görs avsiktligt, varje helg", None),
        ("Global reklam på busskuren", None),
        # at the start of a word they still count, alone or opening a compound
        ("EPA-traktorer kör runt torget", "motorburen"),
        ("Epatraktor i hög fart", "motorburen"),
        ("Dålig sikt vid utfarten", "trafikfarlig_plats"),
        ("Siktskymmande häck i korsningen", "trafikfarlig_plats"),
        ("Lob säljs vid badplatsen", "alkohol"),
        # longer keywords also end a compound, as Swedish has it
        ("Trafikbuller från riksvägen", "buller"),
    ],
)
def test_short_keywords_count_only_at_the_start_of_a_word(text, expected):
    assert category_from_text(text) == expected


#: What was said with a word that folds to a keyword of another word ("skrap" of "skräp",
#: "brak" of "bråk"), and the category the keyword stands for, which it is not.
NOT_THE_KEYWORD: tuple[tuple[str, str], ...] = (
    ("bilen skrapad längs sidan", "nedskrapning"),
    ("skrapade däck hela natten", "nedskrapning"),
    ("någon har skrapat lacken", "nedskrapning"),
    ("skrapmärken på dörren", "nedskrapning"),
    ("ett högt brak", "ordningsstorning"),
    ("det brakade till", "ordningsstorning"),
)
#: What was said with the words the keywords stand for.
THE_KEYWORD: tuple[tuple[str, str], ...] = (
    ("mycket skräp kvar", "nedskrapning"),
    ("ungdomar skräpar ner", "nedskrapning"),
    ("det är nedskräpat", "nedskrapning"),
    ("bråk mellan ungdomar", "ordningsstorning"),
    ("bråkiga ungdomar", "ordningsstorning"),
)
#: Around them, a text that writes å, ä or ö and names no other category.
FRAMES: tuple[str, ...] = ("{} vid Åsbro", "Vid förskolan: {}", "{}, anmält i går kväll")


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@given(
    word=st.sampled_from(NOT_THE_KEYWORD),
    frame=st.sampled_from(FRAMES),
    spelling=st.sampled_from([str, str.lower, str.upper, _nfd]),
)
def test_a_word_that_folds_to_a_keyword_counts_only_where_the_text_has_no_swedish_letters(
    word, frame, spelling
):
    # "skrap" of "skräp" matched "skrapa" (scrape): "bilen skrapad" was nedskräpning. A writer
    # who has å, ä and ö writes "skräp" for litter, so a plain "skrap" is a scrape; a text
    # with none of them (an ASCII keyboard) cannot tell, and keeps the keyword's match
    text, category = frame.format(word[0]), word[1]
    assert category_from_text(spelling(text)) != category
    assert category_from_text(_without_diacritics(text)) == category


@given(
    word=st.sampled_from(THE_KEYWORD),
    frame=st.sampled_from(FRAMES),
    spelling=st.sampled_from([str, str.lower, str.upper, _nfd, _without_diacritics]),
)
def test_the_word_a_folded_keyword_stands_for_counts_in_every_spelling(word, frame, spelling):
    assert category_from_text(spelling(frame.format(word[0]))) == word[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bilen skrapad längs sidan", None),
        ("Skrapade däck i rondellen hela natten", None),
        ("Mycket skräp kvar", "nedskrapning"),
        ("mycket skrap kvar", "nedskrapning"),  # no å, ä or ö anywhere: as before
        ("skräpar ner vid badet", "nedskrapning"),
        ("Bråk vid kiosken", "ordningsstorning"),
        ("brak vid kiosken", "ordningsstorning"),
        ("Ett högt brak hördes från verkstaden", None),
    ],
)
def test_scrape_and_crash_are_no_litter_and_no_fight(text, expected):
    assert category_from_text(text) == expected
