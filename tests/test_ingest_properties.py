"""Property tests: any generated file is fully accounted for; only GeoErrors escape."""

import csv
import io
import itertools
import re

import pandas as pd
from _foundation import LANNA
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from geo import ingest
from geo.errors import GeoError

NOW = pd.Timestamp("2026-11-26 12:00", tz="Europe/Stockholm")
_counter = itertools.count()

lon0, lat0 = LANNA
junk = st.one_of(
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "2026-02-30", "NaN", "-", "59,2.3"]),
)
times = st.datetimes(
    min_value=pd.Timestamp("2015-01-01").to_pydatetime(),
    max_value=pd.Timestamp("2027-06-01").to_pydatetime(),
).map(str)
lats = st.floats(min_value=lat0 - 0.05, max_value=lat0 + 0.03).map(lambda v: f"{v:.5f}")
lons = st.floats(min_value=lon0 - 0.1, max_value=lon0 + 0.02).map(
    lambda v: f"{v:.5f}".replace(".", ",")
)
by_column = {
    "datum": times,
    "tidpunkt": times,
    "tid": st.sampled_from(["18:30", "02:30", "25:99", ""]),
    "lat": lats,
    "lon": lons,
    "latitud": lats,
    "longitud": lons,
    "E": st.floats(min_value=4.85e5, max_value=4.97e5).map(str),
    "N": st.floats(min_value=6.555e6, max_value=6.568e6).map(str),
    "plats": st.sampled_from(["Lanna gruva", "Fjugesta", "LEKHYTTAN", "Vretstorp", "", "Okändby"]),
    "kategori": st.sampled_from(["nedskräpning", "EPA", "Rattfylleri", "", "något annat"]),
    "beskrivning": st.text(max_size=30),
    "källa": st.sampled_from(["polis", "kommun", "x"]),
    "id": st.text(max_size=4),
    "foo": st.text(max_size=5),
}
WHEN = [["datum"], ["datum", "tid"], ["tidpunkt"], []]
WHERE = [["lat", "lon"], ["latitud", "longitud"], ["E", "N"], ["plats"], []]
EXTRA = ["kategori", "beskrivning", "källa", "id", "foo"]


@st.composite
def csv_files(draw):
    header = draw(st.sampled_from(WHEN)) + draw(st.sampled_from(WHERE))
    header += draw(st.lists(st.sampled_from(EXTRA), max_size=3, unique=True))
    header = draw(st.permutations(header)) if header else ["foo"]
    cell = {
        h: st.one_of(by_column[h], junk) if draw(st.booleans()) else by_column[h] for h in header
    }
    rows = draw(st.lists(st.tuples(*(cell[h] for h in header)).map(list), max_size=8))
    if rows and draw(st.booleans()):
        rows[0] = [*rows[0], "extra"]  # a ragged record
    delimiter = draw(st.sampled_from([",", ";"]))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return buf.getvalue().encode(encoding, errors="replace")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=csv_files())
# found by this test: a time "-0" beside a full datetime read as an offset, and pandas
# refused the column's mix of offsets
@example(
    data=(
        "datum,lat,lon,tid,kategori,beskrivning,källa\r\n"
        '2015-01-01 00:00:00,59.25000,"14,87500",18:30,nedskräpning,,polis\r\n'
        '2015-01-01 00:00:00,59.25000,"14,87500",-0,nedskräpning,,polis\r\n'
    ).encode()
)
# and a northing of 1e154 overflowed the distance an outside_kommun detail gives
@example(
    data=(
        b"E,N,datum\r\n485000.0,6555000.0,2015-01-01 00:00:00\r\n"
        b"485000.0,1.3407807929942597e+154,2015-01-01 00:00:00\r\n"
    )
)
# and coordinates near the float maximum overflowed the median a CRS is guessed from
@example(
    data=(
        b"x,y,datum\r\n9e307,9e307,2015-01-01 00:00:00\r\n9.5e307,9.5e307,2015-01-01 00:00:00\r\n"
    )
)
def test_any_csv_is_fully_accounted_for(tmp_path, data):
    path = tmp_path / f"gen{next(_counter)}.csv"
    path.write_bytes(data)
    try:
        result = ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)
    except GeoError:
        event("whole-file error")
        return  # a whole-file problem, reported as one clear error
    event(f"imported, stored {'some' if result.stored else 'none'}")
    # one store for every example: a bad row an earlier example quarantined is a repeat
    assert result.read == result.stored + result.quarantined + result.duplicates + result.repeats
    assert sum(result.reasons.values()) == result.quarantined


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=40))
def test_category_guess_never_fails(text):
    from geo.model import CATEGORIES, category_from_text

    assert category_from_text(text) in (None, *CATEGORIES)


def _is_number(text: str) -> bool:
    try:
        float(re.sub(r"\s", "", text.replace(",", ".")))
    except ValueError:
        return False
    return True


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.text(
        # a file holds encodable characters only (no lone surrogates)
        alphabet=st.characters(blacklist_characters='",;\r\n', blacklist_categories=("Cs",)),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(lambda v: v != "" and not _is_number(v))
)
def test_text_in_a_coordinate_column_is_bad_coordinates_naming_it(tmp_path, value):
    n = next(_counter)
    path = tmp_path / f"coord{n}.csv"
    path.write_text(f"datum,lat,lon\n2026-07-04 18:30,{value},{lon0}\n", encoding="utf-8")
    result = ingest.import_file(path, store_path=tmp_path / f"coord{n}.gpkg", now=NOW)
    assert result.reasons == {"bad_coordinates": 1}
    (row,) = result.examples
    assert row.line == 2 and row.detail.startswith(f"column 'lat' holds {value!r}")


#: A date as Swedish systems and people write it: year first (ISO, slashes, dots, compact)
#: and day first (dots, slashes).
_DATE_FORMS = (
    lambda d: f"{d:%Y-%m-%d}",
    lambda d: f"{d:%Y/%m/%d}",
    lambda d: f"{d:%Y.%m.%d}",
    lambda d: f"{d:%Y%m%d}",
    lambda d: f"{d:%y%m%d}",  # ÅÅMMDD
    lambda d: f"{d:%d.%m.%Y}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
)
#: A clock after the date: with a colon or dots, with or without "kl.", or digits alone
_CLOCK_FORMS = (
    lambda t: f" {t:%H:%M}",
    lambda t: f" {t:%H.%M}",
    lambda t: f" kl. {t:%H:%M}",
    lambda t: f" kl {t:%H.%M}",
    lambda t: f" {t:%H%M}",
)
#: An hour alone after the date ("kl 7", "18"): known to the hour
_HOUR_FORMS = (
    lambda t: f" kl {t.hour}",
    lambda t: f" {t:%H}",
)


@settings(max_examples=80, deadline=None)
@given(
    day=st.dates(
        min_value=pd.Timestamp("2015-01-01").date(), max_value=pd.Timestamp("2027-06-01").date()
    ),
    clock=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    date_form=st.sampled_from(_DATE_FORMS),
    clock_form=st.sampled_from((None, *_CLOCK_FORMS, *_HOUR_FORMS)),
)
# found by this test: a year-first date with slashes or compact was read day first (5 March),
# and a date with dots alone had a clock time ("exact" at midnight)
@example(
    day=pd.Timestamp("2026-05-03").date(),
    clock=pd.Timestamp("18:30").time(),
    date_form=_DATE_FORMS[1],
    clock_form=None,
)
@example(
    day=pd.Timestamp("2026-05-03").date(),
    clock=pd.Timestamp("18:30").time(),
    date_form=_DATE_FORMS[5],
    clock_form=None,
)
# and ÅÅMMDD was read day first: 260503 as 26 May 2003, stored without a word
@example(
    day=pd.Timestamp("2026-05-03").date(),
    clock=pd.Timestamp("18:30").time(),
    date_form=_DATE_FORMS[4],
    clock_form=None,
)
# and an hour alone: "kl 7" was no time at all, "18" and "1830" a date alone (precision day)
@example(
    day=pd.Timestamp("2026-05-03").date(),
    clock=pd.Timestamp("07:00").time(),
    date_form=_DATE_FORMS[6],
    clock_form=_HOUR_FORMS[0],
)
@example(
    day=pd.Timestamp("2026-05-03").date(),
    clock=pd.Timestamp("18:30").time(),
    date_form=_DATE_FORMS[0],
    clock_form=_CLOCK_FORMS[4],
)
def test_swedish_date_forms_read_the_same_day_and_clock(day, clock, date_form, clock_form):
    from geo.ingest._times import parse_times

    text = date_form(day) + (clock_form(clock) if clock_form else "")
    parsed = parse_times(pd.Series([text]))
    at = parsed.at.iloc[0]
    assert pd.notna(at), text
    assert at.date() == day, text
    if clock_form is None:
        assert (at.hour, at.minute, parsed.precision.iloc[0]) == (0, 0, "day"), text
    else:
        hour_only = clock_form in _HOUR_FORMS
        assert parsed.precision.iloc[0] == ("hour" if hour_only else "exact"), text
        if parsed.flag.iloc[0] is None:  # a clock in a DST gap is moved forward, and flagged
            minute = 0 if hour_only else clock.minute
            assert (at.hour, at.minute) == (clock.hour, minute), text
