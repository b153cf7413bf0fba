"""The one check of free text for identifying details (geo.sensitive_text), across its users."""

from __future__ import annotations

from datetime import date

import pytest
from _web_fixtures import spot_payload
from hypothesis import example, given
from hypothesis import strategies as st

from geo import spots
from geo.sensitive_text import find_identifying, has_street_address, redact_identifying

#: Characters of text around a detail: anything, but kept apart from it by a space (a digit
#: right before a personnummer makes it a longer number, which is no personnummer).
_around = st.text(max_size=30)


@st.composite
def _personnummer(draw: st.DrawFn) -> str:
    """A personnummer as people write it: ``YYMMDD-NNNN``, ``YYMMDD+NNNN``, ``YYYYMMDDNNNN`` …."""
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    samordning = draw(st.booleans())  # a samordningsnummer: the day + 60
    day = born.day + 60 if samordning else born.day
    tail = draw(st.integers(min_value=0, max_value=9999))
    century = draw(st.booleans())
    sep = draw(st.sampled_from(["-", "+", " ", ""] if not century else ["-", ""]))
    year = f"{born.year:04d}" if century else f"{born.year % 100:02d}"
    return f"{year}{born.month:02d}{day:02d}{sep}{tail:04d}"


#: Letters of Swedish registration numbers (I, Q, V, Å, Ä, Ö are not used).
_REG_LETTERS = "ABCDEFGHJKLMNOPRSTUWXYZ"
_regnr = st.builds(
    lambda letters, digits, last, space: f"{letters}{' ' if space else ''}{digits:02d}{last}",
    st.text(alphabet=_REG_LETTERS, min_size=3, max_size=3),
    st.integers(min_value=0, max_value=99),
    st.sampled_from([*"0123456789", *_REG_LETTERS]),
    st.booleans(),
)


@given(_around, _personnummer(), _around, st.booleans())
@example("Han heter", "19850101-1234", "och kör fort", True)
@example("", "0101011234", "", False)
def test_any_personnummer_in_any_text_is_found_and_redacted(before, pnr, after, addresses):
    text = f"{before} {pnr} {after}"
    found = find_identifying(text, addresses=addresses)
    assert found and "ett personnummer" in found.swedish
    assert "personnummer" in found.sentence()
    assert pnr not in redact_identifying(text, addresses=addresses)


@given(_around, _regnr, _around)
@example("Bilen", "ABC 123", "kör fort")
@example("", "XYZ12A", "")
def test_any_registration_number_in_any_text_is_found_and_redacted(before, regnr, after):
    text = f"{before} {regnr} {after}"
    found = find_identifying(text, addresses=False)
    assert found and "ett registreringsnummer" in found.swedish
    assert regnr not in redact_identifying(text, addresses=False)


#: What a patrol pass's results say: counts and kinds, times, days, weeks and minutes.
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
    ]
)
_count = st.integers(min_value=0, max_value=999).map(str)
_clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
_span = st.builds(lambda a, b, dash: f"{a}{dash}{b}", _clock, _clock, st.sampled_from("-–"))
_day = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)).map(str)
_week = st.builds(lambda y, w: f"{y}-W{w:02d}", st.integers(2020, 2030), st.integers(1, 53))
_results = st.lists(
    st.one_of(
        st.builds(lambda n, w: f"{n} {w}", _count, _RESULT_WORDS),
        _RESULT_WORDS,
        _span,
        _day,
        _week,
        _clock,
    ),
    min_size=1,
    max_size=8,
).map(", ".join)


@given(_results)
@example("3 rapporter, 1 ordningsbot")
@example("18:00-20:00, 2025-12-02, 2025-W49, 45 min, 12 mopeder kontrollerade")
def test_results_of_counts_and_kinds_are_accepted(text):
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
        ("19850101-1234", "ett personnummer", "det", "a personnummer; remove it"),
        (
            "19850101-1234 ABC123",
            "ett personnummer och ett registreringsnummer",
            "dem",
            "a personnummer and a registration number; remove them",
        ),
        (
            "19850101-1234, ABC123, Storgatan 5",
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
