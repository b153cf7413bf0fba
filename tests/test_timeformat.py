"""Tests of geo.timeformat: one date format per column, chosen by the column's own values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo.timeformat import MONTH_NAMES, CoarseTimesError, parse_time_column, read_datetimes

# formats written by real open-data portals, and how precise each is
WRITTEN = {
    "%m/%d/%Y %I:%M:%S %p": "s",  # Chicago, Los Angeles
    "%Y-%m-%dT%H:%M:%S": "s",  # ISO (Seattle, Boston)
    "%Y-%m-%d %H:%M": "min",
    "%d/%m/%Y %H:%M": "min",  # UK / European exports
    "%d.%m.%Y": "D",  # Swedish/German exports
    "%m/%d/%Y": "D",  # NYC dates
    "%Y-%m-%d": "D",
    "%Y %b %d %I:%M:%S %p": "s",  # Seattle
    "%d/%m/%Y %I:%M %p": "min",  # Australian Excel saves (pandas guesses nothing from PM)
    "%d/%m/%y %I:%M:%S %p": "s",
    "%d-%m-%Y %H:%M:%S": "s",  # Belgian, Dutch, Danish
    "%d.%m.%Y %H.%M": "min",  # Norwegian, Finnish, Italian clocks with a dot
}

times = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 12, 31))


@settings(max_examples=150, deadline=None)
@given(
    fmt=st.sampled_from(sorted(WRITTEN)),
    when=st.lists(times, min_size=1, max_size=40),
    late_day=st.integers(13, 28),
)
def test_a_written_column_reads_back_as_written(fmt, when, late_day):
    # a column of real data spans more than 12 days of a month: one such day settles
    # whether 05/01 is 5 January or 1 May for every row
    when = [*when, dt.datetime(2020, 3, late_day, 10, 30, 15)]
    written = pd.Series([w.strftime(fmt) for w in when])
    got = parse_time_column(written)
    expected = pd.Series(pd.to_datetime(when)).dt.floor(WRITTEN[fmt])
    assert got.at.tolist() == expected.tolist(), got.format


def test_day_first_and_month_first_columns_are_each_read_consistently():
    # per-value parsing would read 05/01 as May and 13/01 as January in the same column
    uk = parse_time_column(pd.Series(["05/01/2020", "13/01/2020", "28/02/2020"]))
    assert uk.format == "%d/%m/%Y"
    assert [t.month for t in uk.at] == [1, 1, 2]
    us = parse_time_column(pd.Series(["05/01/2020", "01/13/2020", "12/28/2020"]))
    assert us.format == "%m/%d/%Y"
    assert [t.month for t in us.at] == [5, 1, 12]


def test_offsets_are_dropped_and_the_wall_clock_time_kept():
    got = parse_time_column(
        pd.Series(["2025-11-03T21:15:00+01:00", "2025-07-03T21:15:00+02:00", "2019-01-05 10:00Z"])
    )
    assert [t.hour for t in got.at] == [21, 21, 10]
    assert got.at.dt.tz is None
    # a date's "-05" is the day, not an offset
    assert parse_time_column(pd.Series(["2019-01-05"])).at[0] == pd.Timestamp("2019-01-05")


def test_unreadable_values_become_missing_and_the_rest_are_read():
    values = ["2024-03-01", "unknown", None, "", *[f"2024-03-{d:02d}" for d in range(2, 28)]]
    got = parse_time_column(pd.Series(values))
    assert got.at.isna().tolist()[:4] == [False, True, True, True]
    assert got.at.notna().sum() == 27


def test_a_datetime_column_is_kept_as_wall_clock_time():
    aware = pd.Series(pd.to_datetime(["2024-06-01T10:00:00+02:00"]))
    got = parse_time_column(aware)
    assert got.format == "datetime" and got.at[0] == pd.Timestamp("2024-06-01 10:00")


# 10-digit Unix seconds begin on 2001-09-09; 12-13-digit milliseconds in 1973
unix_era = st.datetimes(min_value=dt.datetime(2001, 9, 10), max_value=dt.datetime(2030, 12, 31))


@given(when=st.lists(unix_era, min_size=1, max_size=30), ms=st.booleans())
def test_unix_times_as_arcgis_portals_export_them(when, ms):
    when = [w.replace(microsecond=0) for w in when]
    stamps = pd.Series(pd.to_datetime(when))
    unix = (stamps - pd.Timestamp("1970-01-01")) // pd.Timedelta(1, "ms" if ms else "s")
    got = parse_time_column(unix)  # integers, as a GeoJSON field arrives
    assert got.format == ("unix ms" if ms else "unix s")
    assert got.at.tolist() == stamps.tolist()
    # and as text with a float tail, as a CSV written by pandas has them when a value is missing
    text = pd.Series([f"{v}.0" for v in unix] + [None])
    assert parse_time_column(text).at.tolist()[:-1] == stamps.tolist()


def scientific(number, style):
    """Write a whole number in scientific notation, as spreadsheets and Java save long ones.

    The shortest mantissa that holds every digit (``1.5468768E9``), with ``E9`` or ``E+09``,
    and a decimal point or (a Swedish or German locale) a decimal comma.
    """
    mantissa, exponent = f"{number:.12e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    written = f"{mantissa}E{int(exponent)}" if style != "E+09" else f"{mantissa}E+{exponent[1:]}"
    return written.replace(".", ",") if style == "comma" else written


@settings(max_examples=100, deadline=None)
@given(
    when=st.lists(unix_era.map(lambda w: w.replace(microsecond=0)), min_size=1, max_size=30),
    ms=st.booleans(),
    style=st.sampled_from(["E9", "E+09", "comma"]),
)
@example(when=[dt.datetime(2019, 1, 7, 16)], ms=False, style="E9")  # "1.5468768E9"
@example(when=[dt.datetime(2019, 1, 7, 16)], ms=True, style="E9")  # "1.5468768E12"
def test_unix_times_in_scientific_notation_are_read_like_the_others(when, ms, style):
    # the shortest mantissa cuts a round time's zeros (2001-09-10 00:00 is 1.00008E9): a
    # column's precision is that of its finest value, and real data hold one to the minute
    when = [*when, dt.datetime(2020, 3, 14, 10, 31)]
    stamps = pd.Series(pd.to_datetime(when))
    unix = (stamps - pd.Timestamp("1970-01-01")) // pd.Timedelta(1, "ms" if ms else "s")
    written = pd.Series([scientific(int(v), style) for v in unix])
    got = parse_time_column(written)
    assert got.format.startswith("unix ms (scientific notation, to " if ms else "unix s (")
    assert got.at.tolist() == stamps.tolist()


def test_the_written_example_values_of_scientific_unix_times():
    got = parse_time_column(pd.Series(["1.5468768E9", "1.5468768E12"][:1] * 3))
    assert got.at.iloc[0] == pd.Timestamp("2019-01-07 16:00:00")
    assert got.format == "unix s (scientific notation, to 100 s)"
    got = parse_time_column(pd.Series(["1.5468768E12", "1.546876812345E+12"]))
    assert got.at.tolist() == [pd.Timestamp("2019-01-07 16:00:00"),
                               pd.Timestamp("2019-01-07 16:00:12.345")]  # fmt: skip
    assert got.format == "unix ms (scientific notation, to 0.001 s)"
    # the same plausibility as whole numbers: 11 digits are no Unix time, 8 stay dates
    assert parse_time_column(pd.Series(["1.5468768E10"] * 3)).at.isna().all()
    assert parse_time_column(pd.Series(["2.0190105E7"] * 3)).at.isna().all()


def test_unix_times_a_spreadsheet_cut_to_a_few_digits_are_refused():
    # Excel's General format keeps six digits: 1.54688E+12 is known to 10,000 s, 2.8 hours
    with pytest.raises(CoarseTimesError, match=r"'1.54688E\+12'.*10,000 s \(2.8 h\)") as e:
        parse_time_column(pd.Series(["1.54688E+12", "1.54689E+12"]))
    assert e.value.value == "1.54688E+12"
    # an hour is still read, and said
    got = parse_time_column(pd.Series(["1.5468768E+12", "1.5468732E+12"]))
    assert got.format == "unix ms (scientific notation, to 100 s)"


# Oracle's TO_CHAR defaults (DD-MON-RR HH.MI.SSXFF AM) and a 24-hour variant, as exported
ORACLE = {"%d-%b-%y %I.%M.%S.%f %p": "us", "%d-%b-%Y %H.%M.%S": "s", "%d-%b-%y": "D"}
two_digit_era = st.datetimes(min_value=dt.datetime(1969, 1, 1), max_value=dt.datetime(2068, 12, 31))


@settings(max_examples=100, deadline=None)
@given(fmt=st.sampled_from(sorted(ORACLE)), when=st.lists(two_digit_era, min_size=1, max_size=30))
def test_oracle_timestamps_read_back_as_written(fmt, when):
    written = pd.Series([w.strftime(fmt).upper() for w in when])  # 01-JAN-19 01.27.00.000000 AM
    got = parse_time_column(written)
    assert got.at.tolist() == pd.Series(pd.to_datetime(when)).dt.floor(ORACLE[fmt]).tolist()
    assert got.format.startswith(fmt.split(" ")[0])


@pytest.mark.parametrize(
    ("written", "wall"),
    [
        ("01-JAN-19 01.27.00.000000 AM", "2019-01-01 01:27"),
        ("01-JAN-19 01.27.00.000000 PM", "2019-01-01 13:27"),
        ("01-JAN-19 12.27.00.000000 AM", "2019-01-01 00:27"),
        ("28-FEB-19 11.59.59.250000 PM", "2019-02-28 23:59:59.25"),
        ("01-JAN-2019 13.27.00", "2019-01-01 13:27"),
        ("01-JAN-19", "2019-01-01"),
    ],
)
def test_the_written_oracle_values(written, wall):
    assert parse_time_column(pd.Series([written] * 3)).at.iloc[0] == pd.Timestamp(wall)


@pytest.mark.parametrize(
    ("layouts", "year"),
    [
        (["01/02/19", "02/01/19", "01-JAN-19", "01.02.19", "01-02-19", "01/02/19 13:45"], 2019),
        (["12/31/68", "31/12/68", "31-DEC-68", "31.12.68 23.59", "31-DEC-68 11.59.00.0 PM"], 2068),
        (["01/02/69", "13/01/69", "01-JAN-69", "01.02.69", "01-02-69 01:00:00"], 1969),
    ],
)
def test_a_two_digit_year_has_one_century_in_every_layout(layouts, year):
    # the year is the date's last part whatever the layout, and 69-99 / 00-68 are read alike
    for written in layouts:
        got = parse_time_column(pd.Series([written] * 3))
        assert got.at.iloc[0].year == year, (written, got.format)
        assert "%y" in got.format


@settings(max_examples=100, deadline=None)
@given(
    days=st.lists(st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)), min_size=1, max_size=30),
    layout=st.sampled_from(["%G-W%V", "%GW%V", "%G-W%V-%u", "%GW%V%u"]),
)
@example(days=[dt.date(2019, 1, 15)], layout="%G-W%V")  # 2019-W03
def test_iso_weeks_read_as_their_thursday_or_their_day(days, layout):
    written = pd.Series([d.strftime(layout) for d in days])
    got = parse_time_column(written)
    if "%u" in layout:  # the day is written: that day
        assert got.at.tolist() == [pd.Timestamp(d) for d in days]
        assert got.format == "%G-W%V-%u"
    else:  # the week alone: its Thursday, in its own ISO week and the ISO rule's month
        thursdays = [pd.Timestamp.fromisocalendar(*d.isocalendar()[:2], 4) for d in days]
        assert got.at.tolist() == thursdays
        assert got.format.startswith("%G-W%V (weeks: each read as its Thursday")


def test_the_written_iso_week_values():
    got = parse_time_column(
        pd.Series(["2019-W03", "2019W03", "2019-W03-2", "2020-W53", "2019-W53"])
    )
    want = ["2019-01-17", "2019-01-17", "2019-01-15", "2020-12-31"]
    assert got.at.tolist()[:4] == [pd.Timestamp(t) for t in want]
    assert pd.isna(got.at.iloc[4])  # 2019 has 52 weeks


def test_eight_digit_numbers_are_dates_not_unix_time():
    got = parse_time_column(pd.Series([20190105, 20190131]))
    assert got.format == "%Y%m%d" and got.at[1] == pd.Timestamp("2019-01-31")


zones = st.sampled_from(["Europe/Stockholm", "America/Chicago", "Australia/Adelaide", "UTC"])
offsets = st.integers(-12 * 4, 14 * 4).map(lambda q: dt.timedelta(minutes=15 * q))


@settings(max_examples=150, deadline=None)
@given(
    instants=st.lists(unix_era.map(lambda w: w.replace(microsecond=0)), min_size=1, max_size=20),
    offset=offsets,
    style=st.sampled_from(["+HH:MM", "+HHMM", "Z"]),
    tz=zones,
)
def test_with_a_time_zone_an_offset_time_becomes_that_zones_wall_clock(instants, offset, style, tz):
    offset = dt.timedelta(0) if style == "Z" else offset
    written = []
    for utc in instants:
        local = (utc + offset).strftime("%Y-%m-%dT%H:%M:%S")
        sign, rest = ("-", -offset) if offset < dt.timedelta(0) else ("+", offset)
        hh, mm = divmod(int(rest.total_seconds()) // 60, 60)
        suffix = (
            "Z" if style == "Z" else f"{sign}{hh:02d}{':' if style == '+HH:MM' else ''}{mm:02d}"
        )
        written.append(local + suffix)
    got = parse_time_column(pd.Series(written), tz)
    expected = pd.Series(pd.to_datetime(instants)).dt.tz_localize("UTC").dt.tz_convert(tz)
    assert got.at.tolist() == expected.dt.tz_localize(None).tolist()
    assert got.converted == len(instants)


def test_with_a_time_zone_a_month_end_in_utc_is_the_next_month_in_stockholm():
    values = pd.Series(["2024-01-31T23:30:00Z", "2024-01-31 23:30", "1706743800"])
    got = parse_time_column(values[:2], "Europe/Stockholm")
    assert got.at.tolist() == [pd.Timestamp("2024-02-01 00:30"), pd.Timestamp("2024-01-31 23:30")]
    assert got.converted == 1  # a time without an offset is already local
    unix = parse_time_column(values[2:], "Europe/Stockholm")  # 2024-01-31 23:30 UTC
    assert unix.at.tolist() == [pd.Timestamp("2024-02-01 00:30")] and unix.converted == 1
    aware = pd.Series(pd.to_datetime(["2024-01-31T23:30:00Z"]))
    assert parse_time_column(aware, "Europe/Stockholm").at[0] == pd.Timestamp("2024-02-01 00:30")


# what turns up in real exports beside good values: placeholder years (NYC writes 1010 for
# unknown), offsets in forms pandas reads but a portal rarely writes, text
odd_values = st.one_of(
    st.text(max_size=25),
    st.builds(
        lambda when, tail: when.strftime("%Y-%m-%d %H:%M") + tail,
        times,
        st.sampled_from(["", " -0", " +3", "Z", " -05:00", " UTC", " EST"]),
    ),
    st.sampled_from(["0001-07-01 10:00", "1010-12-31", "2999-01-01", "9999-12-31 23:59"]),
)


@settings(max_examples=200, deadline=None)
@given(
    good=st.lists(times.map(lambda w: w.strftime("%Y-%m-%d %H:%M")), min_size=1, max_size=20),
    odd=st.lists(odd_values, max_size=6),
    tz=st.sampled_from([None, "America/Chicago"]),
)
def test_a_column_with_odd_values_is_read_and_the_good_ones_kept(good, odd, tz):
    # a few odd values must not fail a whole file (pandas refuses a column that mixes
    # offsets, and converting a year 1 to nanoseconds raises)
    got = parse_time_column(pd.Series(good + odd), tz)
    assert got.at.dtype == "datetime64[ns]" and len(got.at) == len(good) + len(odd)
    assert got.at[: len(good)].tolist() == pd.to_datetime(pd.Series(good)).tolist()
    assert got.at.dropna().between(pd.Timestamp("1678-01-01"), pd.Timestamp("2262-01-01")).all()


def test_offsets_pandas_reads_are_returned_beside_the_wall_clock_time():
    wall, offset = read_datetimes(pd.Series(["2012-07-02 10:00", "2012-07-02 10:00 -0", "x"]))
    assert wall.tolist() == [pd.Timestamp("2012-07-02 10:00")] * 2 + [pd.NaT]
    assert offset.isna().tolist() == [True, False, True] and offset[1] == pd.Timedelta(0)
    # with a zone the offset counts: 10:00 UTC is 05:00 in Chicago in July
    got = parse_time_column(pd.Series(["2012-07-02 10:00", "2012-07-02 10:00 -0"]), "US/Central")
    assert got.at.tolist() == [pd.Timestamp("2012-07-02 10:00"), pd.Timestamp("2012-07-02 05:00")]


day_first_or_not = st.sampled_from(
    ["%d/%m/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%d.%m.%y %H:%M", "%d-%m-%Y %H:%M:%S",
     "%d/%m/%Y %I:%M %p"]
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(fmt=day_first_or_not, when=st.lists(times, min_size=1, max_size=40), data=st.data())
def test_midnight_written_as_the_date_alone_is_read_in_the_columns_order(fmt, when, data):
    # Excel saves a time of 00:00 as the date alone; an unknown time is often written so too:
    # those values are dates of the same column, not unreadable and not read the other way
    when = [w.replace(second=0, microsecond=0) for w in when]
    when += [dt.datetime(2020, 3, 13, 10, 30), dt.datetime(2020, 1, 2)]  # day 13; a midnight
    midnight = [data.draw(st.booleans()) for _ in when[:-2]] + [False, True]
    when = [w.replace(hour=0, minute=0) if m else w for w, m in zip(when, midnight, strict=True)]
    date = fmt.split(" ")[0]
    written = [w.strftime(date if m else fmt) for w, m in zip(when, midnight, strict=True)]
    got = parse_time_column(pd.Series(written))
    assert got.at.tolist() == pd.to_datetime(pd.Series(when)).tolist(), got.format


def test_values_no_format_reads_are_read_in_the_order_of_the_rest():
    # 20 % of a day-first column carry seconds (a second system's export): no one format
    # reads 99 %, and reading those values on their own month first put 02/01 in February
    rows = [dt.datetime(2019, m, d, 13, 45) for m in range(1, 11) for d in (2, 5, 11, 20, 27)]
    written = [
        w.strftime("%d/%m/%Y %H:%M:%S" if i % 5 == 0 else "%d/%m/%Y %H:%M")
        for i, w in enumerate(rows)
    ]
    got = parse_time_column(pd.Series(written))
    # the rest (all on the 2nd, so either order reads them) is read in the column's order
    assert got.format == "mixed, mostly %d/%m/%Y %H:%M, then %d/%m/%Y %H:%M:%S"
    assert got.at.tolist() == rows


def test_excel_day_numbers_are_dates():
    got = parse_time_column(pd.Series(["43466", "43466.5", "43830.75"]))
    assert got.format == "excel days"
    expected = ["2019-01-01 00:00", "2019-01-01 12:00", "2019-12-31 18:00"]
    assert got.at.tolist() == pd.to_datetime(expected).tolist()


def test_an_impossible_year_in_a_datetime_field_is_left_unread():
    # a GeoPackage datetime field holding a typed year 1010 (NYPD exports have them)
    typed = pd.Series(np.array(["1010-05-14", "2019-05-14"], dtype="datetime64[ms]"))
    got = parse_time_column(typed)
    assert got.at.isna().tolist() == [True, False] and got.at.dtype == "datetime64[ns]"


def test_values_with_an_offset_are_counted_for_a_hint_to_give_the_zone():
    values = pd.Series(["2024-01-31T23:30:00Z", "2024-01-31 23:30", "2024-02-01T01:00:00+01:00"])
    assert parse_time_column(values).with_offset == 2
    assert parse_time_column(values, "Europe/Stockholm").converted == 2


def test_a_column_of_repeated_values_read_one_by_one_reads_each_distinct_value_once():
    # mixed forms, each value many times (dates without times): read once, the same result
    values = ["2019-01-05", "5 Jan 2019", "January 6, 2019", "", None] * 40
    got = parse_time_column(pd.Series(values))
    assert got.format == "mixed"
    day = [pd.Timestamp("2019-01-05")] * 2 + [pd.Timestamp("2019-01-06")]
    assert got.at.tolist() == [*day, pd.NaT, pd.NaT] * 40


def test_midnight_written_as_24_00_is_the_start_of_the_next_day():
    values = ["31.12.2018 24:00", "01.01.2019 13:45", "15.01.2019 24:00", "28.02.2019 24:00"]
    got = parse_time_column(pd.Series(values))
    assert (
        got.at.tolist()
        == pd.to_datetime(
            ["2019-01-01 00:00", "2019-01-01 13:45", "2019-01-16 00:00", "2019-03-01 00:00"]
        ).tolist()
    )


@settings(max_examples=100, deadline=None)
@given(when=st.lists(times, min_size=1, max_size=30), data=st.data())
def test_month_names_of_european_exports_are_read(when, data):
    # "1. März 2019 13:45", "01 janv. 2019", "3 maj 2019": names (or abbreviations) of the
    # languages the table holds, in any case
    when = [w.replace(second=0, microsecond=0) for w in when]
    written = []
    for w in when:
        name = data.draw(st.sampled_from(MONTH_NAMES[w.month]))
        name = data.draw(st.sampled_from([name, name.capitalize(), name.upper()]))
        written.append(f"{w.day}. {name} {w.year} {w:%H:%M}")
    got = parse_time_column(pd.Series(written))
    assert got.at.tolist() == pd.to_datetime(pd.Series(when)).tolist(), (written, got.format)


@settings(max_examples=100, deadline=None)
@given(
    when=st.lists(times, min_size=1, max_size=30),
    case=st.sampled_from([str.lower, str.upper, str.title]),
    full=st.booleans(),
    layout=st.sampled_from(["{d} {m} {y} {t}", "{d}-{m}-{y}", "{m} {d} {y} {t}"]),
    january=st.booleans(),
)
@example(  # the file that showed it: Swedish police export, "1 jan 2019 01:10"
    when=[dt.datetime(2019, 1, 1, 1, 10), dt.datetime(2019, 1, 4, 10, 25)],
    case=str.lower,
    full=False,
    layout="{d} {m} {y} {t}",
    january=True,
)
@example(
    when=[dt.datetime(2019, 1, 13, 4, 25), dt.datetime(2019, 1, 2, 3, 4)],
    case=str.upper,
    full=False,
    layout="{d} {m} {y} {t}",
    january=True,
)
def test_english_month_names_in_any_case_are_read_as_months(when, case, full, layout, january):
    # "1 jan 2019 01:10" once made pandas guess "%m jan %Y %d:%M" (the hour read as the
    # month), which read the most of a file's January
    when = [w.replace(second=0, microsecond=0, month=1 if january else w.month) for w in when]
    written = [
        layout.format(d=w.day, m=case(f"{w:%B}" if full else f"{w:%b}"), y=w.year, t=f"{w:%H:%M}")
        for w in when
    ]
    got = parse_time_column(pd.Series(written))
    want = [w if "{t}" in layout else w.replace(hour=0, minute=0) for w in when]
    assert got.at.tolist() == pd.to_datetime(pd.Series(want)).tolist(), (written, got.format)


KINDS = [
    "2019-03-31 02:30+01:00",
    "2019-06-01T10:00:00Z",
    "31.12.2018 24:00",
    "2019-01-05 08:00",
    "2019-01-05",
    "",
    "not a date",
    "1010-01-01",
]


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.sampled_from(KINDS), min_size=1, max_size=12),
    st.sampled_from([None, "Europe/Stockholm"]),
)
def test_a_long_column_of_repeated_values_reads_as_its_values_do_one_by_one(values, tz):
    # 25,000 rows of a few distinct values take the path that reads each distinct value once
    long = pd.Series(values * (25_000 // len(values) + 1)).iloc[:25_000]
    got = parse_time_column(long, tz)
    short = parse_time_column(long.iloc[: len(values)], tz)  # below the threshold: row by row
    each = dict(zip(long.iloc[: len(values)], short.at, strict=True))
    assert got.at.equals(long.map(each).astype("datetime64[ns]"))
    assert got.format == short.format
    per_copy = long.value_counts().reindex(pd.unique(long.iloc[: len(values)]))
    offsets = [v for v in per_copy.index if v.endswith(("+01:00", "Z"))]
    assert got.with_offset == int(per_copy[offsets].sum())  # counted per row, not per value
    assert got.converted == (int(per_copy[offsets].sum()) if tz else 0)


@settings(max_examples=50, deadline=None)
@given(
    when=st.lists(times, min_size=1, max_size=20),
    word=st.sampled_from(["kl.", "kl", "KL.", "um", "om", "à"]),
    layout=st.sampled_from(["{d} {m} {y} {w} {t}", "{y}-{n:02d}-{d:02d} {w}{t}"]),
)
def test_a_word_for_at_between_date_and_time_is_read_past(when, word, layout):
    # Swedish exports write "1 jan 2019 kl. 01:10"; German "um", Dutch "om", French "à"
    when = [w.replace(second=0, microsecond=0) for w in when]
    written = [
        layout.format(d=w.day, m=f"{w:%b}".lower(), n=w.month, y=w.year, w=word, t=f"{w:%H:%M}")
        for w in when
    ]
    got = parse_time_column(pd.Series(written))
    assert got.at.tolist() == pd.to_datetime(pd.Series(when)).tolist(), (written, got.format)


def test_dates_typed_beside_spreadsheet_date_cells_are_read_in_their_own_order():
    # a hand-kept workbook: most cells real dates (read as ISO text), some typed 15/01/2019
    cells = [dt.datetime(2019, m, d) for m in range(1, 13) for d in (3, 9, 14, 25)]
    written = [f"{w:%Y-%m-%d %H:%M:%S}" if i % 3 else f"{w:%d/%m/%Y}" for i, w in enumerate(cells)]
    got = parse_time_column(pd.Series(written))
    assert got.at.tolist() == cells
    assert got.format == "mixed, mostly ISO8601, then %d/%m/%Y"


@pytest.mark.parametrize("tz", [None, "America/Phoenix", "Europe/Stockholm"])
@pytest.mark.parametrize("style", ["offset", "unix ms"])
def test_dates_written_as_midnight_utc_stay_their_day_whatever_the_zone(tz, style):
    # ArcGIS stores a date field as midnight UTC; read in Phoenix it would be the evening
    # before, and every month would lose its first day to the month before
    days = pd.date_range("2019-01-01", periods=12, freq="MS").append(
        pd.DatetimeIndex(["2019-03-31"])
    )
    written = (
        [f"{d:%Y/%m/%d} 00:00:00+00" for d in days]
        if style == "offset"
        else [str(int(d.timestamp() * 1000)) for d in days]
    )
    got = parse_time_column(pd.Series(written), tz)
    assert got.at.tolist() == days.tolist()
    assert got.converted == 0 and got.with_offset == 0  # nothing to move: no --tz hint
    assert got.format.endswith("(every time 00:00 UTC: read as dates)")
    # one time that is not midnight makes them instants, moved to the zone as before
    instants = parse_time_column(pd.Series([*written, "2019/04/01 05:00:00+00"]), tz)
    if tz == "America/Phoenix" and style == "offset":
        assert instants.at.iloc[0] == pd.Timestamp("2018-12-31 17:00")


@pytest.mark.parametrize(
    ("written", "wall"),
    [
        ("2019-03-10 01:30:00 EST", "2019-03-10 01:30"),
        ("2019-03-10 03:30:00 cdt", "2019-03-10 03:30"),
        ("15.01.2019 klo 22.30", "2019-01-15 22:30"),
        ("1547589000.5", "2019-01-15 21:50:00.5"),
    ],
)
def test_zone_names_dot_clocks_and_fractional_unix_seconds_are_read(written, wall):
    got = parse_time_column(pd.Series([written] * 3))
    assert got.at.iloc[0] == pd.Timestamp(wall)


def test_a_zone_name_is_an_offset_a_time_zone_moves():
    got = parse_time_column(pd.Series(["2019-07-01 22:30:00 EDT"] * 3), "Europe/Stockholm")
    assert got.at.iloc[0] == pd.Timestamp("2019-07-02 04:30")
    assert got.converted == 3


@pytest.mark.parametrize("sep", ["/", "-"])
def test_a_monthly_file_written_day_first_keeps_its_months(sep):
    # every date the 1st of its month, written DD/MM/YYYY: both orders read every value, and
    # month-first put every event in January (01/03/2019 as 3 January)
    written = [f"01{sep}{m:02d}{sep}{y}" for y in (2019, 2020) for m in range(1, 13)]
    got = parse_time_column(pd.Series(written))
    assert got.format == f"%d{sep}%m{sep}%Y"
    assert got.at.dt.month.tolist() == list(range(1, 13)) * 2
    assert (got.at.dt.day == 1).all()


@pytest.mark.parametrize("sep", ["-", "/", "."])
def test_iso_dates_of_the_first_days_of_a_month_stay_year_month_day(sep):
    # hypothesis found 2019-01-01, 2019-01-02, 2019-01-03 read as 1 January, 1 February and
    # 1 March: the monthly-file rule swapped the day and month of a year-first format too
    written = [f"2019{sep}01{sep}01"] * 3 + [f"2019{sep}01{sep}02", f"2019{sep}01{sep}03"]
    got = parse_time_column(pd.Series(written))
    assert got.at.dt.strftime("%Y-%m-%d").tolist() == [w.replace(sep, "-") for w in written]


def test_new_year_incidents_with_clock_times_are_not_taken_for_a_monthly_file():
    # review: read month-first they fall on the 1st of January, February, March and May
    written = ["01-01-2025 23:10", "02-01-2025 01:20", "03-01-2025 14:30", "05-01-2025 02:00"]
    got = parse_time_column(pd.Series(written))
    assert got.at.dt.strftime("%Y-%m-%d").tolist() == [
        "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-05"
    ]  # fmt: skip


def test_a_monthly_file_written_month_first_keeps_its_months():
    # US slashes: 03/01/2019 is 1 March, the reading that puts every event on the 1st
    written = [f"{m:02d}/01/2019" for m in range(1, 13)]
    got = parse_time_column(pd.Series(written))
    assert got.format == "%m/%d/%Y"
    assert got.at.dt.month.tolist() == list(range(1, 13))


def test_a_tie_between_day_and_month_goes_day_first_with_dashes_month_first_with_slashes():
    # as documented: pandas' own guess (month-first) no longer wins the tie for dashes
    dashes = parse_time_column(pd.Series(["05-01-2019 10:00", "06-02-2019 11:30"]))
    assert dashes.at.tolist() == pd.to_datetime(["2019-01-05 10:00", "2019-02-06 11:30"]).tolist()
    slashes = parse_time_column(pd.Series(["05/01/2019 10:00", "06/02/2019 11:30"]))
    assert slashes.at.tolist() == pd.to_datetime(["2019-05-01 10:00", "2019-06-02 11:30"]).tolist()
