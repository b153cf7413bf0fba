"""Tests of geo.timeparts: a time written over several columns (Vancouver, Toronto, LA)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from geo.cli.analysis import evaluate_command
from geo.errors import ImportFileError
from geo.pointfile import read_points
from geo.timeparts import parse_time_parts, time_columns

MINUTES = st.datetimes(
    min_value=pd.Timestamp("1990-01-01").to_pydatetime(),
    max_value=pd.Timestamp("2035-12-31").to_pydatetime(),
).map(lambda t: pd.Timestamp(t).floor("min"))


@given(st.lists(MINUTES, min_size=1, max_size=30), st.sampled_from(["int", "text", "float"]))
def test_year_month_day_hour_minute_give_back_the_time(times, written):
    t = pd.DatetimeIndex(times)
    parts = {"Y": t.year, "M": t.month, "D": t.day, "h": t.hour, "m": t.minute}
    df = pd.DataFrame(parts)
    if written == "text":  # zero-padded text, as a CSV read as strings
        df = df.apply(lambda c: c.map(lambda v: f"{v:02d}"))
    elif written == "float":  # numbers a GeoJSON or a sheet with gaps gives as floats
        df = df.astype(float)
    got = parse_time_parts(df, ["Y", "M", "D", "h", "m"])
    assert list(got.at) == list(t)


@given(MINUTES, st.sampled_from(["HHMM", "clock", "12h"]))
def test_a_date_and_a_time_of_day_give_back_the_time(t, style):
    hhmm = t.hour * 100 + t.minute
    clock = {
        "HHMM": str(hhmm),  # LA's TIME OCC: 2230, 5 for 00:05
        "clock": f"{t:%H:%M:%S}",  # NYPD's CMPLNT_FR_TM
        "12h": f"{t:%I:%M %p}",
    }[style]
    # a clock column needs one value above 23 to be read as HHMM rather than hours
    df = pd.DataFrame({"DATE OCC": [f"{t:%m/%d/%Y} 12:00:00 AM", "01/01/2020 12:00:00 AM"],
                       "TIME OCC": [clock, "2359" if style == "HHMM" else "23:59"]})  # fmt: skip
    got = parse_time_parts(df, ["DATE OCC", "TIME OCC"])
    assert got.at.iloc[0] == t


@given(st.text(max_size=12))
def test_any_text_as_a_part_is_a_time_or_none_never_an_error(text):
    # named MONTH: a column named neither month nor week with values 13-53 is read as weeks
    df = pd.DataFrame({"Y": ["2019", text], "MONTH": [text, "3"], "D": ["1", text]})
    got = parse_time_parts(df, ["Y", "MONTH", "D"])
    month = got.at.iloc[0]  # 2019, the text as a month, day 1
    assert pd.isna(month) or (month.year, month.day) == (2019, 1)
    assert pd.isna(got.at.iloc[1])  # a year that is also a day (1-31) is before 1677: no time


def test_month_names_and_impossible_dates():
    df = pd.DataFrame(
        {
            "OCC_YEAR": ["2019", "2019", "2019", "2019", "", "2019"],
            "OCC_MONTH": ["January", "mars", "Apr", "April", "May", "13"],
            "OCC_DAY": ["31", "1", "30", "31", "2", "2"],
        }
    )
    got = parse_time_parts(df, ["OCC_YEAR", "OCC_MONTH", "OCC_DAY"]).at
    assert got.iloc[0] == pd.Timestamp("2019-01-31")
    assert got.iloc[1] == pd.Timestamp("2019-03-01")  # Swedish/French "mars"
    assert got.iloc[2] == pd.Timestamp("2019-04-30")
    assert got.iloc[3:].isna().all()  # 31 April, no year, month 13


def test_two_columns_are_year_and_month_when_the_first_holds_years():
    df = pd.DataFrame({"YEAR": ["2019", "2019", "2020"], "MONTH": ["12", "1", "2"]})
    got = parse_time_parts(df, ["YEAR", "MONTH"])
    assert list(got.at) == [pd.Timestamp("2019-12-01"), pd.Timestamp("2019-01-01"),
                            pd.Timestamp("2020-02-01")]  # fmt: skip
    assert got.format == "YEAR=year, MONTH=month"


def test_hours_alone_and_empty_times_keep_the_date():
    df = pd.DataFrame({"date": ["2019-05-01", "2019-05-02", "2019-05-03", "2019-05-04"],
                       "hour": ["5", "", "23", "nonsense"]})  # fmt: skip
    got = parse_time_parts(df, ["date", "hour"])
    assert got.at.iloc[0] == pd.Timestamp("2019-05-01 05:00")  # no value above 23: hours
    assert got.at.iloc[1] == pd.Timestamp("2019-05-02")  # empty: midnight
    assert got.at.iloc[2] == pd.Timestamp("2019-05-03 23:00")
    assert pd.isna(got.at.iloc[3])  # written but not a time: no time, counted as such


def test_time_columns_split_on_commas_unless_the_file_has_that_name():
    assert time_columns("YEAR, MONTH ,DAY") == ["YEAR", "MONTH", "DAY"]
    assert time_columns("Date") == ["Date"]
    assert time_columns("a,b", ["a,b", "x"]) == ["a,b"]
    with pytest.raises(ValueError, match="2 to 6"):
        parse_time_parts(pd.DataFrame({"a": [1]}), ["a"])


def vancouver(tmp_path, n=3000, seed=5):
    """A Vancouver-like export: no date column, X/Y in UTM 10N, 0/0 where the place is hidden."""
    rng = np.random.default_rng(seed)
    t = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 365 * 1440, n), unit="min")
    hot = rng.random(n) < 0.5
    x = np.where(hot, 492_000 + rng.normal(0, 150, n), rng.uniform(485_000, 500_000, n))
    y = np.where(hot, 5_458_000 + rng.normal(0, 150, n), rng.uniform(5_450_000, 5_462_000, n))
    x[:20], y[:20] = 0.0, 0.0  # offences against a person: location withheld
    df = pd.DataFrame({"TYPE": "Theft from Vehicle", "YEAR": t.year, "MONTH": t.month,
                       "DAY": t.day, "HOUR": t.hour, "MINUTE": t.minute,
                       "HUNDRED_BLOCK": "X NK_LOC ST",
                       "X": x.round(2), "Y": y.round(2)})  # fmt: skip
    df.loc[25, "DAY"] = 31
    df.loc[25, "MONTH"] = 4  # no 31 April: no time
    path = tmp_path / "crimedata_csv_AllNeighbourhoods_2019.csv"
    df.to_csv(path, index=False)
    return path, t


def test_vancouver_export_is_evaluated_from_its_split_date(tmp_path):
    path, t = vancouver(tmp_path)
    pts = read_points(path, x_col="X", y_col="Y", time_col="YEAR,MONTH,DAY,HOUR,MINUTE",
                      crs="EPSG:32610", period=":")  # fmt: skip
    rows = pts.attrs["rows"]
    assert rows["read"] == 3000
    assert rows["dropped"]["impossible location"] == 20
    assert rows["dropped"]["no time"] == 1
    assert rows["used"] == 3000 - 21
    assert (
        "data row 26: YEAR,MONTH,DAY,HOUR,MINUTE = '2019 4 31"
        in (pts.attrs["dropped_examples"]["no time"])
    )
    assert sorted(pts["t"]) == sorted(np.delete(t, [*range(20), 25]))
    out = tmp_path / "van.json"
    res = CliRunner().invoke(
        evaluate_command,
        [str(path), "--x-col", "X", "--y-col", "Y", "--time-col", "YEAR,MONTH,DAY,HOUR,MINUTE",
         "--crs", "EPSG:32610", "--methods", "count_3m,default", "--json", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "dates read as 'YEAR=year, MONTH=month, DAY=day, HOUR=hour, MINUTE=minute'" in res.output
    assert json.loads(out.read_text())["methods"]["default"]["months"] == 9


def test_split_time_with_wrong_order_is_refused_naming_the_columns(tmp_path):
    path, _ = vancouver(tmp_path)
    wrong = r"'DAY,MONTH,YEAR'.*read as 'DAY=year.*in the order year,month,day"
    with pytest.raises(ImportFileError, match=wrong):
        read_points(path, x_col="X", y_col="Y", time_col="DAY,MONTH,YEAR", crs="EPSG:32610")


def test_a_column_of_years_alone_is_refused_naming_the_split_form(tmp_path):
    path, _ = vancouver(tmp_path)
    with pytest.raises(ImportFileError, match=r"'YEAR'.*years alone.*--time-col YEAR,MONTH,DAY"):
        read_points(path, x_col="X", y_col="Y", time_col="YEAR", crs="EPSG:32610")
    with pytest.raises(ImportFileError, match=r"'MONTH'.*--time-col YEAR,MONTH,DAY"):
        read_points(path, x_col="X", y_col="Y", time_col="MONTH", crs="EPSG:32610")


def test_hours_numbered_1_to_24_and_dot_clocks():
    df = pd.DataFrame({"dato": ["01.01.2019", "02.01.2019", "03.01.2019"],
                       "time": ["1", "24", "9"],  # hours 1-24: 24 ends the day
                       "klokkeslett": ["01.33", "22.30", ""]})  # fmt: skip
    hours = parse_time_parts(df, ["dato", "time"]).at
    assert hours.tolist() == [pd.Timestamp("2019-01-01 01:00"), pd.Timestamp("2019-01-03 00:00"),
                              pd.Timestamp("2019-01-03 09:00")]  # fmt: skip
    clock = parse_time_parts(df, ["dato", "klokkeslett"]).at
    assert clock.tolist() == [pd.Timestamp("2019-01-01 01:33"), pd.Timestamp("2019-01-02 22:30"),
                              pd.Timestamp("2019-01-03")]  # fmt: skip


def test_clock_seconds_are_kept_exactly():
    df = pd.DataFrame({"d": ["2019-01-01"] * 3, "t": ["00:00:01", "23:59:59", "10:30:45 PM"]})
    got = parse_time_parts(df, ["d", "t"]).at.tolist()
    assert got == [pd.Timestamp("2019-01-01 00:00:01"), pd.Timestamp("2019-01-01 23:59:59"),
                   pd.Timestamp("2019-01-01 22:30:45")]  # fmt: skip


def test_a_column_whose_name_holds_a_comma_is_one_column(tmp_path):
    path, _ = vancouver(tmp_path)
    df = pd.read_csv(path)
    df["Date, time"] = pd.to_datetime(df[["YEAR", "MONTH", "DAY", "HOUR", "MINUTE"]],
                                      errors="coerce").dt.strftime("%Y-%m-%d %H:%M")  # fmt: skip
    df.to_csv(path, index=False)
    pts = read_points(path, x_col="X", y_col="Y", time_col="Date, time", crs="EPSG:32610",
                      period=":")  # fmt: skip
    assert pts.attrs["rows"]["used"] == 3000 - 21


DAYS = st.dates(
    min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2035-12-31").date()
)


@given(
    st.lists(DAYS, min_size=1, max_size=30), st.sampled_from(["Aar,Ugenr", "YEAR,WEEK", "År,Nr"])
)
def test_a_year_and_an_iso_week_give_back_the_weeks_thursday(days, names):
    # a Danish export: Aar, Ugenr (the ISO year and week); a column named neither week nor
    # month is weeks when its numbers run above 12, as months would be refused
    year_col, week_col = names.split(",")
    iso = [d.isocalendar() for d in days]
    if names == "År,Nr":
        iso.append(pd.Timestamp("2019-12-31").isocalendar())  # week 1 of 2020
        iso.append(pd.Timestamp("2019-07-01").isocalendar())  # week 27
    df = pd.DataFrame({year_col: [str(i.year) for i in iso], week_col: [str(i.week) for i in iso]})
    got = parse_time_parts(df, [year_col, week_col])
    want = [pd.Timestamp.fromisocalendar(i.year, i.week, 4) for i in iso]
    assert list(got.at) == want
    assert [t.isocalendar()[:2] for t in got.at] == [(i.year, i.week) for i in iso]
    assert got.format.startswith(f"{year_col}=ISO year, {week_col}=ISO week (weeks: each read as "
                                 "its Thursday")  # fmt: skip


def test_week_numbers_are_weeks_only_when_named_or_above_12():
    df = pd.DataFrame({"YEAR": ["2019", "2019", "2020"], "Ugenr": ["1", "12", "53"],
                       "MONTH": ["1", "12", "5"], "Weekday": ["1", "3", "7"]})  # fmt: skip
    weeks = parse_time_parts(df, ["YEAR", "Ugenr"]).at
    # week 1 of 2019 began on Monday 31 December 2018; 2020 has a week 53
    assert weeks.tolist() == [pd.Timestamp("2019-01-03"), pd.Timestamp("2019-03-21"),
                              pd.Timestamp("2020-12-31")]  # fmt: skip
    months = parse_time_parts(df, ["YEAR", "MONTH"]).at
    assert months.tolist() == [pd.Timestamp("2019-01-01"), pd.Timestamp("2019-12-01"),
                               pd.Timestamp("2020-05-01")]  # fmt: skip
    assert parse_time_parts(df, ["YEAR", "Weekday"]).format == "YEAR=year, Weekday=month"
    # week 53 of a year of 52 weeks, or a week 0, is no time
    bad = pd.DataFrame({"YEAR": ["2019", "2019", "2019"], "WEEK": ["53", "0", "54"]})
    assert parse_time_parts(bad, ["YEAR", "WEEK"]).at.isna().all()


def danish_weeks(tmp_path, n=2000, seed=4):
    """A Danish police export by ISO week: Aar, Ugenr, and the points (every week's Thursday)."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    iso = days.isocalendar()
    df = pd.DataFrame({"Aar": iso["year"].to_numpy(), "Ugenr": iso["week"].to_numpy(),
                       "Uge": [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"],
                                                               strict=True)],
                       "lat": 55.68 + rng.normal(0, 0.01, n),
                       "lon": 12.57 + rng.normal(0, 0.02, n)})  # fmt: skip
    path = tmp_path / "anmeldelser.csv"
    df.to_csv(path, index=False)
    return path, days


@pytest.mark.parametrize("time_col", ["Aar,Ugenr", "Uge"])
def test_a_file_of_iso_weeks_is_evaluated_by_week_or_by_the_iso_month(tmp_path, time_col):
    path, days = danish_weeks(tmp_path)
    args = ["--x-col", "lon", "--y-col", "lat", "--time-col", time_col, "--crs", "EPSG:4326",
            "--methods", "count_1m", "--train-months", "1"]  # fmt: skip
    pts = read_points(path, x_col="lon", y_col="lat", time_col=time_col, crs="EPSG:4326",
                      period=":")  # fmt: skip
    thursday = days - pd.to_timedelta(days.day_of_week, unit="D") + pd.Timedelta(days=3)
    assert sorted(pts["t"]) == sorted(thursday)
    # by month: a week counts in the month of its Thursday; week 1 of 2020 (from Monday 30
    # December 2019) is January's, and the account says so
    months = CliRunner().invoke(evaluate_command, [str(path), *args])
    assert months.exit_code == 0, months.output
    assert "so a month holds the weeks whose Thursday it holds, the ISO rule" in months.stderr
    assert pts["t"].dt.to_period("M").max() == pd.Period("2020-01", "M")
    weeks = CliRunner().invoke(evaluate_command, [str(path), *args, "--step", "week"])
    assert weeks.exit_code == 0, weeks.output
    assert "test weeks" in weeks.output


@pytest.mark.parametrize("column", ["Ugenr", "Aar"])
def test_a_column_of_week_numbers_or_years_alone_is_refused_naming_the_split_form(tmp_path, column):
    path, _ = danish_weeks(tmp_path)
    said = (
        r"'Ugenr' of .* holds small whole numbers alone \(e.g. '\d+', data row 1\).*"
        r"YEAR,WEEK for ISO weeks"
        if column == "Ugenr"
        else r"'Aar' .* years alone"
    )
    with pytest.raises(ImportFileError, match=said):
        read_points(path, x_col="lon", y_col="lat", time_col=column, crs="EPSG:4326")


NAMED_DAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "sv": ["mån", "tis", "ons", "tors", "fre", "lör", "sön"],
    "da": ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"],
    "de": ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."],
}


@given(
    st.lists(st.tuples(DAYS, st.integers(0, 23)), min_size=1, max_size=30),
    st.sampled_from(["number", *NAMED_DAYS]),
)
def test_a_year_a_week_and_a_weekday_give_back_the_day_and_hour(days, written):
    # an export by ISO week with the day (Aar, Uge, Ugedag, Time): the day as ISO numbers it
    # (1 Monday ... 7 Sunday) or as a name in English, Swedish, Danish or German, cut or whole
    iso = [d.isocalendar() for d, _ in days]
    day = [str(i.weekday) if written == "number" else NAMED_DAYS[written][i.weekday - 1]
           for i in iso]  # fmt: skip
    df = pd.DataFrame({"Aar": [str(i.year) for i in iso], "Uge": [str(i.week) for i in iso],
                       "Ugedag": day, "Time": [str(h) for _, h in days]})  # fmt: skip
    got = parse_time_parts(df, ["Aar", "Uge", "Ugedag", "Time"])
    assert list(got.at) == [pd.Timestamp(d) + pd.Timedelta(hours=h) for d, h in days]
    assert got.format.startswith("Aar=ISO year, Uge=ISO week, Ugedag=weekday (1 Monday")
    assert "Thursday" not in got.format  # each row is on its own day, not its week's Thursday


def test_a_weekday_numbered_from_0_is_refused_naming_the_row_and_the_iso_numbering(tmp_path):
    # Python numbers Monday 0, US software Sunday 0: neither can be told from the other, and
    # reading one as the other moves every day, so a file with a day 0 is refused
    path, days = danish_weeks(tmp_path)
    df = pd.read_csv(path).assign(Ugedag=days.day_of_week)  # Monday 0 ... Sunday 6
    df.to_csv(path, index=False)
    first = int(np.flatnonzero(days.day_of_week == 0)[0]) + 1
    said = (
        rf"'Aar,Ugenr,Ugedag' of .*, data row {first}: "
        r"column 'Ugedag' numbers the weekdays from 0.*1 Monday … 7 Sunday"
    )
    with pytest.raises(ImportFileError, match=said):
        read_points(path, x_col="lon", y_col="lat", time_col="Aar,Ugenr,Ugedag", crs="EPSG:4326")
    df.assign(Ugedag=days.day_of_week + 1).to_csv(path, index=False)  # the ISO numbering
    pts = read_points(path, x_col="lon", y_col="lat", time_col="Aar,Ugenr,Ugedag", crs="EPSG:4326",
                      period=":")  # fmt: skip
    assert sorted(pts["t"]) == sorted(days)
