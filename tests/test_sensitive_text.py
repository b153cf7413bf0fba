"""The one check of free text for identifying details (geo.sensitive_text), across its users."""

from __future__ import annotations

from datetime import date

import pytest
from _web_fixtures import spot_payload
from hypothesis import example, given
from hypothesis import strategies as st

from geo import spots
from geo.sensitive_text import (
    NOT_PLATES,
    find_identifying,
    has_street_address,
    redact_identifying,
)

#: Characters of text around a detail: anything, but kept apart from it by a space (a digit
#: right before a personnummer makes it a longer number, which is no personnummer).
_around = st.text(max_size=30)


def _luhn_digit(nine: str) -> str:
    """The check digit that makes ``nine`` + it pass the Luhn test, as a personnummer's last."""
    total = sum((d := int(c) * (2 if i % 2 == 0 else 1)) // 10 + d % 10 for i, c in enumerate(nine))
    return str(-total % 10)


def test_the_luhn_digit_of_known_numbers():
    # Skatteverket's example 811218-9876 and the kommun's organisation number 212000-2981
    assert _luhn_digit("811218987") == "6" and _luhn_digit("212000298") == "1"


@st.composite
def _personnummer(draw: st.DrawFn) -> str:
    """A personnummer as people write it: ``YYMMDD-NNNC``, ``YYMMDD+NNNC``, ``YYYYMMDD–NNNC`` ….

    A real date (a samordningsnummer's day + 60), any birth number and the Luhn check digit.
    """
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    samordning = draw(st.booleans())  # a samordningsnummer: the day + 60
    day = born.day + 60 if samordning else born.day
    birth_number = draw(st.integers(min_value=0, max_value=999))
    nine = f"{born.year % 100:02d}{born.month:02d}{day:02d}{birth_number:03d}"
    century = draw(st.booleans())
    seps = ["-", "", "–", " "] if century else ["-", "+", " ", "", "–", "—", "\u2011"]
    sep = draw(st.sampled_from(seps))
    year = f"{born.year:04d}" if century else f"{born.year % 100:02d}"
    return f"{year}{nine[2:6]}{sep}{nine[6:]}{_luhn_digit(nine)}"


#: Letters of Swedish registration numbers (I, Q, V, Å, Ä, Ö are not used).
_REG_LETTERS = "ABCDEFGHJKLMNOPRSTUWXYZ"
_plate_letters = st.text(alphabet=_REG_LETTERS, min_size=3, max_size=3).filter(
    lambda letters: letters not in NOT_PLATES
)
_plate_end = st.builds(
    lambda digits, last: f"{digits:02d}{last}",
    st.integers(min_value=0, max_value=99),
    st.sampled_from([*"0123456789", *_REG_LETTERS]),
)
_regnr = st.one_of(
    # in capitals: with a space, a hyphen or nothing between
    st.builds(lambda a, sep, b: f"{a}{sep}{b}", _plate_letters, st.sampled_from([" ", "-", ""]),
              _plate_end),
    # in any case without a separator: abc123, Abc12d
    st.builds(
        lambda a, b, low: "".join(c.lower() if x else c for c, x in zip(a + b, low, strict=True)),
        _plate_letters,
        _plate_end,
        st.lists(st.booleans(), min_size=6, max_size=6),
    ),
)  # fmt: skip


@given(_around, _personnummer(), _around, st.booleans())
@example("Han heter", "19850101-1236", "och kör fort", True)
@example("", "0101010007", "", False)
@example("förare", "850101–1236", "rapporterad", False)  # an en dash (reviewer)
@example("förare", "19850101–1236", "", False)
@example("", "850161 1233", "", False)  # a samordningsnummer with a space
def test_any_personnummer_in_any_text_is_found_and_redacted(before, pnr, after, addresses):
    text = f"{before} {pnr} {after}"
    found = find_identifying(text, addresses=addresses)
    assert found and "ett personnummer" in found.swedish
    assert "personnummer" in found.sentence()
    assert pnr not in redact_identifying(text, addresses=addresses)


@given(_around, _regnr, _around)
@example("Bilen", "ABC 123", "kör fort")
@example("", "XYZ12A", "")
@example("Bil", "abc123", "stoppad")  # lower case without a separator (reviewer)
@example("", "ABC-123", "")  # a hyphen (reviewer)
def test_any_registration_number_in_any_text_is_found_and_redacted(before, regnr, after):
    text = f"{before} {regnr} {after}"
    found = find_identifying(text, addresses=False)
    assert found and "ett registreringsnummer" in found.swedish
    assert regnr not in redact_identifying(text, addresses=False)


#: What an activity comment or a patrol pass's results say: counts and kinds, times, days,
#: weeks and minutes.
_RESULT_WORDS = st.sampled_from(
    [
        "rapporter",
        "rapport",
        "ordningsbot",
        "ordningsböter",
        "samtal med ungdomar",
        "mopeder kontrollerade",
        "blåsprov",
        "alkotest",
        "inga anmärkningar",
        "LOB",
        "OBS",
        "RB",
        "hastighetskontroll",
        "fordon kontrollerade",
        "min",
        "st",
        "kl",
        "vid skolan",
        "på väg 204",
        "E18",
        "Storgatan",
        "v.",
        "gång",
        "gånger",
        "tillfällen",
        "kontroller",
        "förare",
        "helger",
        "av 4 helger",
        "nov",
    ]
)
_count = st.integers(min_value=0, max_value=999).map(str)
_hour, _minute = st.integers(0, 23), st.integers(0, 59)
_dash = st.sampled_from("-–")
_clock = st.builds(
    lambda h, m, sep: f"{h:02d}{sep}{m:02d}", _hour, _minute, st.sampled_from([":", ".", ""])
)
_span = st.builds(lambda a, b, dash: f"{a}{dash}{b}", _clock, _clock, _dash)
_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
_day = st.one_of(
    _days.map(str), _days.map(lambda d: f"{d:%y%m%d}"), _days.map(lambda d: f"{d:%Y%m%d}")
)
_week = st.one_of(
    st.builds(lambda y, w: f"{y}-W{w:02d}", st.integers(2020, 2030), st.integers(1, 53)),
    st.builds(lambda w, sep: f"v{sep}{w}", st.integers(1, 53), st.sampled_from(["", " ", ". "])),
)
_road = st.one_of(
    st.integers(1, 99).map(lambda n: f"E{n}"),
    st.builds(lambda kind, n: f"{kind} {n}", st.sampled_from(["väg", "riksväg", "länsväg"]),
              st.integers(1, 999)),
)  # fmt: skip
#: A case number of the police's: ``5000-K123456-25``.
_case = st.builds(
    lambda unit, n, year: f"{unit}-K{n}-{year:02d}",
    st.integers(1000, 9999),
    st.integers(1, 999999),
    st.integers(0, 99),
)
#: Phone numbers as written with their groups: ``070-123 45 67``, ``019-21 10 00``, ``112``.
_phone = st.one_of(
    st.builds(lambda a, b, c, d: f"07{a}-{b:03d} {c:02d} {d:02d}", st.sampled_from("0236"),
              st.integers(0, 999), st.integers(0, 99), st.integers(0, 99)),
    st.builds(lambda a, b, c: f"019-{a:02d} {b:02d} {c:02d}", st.integers(10, 99),
              st.integers(0, 99), st.integers(0, 99)),
    st.builds(lambda a, b, c: f"+46 70 {a:03d} {b:02d} {c:02d}", st.integers(0, 999),
              st.integers(0, 99), st.integers(0, 99)),
    st.just("112"),
    st.just("114 14"),
)  # fmt: skip
#: An acronym of the stop list with a number: ``SOS 112``, ``PBL 10A``, ``lob 13``.
_acronym = st.builds(
    lambda name, lower, sep, n, letter: f"{name.lower() if lower else name}{sep}{n}{letter}",
    st.sampled_from(NOT_PLATES),
    st.booleans(),
    st.sampled_from([" ", "", "-"]),
    st.integers(0, 999),
    st.sampled_from(["", "A", "B"]),
)


@st.composite
def _organisation_number(draw: st.DrawFn) -> str:
    """An organisation number: ``212000-2981`` (its third digit 2 or more, a month ≥ 20)."""
    first = draw(st.sampled_from("25789"))
    rest = draw(st.text(alphabet="0123456789", min_size=7, max_size=7))
    nine = f"{first}{draw(st.integers(0, 9))}{draw(st.integers(2, 9))}{rest[:6]}"
    return f"{nine[:6]}-{nine[6:]}{_luhn_digit(nine)}"


_results = st.lists(
    st.one_of(
        st.builds(lambda n, w: f"{n} {w}", _count, _RESULT_WORDS),
        _RESULT_WORDS,
        _span,
        _day,
        _week,
        _clock,
        _road,
        _case,
        _phone,
        _acronym,
        _organisation_number(),
    ),
    min_size=1,
    max_size=8,
).flatmap(
    lambda parts: st.sampled_from([", ", "; ", " och ", " / "]).map(lambda sep: sep.join(parts))
)


@given(_results)
@example("3 rapporter, 1 ordningsbot")
@example("18:00-20:00, 2025-12-02, 2025-W49, 45 min, 12 mopeder kontrollerade")
@example("18.00–20.00, 1800-2100, 251202, v. 49, E18, väg 204, 5000-K123456-25")
@example("070-123 45 67, SOS 112, AML 123, RPS 100, PBL 10A, 212000-2981")
def test_activity_and_pass_texts_of_counts_times_and_numbers_are_accepted(text):
    assert not find_identifying(text, addresses=False)
    assert redact_identifying(text, addresses=False) == text


def test_an_address_counts_only_where_the_caller_says_so():
    text = "Ordningsbot utanför Storgatan 5"
    assert has_street_address(text)
    assert not find_identifying(text, addresses=False)  # a pass may name its place
    found = find_identifying(text)
    assert found.has_address and found.pronoun == "den"
    assert "korsningen vid skolan" in found.sentence()


@pytest.mark.parametrize(
    ("text", "kinds", "pronoun", "english"),
    [
        ("19850101-1236", "ett personnummer", "det", "a personnummer; remove it"),
        (
            "19850101-1236 ABC123",
            "ett personnummer och ett registreringsnummer",
            "dem",
            "a personnummer and a registration number; remove them",
        ),
        (
            "19850101-1236, ABC123, Storgatan 5",
            "ett personnummer, ett registreringsnummer och en gatuadress med husnummer",
            "dem",
            "a personnummer, a registration number and a street address with a house number;"
            " remove them",
        ),
    ],
)
def test_every_kind_is_named_at_once_in_both_languages(text, kinds, pronoun, english):
    found = find_identifying(text)
    assert found.swedish == kinds and found.pronoun == pronoun
    assert f"{found.english}; remove {found.english_pronoun}" == english
    assert found.sentence("Kommentaren").startswith(f"Kommentaren ser ut att innehålla {kinds};")


def test_nothing_found_is_false_and_says_nothing():
    found = find_identifying("Höga hastigheter på kvällarna förbi skolan.")
    assert not found and found.sentence() == "" and found.swedish == ""


def test_the_spots_check_is_this_one():
    # geo.spots names the same patterns (no copy of its own)
    assert spots.has_street_address is has_street_address
    with pytest.raises(spots.SpotValidationError) as info:
        spots.validate_spot(spot_payload(description="Bilen ABC 123 kör fort"))
    assert info.value.errors["description"] == find_identifying("ABC 123").sentence()


# ------------------------------------------------------------ the reviewer's reproducers


@pytest.mark.parametrize("addresses", [True, False])
@pytest.mark.parametrize(
    "text",
    [
        "Larm via SOS 112",
        "AML 123",
        "RPS 100",
        "PBL 10A",
        "Pass 251202 1800-2100",  # a day and a time span
        "20251202 1800",  # a day and a time
        "212000-2981",  # the kommun's organisation number (Luhn holds, month 20)
    ],
)
def test_acronyms_days_times_and_organisation_numbers_are_not_refused(text, addresses):
    assert not find_identifying(text, addresses=addresses)
    assert redact_identifying(text, addresses=addresses) == text


def test_the_stop_list_holds_only_what_would_look_like_a_plate():
    # an acronym with I, Q or V (LVU, LVM) never fits, so needs no place in the list
    assert all(len(a) == 3 and set(a) <= set(_REG_LETTERS) for a in NOT_PLATES)


@pytest.mark.parametrize(
    "text",
    [
        "Hidingevägen 1 gång",
        "Skolvägen 2 tillfällen",
        "Mullhyttevägen 4 kontroller",
        "Möte på Lekebergsvägen 13 nov",
        "Östansjövägen 3 av 4 helger",
        "Lannavägen 12 förare",
        "Mätning Kyrkvägen 2 v",
    ],
)
def test_a_count_or_a_day_after_a_street_is_no_house_number(text):
    # fewer refusals of a spot's description too; an activity comment no longer counts addresses
    assert not has_street_address(text)
    assert not find_identifying(text)


@pytest.mark.parametrize(
    "text",
    [
        "Storgatan 4",
        "Storgatan 4B",
        "Storgatan 4 B",
        "kungsvägen 12B",
        "möte på Storgatan 5 kl 18",
        "Vandring Stortorget 18-20",  # 18-20 may be a range of house numbers: one in a spot
    ],
)
def test_a_house_number_after_a_street_still_counts_in_a_spot(text):
    assert has_street_address(text)
    assert find_identifying(text).has_address
    assert not find_identifying(text, addresses=False)  # an activity comment or a pass


@pytest.mark.parametrize(
    ("text", "kinds", "redacted"),
    [
        ("abc123", "ett registreringsnummer", "[borttaget]"),
        ("Bil abc123 stoppad", "ett registreringsnummer", "Bil [borttaget] stoppad"),
        ("ABC-123", "ett registreringsnummer", "[borttaget]"),
        ("850101–1236", "ett personnummer", "[borttaget]"),  # an en dash
        ("19850101–1236", "ett personnummer", "[borttaget]"),
        ("förare 850101—1236 i Abc12D", "ett personnummer och ett registreringsnummer",
         "förare [borttaget] i [borttaget]"),
    ],
)  # fmt: skip
def test_lower_case_plates_and_unicode_dashes_are_found_and_redacted(text, kinds, redacted):
    assert find_identifying(text, addresses=False).swedish == kinds
    assert redact_identifying(text, addresses=False) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "Abc 123",  # mixed case with a space: the shape of "och 123" in a sentence
        "kom och 123 till",
        "IBC 123",  # I, Q and V are on no plate
        "ABV12Q",
        "850101 1234",  # with a space the check digit must hold: a date and a time look so
        "8501011234",
        # the check digit holds, the date does not: no month 13, no day 32 or 00
        "851301-1232",
        "850132-1239",
        "850100-1237",
    ],
)
def test_what_is_not_taken_for_a_personnummer_or_a_plate(text):
    assert not find_identifying(text)


@given(_personnummer(), st.integers(min_value=0, max_value=9), st.sampled_from(["-", "+", "–"]))
@example("850101-1236", 4, "-")
def test_a_personnummer_with_a_dash_is_found_whatever_its_check_digit(pnr, last, sep):
    # a typo in one digit still points at one person; nothing else is written YYMMDD-NNNN
    digits = "".join(c for c in pnr if c.isdigit())[-10:]
    mistyped = f"{digits[:6]}{sep}{digits[6:9]}{last}"
    text = f"Föraren {mistyped} stoppades"
    assert "ett personnummer" in find_identifying(text).swedish
    assert mistyped not in redact_identifying(text)
