"""Tests of the patrol log's row rules shared by the file import and the pass form."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from geo.patrol_log_fields import CONTROL_COUNTS, MAX_COUNT
from geo.patrol_log_rows import (
    FUTURE_TOLERANCE_MIN,
    PERSONAL_DATA,
    LogRow,
    RowProblem,
    check_log_row,
)

TZ = "Europe/Stockholm"
NOW = pd.Timestamp("2026-11-28 14:00", tz=TZ)
FUTURE = "pass i framtiden"


def _row(start: pd.Timestamp, minutes: int = 45) -> dict[str, str]:
    """Return a form row of a pass starting at ``start`` (the end with its date, if later)."""
    end = start + pd.Timedelta(minutes=minutes)
    return {
        "date": f"{start:%Y-%m-%d}",
        "start": f"{start:%H:%M}",
        "end": f"{end:%Y-%m-%d %H:%M}",
        "places": "Fjugesta centrum",
    }


def _exact_row(start: pd.Timestamp, minutes: int = 30) -> dict[str, str]:
    """Return a row whose start and end carry their UTC offset (no local time is missing)."""
    end = start + timedelta(minutes=minutes)
    return {
        "date": f"{start:%Y-%m-%d}",
        "start": f"{start:%Y-%m-%d %H:%M}{start:%z}",
        "end": f"{end:%Y-%m-%d %H:%M}{end:%z}",
    }


def test_a_pass_next_friday_is_refused_with_the_value_and_the_fix_for_file_and_form() -> None:
    friday = pd.Timestamp("2026-12-04 18:00", tz=TZ)
    checked = check_log_row(_row(friday), line=7, headers={"date": "datum"}, now=NOW)
    assert isinstance(checked, RowProblem)
    assert (checked.reason, checked.field) == (FUTURE, "date")
    assert checked.file_detail == (
        "passet på rad 7 börjar 2026-12-04 18:00, efter nu (2026-11-28 14:00), kolumn datum"
        " — skriv dagen då passet gjordes; ett kommande pass loggas när det är gjort"
    )
    assert checked.form_message == (
        "Passet börjar 2026-12-04 18:00, efter nu (2026-11-28 14:00) — välj dagen då passet"
        " gjordes; ett kommande pass loggas när det är gjort."
    )


def test_a_start_cell_with_its_own_date_is_the_column_named() -> None:
    row = {"date": "2026-11-28", "start": "2026-12-04 18:00", "end": "2026-12-04 19:00"}
    checked = check_log_row(row, line=3, headers={"start": "från"}, now=NOW)
    assert isinstance(checked, RowProblem)
    assert (checked.reason, checked.field) == (FUTURE, "start")
    assert "kolumn från" in checked.file_detail


def test_the_tolerance_lets_a_clock_a_little_ahead_through_and_no_more() -> None:
    edge = NOW + pd.Timedelta(minutes=FUTURE_TOLERANCE_MIN)
    assert isinstance(check_log_row(_row(edge), now=NOW), LogRow)
    checked = check_log_row(_row(edge + pd.Timedelta(minutes=1)), now=NOW)
    assert isinstance(checked, RowProblem) and checked.reason == FUTURE


def test_a_pass_under_way_may_end_after_now() -> None:
    checked = check_log_row(_row(NOW - pd.Timedelta(minutes=20), minutes=60), now=NOW)
    assert isinstance(checked, LogRow) and checked.minutes == 60


def test_now_defaults_to_the_clock_and_a_naive_now_is_local_time() -> None:
    clock = pd.Timestamp.now(tz=TZ)
    tomorrow = check_log_row(_exact_row(clock + pd.Timedelta(days=1)))
    assert isinstance(tomorrow, RowProblem) and tomorrow.reason == FUTURE
    assert isinstance(check_log_row(_exact_row(clock - pd.Timedelta(days=1))), LogRow)
    naive = NOW.tz_localize(None)
    assert isinstance(check_log_row(_row(NOW), now=naive), LogRow)
    late = check_log_row(_row(NOW + pd.Timedelta(hours=1)), now=naive)
    assert isinstance(late, RowProblem) and late.reason == FUTURE


@pytest.mark.parametrize(
    ("date", "start", "reason"),
    [("2026-13-01", "18:00", "ogiltigt datum"), ("2026-12-04", "25:00", "ogiltig tid")],
)
def test_an_unreadable_future_row_is_told_what_is_unreadable(
    date: str, start: str, reason: str
) -> None:
    checked = check_log_row({"date": date, "start": start, "end": "19:00"}, now=NOW)
    assert isinstance(checked, RowProblem) and checked.reason == reason


minutes_off = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60)
clocks = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2031, 12, 31)).map(
    lambda d: pd.Timestamp(d.replace(second=0, microsecond=0))
)


@given(clock=clocks, offset_min=minutes_off)
@example(clock=NOW.tz_localize(None), offset_min=FUTURE_TOLERANCE_MIN)
@example(clock=NOW.tz_localize(None), offset_min=FUTURE_TOLERANCE_MIN + 1)
def test_any_start_after_now_and_the_tolerance_is_refused_and_none_before(
    clock: pd.Timestamp, offset_min: int
) -> None:
    now = clock.tz_localize(TZ, ambiguous=True, nonexistent="shift_forward")
    checked = check_log_row(_exact_row(now + timedelta(minutes=offset_min)), now=now)
    refused = isinstance(checked, RowProblem) and checked.reason == FUTURE
    assert refused == (offset_min > FUTURE_TOLERANCE_MIN), checked


# ---------------------------------------------------------------- personal data in the texts

_PASS = {"date": "2025-12-02", "start": "18:00", "end": "18:45"}


@pytest.mark.parametrize("field", ["places", "activity", "results"])
@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("stoppade 19850101-1236", "ett personnummer"),
        ("bil ABC 123 kontrollerad", "ett registreringsnummer"),
        ("850101-1236 i ABC12D", "ett personnummer och ett registreringsnummer"),
        ("Bil abc123 stoppad", "ett registreringsnummer"),
        ("förare 19850101–1236, ABC-123", "ett personnummer och ett registreringsnummer"),
    ],
)
def test_a_personnummer_or_registration_number_in_a_text_is_refused(field, text, kinds) -> None:
    headers = {"results": "resultat", "places": "platser", "activity": "aktivitet"}
    checked = check_log_row({**_PASS, field: text}, line=4, headers=headers, now=NOW)
    assert isinstance(checked, RowProblem)
    assert (checked.reason, checked.field) == (PERSONAL_DATA, field)
    assert checked.file_detail.startswith(
        f"texten på rad 4, kolumn {headers[field]} ser ut att innehålla {kinds} — ta bort"
    )
    assert "ur filen och importera den igen" in checked.file_detail
    assert checked.form_message.startswith(f"Texten ser ut att innehålla {kinds}; ta bort")
    for said in (checked.file_detail, checked.form_message):
        assert text not in said  # the refusal holds no personal data either
    assert ("3 rapporter, 1 ordningsbot" in checked.form_message) == (field == "results")


@pytest.mark.parametrize(
    ("places", "results"),
    [
        ("Storgatan 5", "3 rapporter, 1 ordningsbot"),
        ("Fjugesta centrum; Lanna badgruva", "18:00-20:00 närvaro, 2025-12-02, 45 min"),
        ("väg 204 vid Hidinge", "12 fordon kontrollerade, 2 blåsprov, inga anmärkningar"),
        ("Kungsvägen 12B", "ordningsbot utanför Storgatan 5"),
        ("Larm via SOS 112", "Pass 251202 1800-2100, 20251202 1800, AML 123, RPS 100, PBL 10A"),
        ("Vandring Stortorget 18-20", "kommunen 212000-2981, ärende 5000-K123456-25"),
    ],
)
def test_addresses_counts_times_and_dates_pass(places, results) -> None:
    # the police name the places they patrolled, by an address too: not refused in a pass
    checked = check_log_row({**_PASS, "places": places, "results": results}, now=NOW)
    assert isinstance(checked, LogRow)
    assert (checked.places, checked.results) == (places, results)


def test_a_text_too_long_is_told_before_its_personal_data() -> None:
    checked = check_log_row({**_PASS, "results": "ABC 123 " + "x" * 2000}, now=NOW)
    assert isinstance(checked, RowProblem) and checked.reason == "för lång text"


_CONTROL = {**_PASS, "activity": "nykterhetskontroll; hastighetskontroll"}


@given(st.integers(0, MAX_COUNT), st.integers(0, MAX_COUNT), st.none() | st.integers(0, 20))
def test_a_pass_with_more_breath_tests_than_drivers_checked_is_refused(checked, blown, dui):
    row = {**_CONTROL, "checked": str(checked), "breath_tests": f" {blown} "}
    if dui is not None:  # rattfylleri over blåsta is no conflict: drug driving
        row["dui_suspected"] = str(dui)
    result = check_log_row(
        row, line=9, headers={"checked": "kontr", "breath_tests": "blåst"}, now=NOW
    )
    if blown <= checked:
        assert isinstance(result, LogRow)
        assert (result.checked, result.breath_tests, result.dui_suspected) == (checked, blown, dui)
        return
    assert isinstance(result, RowProblem)
    assert (result.reason, result.field) == ("fler blåsta än kontrollerade", "breath_tests")
    # the file's detail names the row, both columns as the file heads them, and the fix
    assert result.file_detail.startswith(
        f"rad 9 har {blown} blåsta (utandningsprov) i kolumnen blåst men bara {checked}"
        f" kontrollerade förare/fordon i kolumnen kontr — varje förare som blåst är också"
        f" kontrollerad: skriv alla kontrollerade förare/fordon under passet (minst {blown}),"
        " eller rätta antalet blåsta"
    )
    assert "lämna en kolumn tom om antalet inte räknades" in result.file_detail
    # the form names both fields
    assert f"{blown} blåsta (utandningsprov) men bara {checked} kontrollerade" in (
        result.form_message
    )


@given(st.sampled_from(sorted(CONTROL_COUNTS)), st.integers(0, MAX_COUNT))
def test_a_single_count_is_never_refused_as_a_conflict(field, n):
    assert isinstance(check_log_row({**_CONTROL, field: str(n)}, now=NOW), LogRow)
