"""Swedish holidays on the plan's days: the dates checked against the almanac."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.holidays import holiday_name, holidays


@pytest.mark.parametrize(
    ("day", "name"),
    [
        # 2026 from the Swedish almanac: Easter Sunday 5 April, midsummer 20 June,
        # alla helgons dag 31 October; 2027: Easter 28 March, midsummer 26 June, 6 November
        ("2026-04-03", "långfredagen"),
        ("2026-04-04", "påskafton"),
        ("2026-04-06", "annandag påsk"),
        ("2026-04-30", "valborgsmässoafton"),
        ("2026-05-14", "Kristi himmelsfärdsdag"),
        ("2026-05-24", "pingstdagen"),
        ("2026-06-19", "midsommarafton"),
        ("2026-06-20", "midsommardagen"),
        ("2026-10-31", "alla helgons dag"),
        ("2026-12-25", "juldagen"),
        ("2026-12-26", "annandag jul"),
        ("2027-03-26", "långfredagen"),
        ("2027-06-25", "midsommarafton"),
        ("2027-11-06", "alla helgons dag"),
        ("2027-01-06", "trettondedag jul"),
    ],
)
def test_the_holidays_fall_on_the_almanacs_days(day: str, name: str) -> None:
    assert holiday_name(dt.date.fromisoformat(day)) == name
    assert holiday_name(pd.Timestamp(f"{day} 21:00", tz="Europe/Stockholm")) == name


def test_an_ordinary_week_has_none_and_every_year_has_all() -> None:
    assert [holiday_name(dt.date(2026, 12, d)) for d in range(7, 14)] == [None] * 7
    for year in range(2020, 2040):
        days = holidays(year)
        assert len(days) == 18  # no two fall on one date
        assert {d.year for d in days} == {year}
        assert days.get(dt.date(year, 6, 6)) == "Sveriges nationaldag"
        (midsummer,) = [d for d, n in days.items() if n == "midsommardagen"]
        assert midsummer.weekday() == 5 and dt.date(year, 6, 20) <= midsummer <= dt.date(
            year, 6, 26
        )
