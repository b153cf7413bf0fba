"""ISO weeks: parsing, Mondays in Stockholm time, labels, shifts and ranges (geo.weeks)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.errors import DataError
from geo.weeks import parse_week, shift_week, week_label, week_labels, week_monday, week_range

days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


def test_week_starts_on_monday_midnight_in_stockholm_on_either_side_of_dst():
    assert week_monday("2026-W49") == pd.Timestamp("2026-11-30 00:00", tz="Europe/Stockholm")
    assert week_monday("2026-W13").utcoffset() == pd.Timedelta(hours=1)  # before 29 March
    assert week_monday("2026-W14").utcoffset() == pd.Timedelta(hours=2)


@pytest.mark.parametrize(
    "bad", ["2026-49", "2026-W54", "2025-W53", "next week", "26-W10", "2026-W"]
)
def test_a_text_that_is_not_an_iso_week_is_refused_with_an_example(bad):
    with pytest.raises(DataError, match="write it like '2026-W49'"):
        parse_week(bad)


def test_the_turn_of_the_year_follows_iso_not_the_calendar():
    assert week_label(dt.date(2024, 12, 30)) == "2025-W01"  # a Monday in December
    assert week_label(dt.date(2027, 1, 1)) == "2026-W53"  # 2026 has 53 weeks
    assert shift_week("2026-W53", 1) == "2027-W01"
    assert week_range("2026-W52", "2027-W02") == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    assert week_range("2027-W02", "2026-W52") == []


@given(days)
def test_a_label_names_the_week_whose_monday_to_sunday_holds_the_day(day):
    monday = week_monday(week_label(day)).date()
    assert monday.weekday() == 0
    assert monday <= day < monday + dt.timedelta(days=7)


@given(days, st.integers(-300, 300))
def test_shifting_counts_whole_weeks_and_undoes_itself(day, n):
    week = week_label(day)
    later = shift_week(week, n)
    assert (week_monday(later).date() - week_monday(week).date()).days == 7 * n
    assert shift_week(later, -n) == week
    span = week_range(week, later) if n >= 0 else week_range(later, week)
    assert len(span) == abs(n) + 1
    assert span == sorted(span)  # labels sort in time order


@given(
    st.lists(
        st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2060, 1, 1)),
        max_size=20,
    )
)
def test_labels_of_a_series_are_the_labels_of_its_values(times):
    series = pd.Series(pd.to_datetime(times), dtype="datetime64[ns]").dt.tz_localize("UTC")
    local = series.dt.tz_convert("Europe/Stockholm")
    assert week_labels(local).tolist() == [week_label(t) for t in local]


def test_a_plan_for_a_week_written_without_its_zero_is_the_same_week(tmp_path):
    """geo plan --week 2026-W9 wrote plan-2026-W9.* beside plan-2026-W09.* of the same week."""
    from test_forecast import events
    from test_hotspots import store_with

    from geo import patrol

    inc = events(30)
    inc["incident_id"] = [f"w{i}" for i in range(len(inc))]
    inc["source"] = "kommun"
    path = store_with(inc, tmp_path / "s.gpkg")
    assert patrol.read_plan_inputs("2026-W9", store_path=path).week == "2026-W09"
