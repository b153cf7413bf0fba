"""Files as real tools write them: encodings, line ends, quoting, stray columns (geo import)."""

import datetime
import itertools
import json

import pandas as pd
import pytest
from _foundation import LANNA, project
from _ods import write_ods
from _xls import write_xls
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo import ingest, store
from geo.errors import ImportFileError
from geo.ingest._columns import ALIASES, resolve_columns
from geo.ingest.readers import read_file

NOW = pd.Timestamp("2026-11-26 12:00", tz="Europe/Stockholm")
_counter = itertools.count()
LON, LAT = LANNA


#: Characters of Swedish free text that a CSV must quote or that an encoding must carry.
_TEXT = st.text(alphabet="abåäöÅÄÖé -.,;\t\"'\r\n0123456789", max_size=12)
#: What Excel, LibreOffice and older Mac programs write: encoding and line end.
_SAVED_AS = [
    ("utf-8", "\r\n"),
    ("utf-8-sig", "\r\n"),  # Excel "CSV UTF-8"
    ("cp1252", "\r\n"),  # Excel "CSV (semicolon)" on a Swedish Windows
    ("utf-16", "\r\n"),  # Excel "Unicode text": UTF-16 with BOM, tab-separated
    ("utf-8", "\n"),
    ("cp1252", "\r"),  # Excel "CSV (Macintosh)": lone CR
]


@st.composite
def saved_tables(draw):
    rows = draw(
        st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=6).map(
            lambda rs: [[f"2026-07-0{i % 9 + 1} 18:30", *r] for i, r in enumerate(rs)]
        )
    )
    encoding, newline = draw(st.sampled_from(_SAVED_AS))
    delimiter = "\t" if encoding == "utf-16" else draw(st.sampled_from([";", ","]))
    # cells once used right of the table: Excel writes their delimiters in the header and in
    # some rows only (none, or more than the header has)
    unused = draw(st.integers(0, 2))
    header = ["Datum", "Plats", "Beskrivning", *[""] * unused]
    written = [r + [""] * draw(st.integers(0, unused + 1)) for r in rows]
    text = _excel_csv([header, *written], delimiter, newline)
    # a line break in a text reads as "\n", as a workbook's cell holds it, whatever the file's
    return [[_lf(c) for c in r] + [""] * unused for r in rows], text.encode(encoding)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _excel_csv(rows: list[list[str]], delimiter: str, newline: str) -> str:
    """Return rows as Excel writes them: a cell quoted when it holds a delimiter, quote or break."""

    def cell(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\r", "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(map(cell, row)) + newline for row in rows)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=saved_tables())
# found by this test: Excel's "Unicode text" (UTF-16) was decoded as cp1252 and refused as
# "not a readable CSV table", and so was a file with lone CR line ends
@example(
    table=(
        [["2026-07-01 18:30", "Tångeråsa", "Klotter"]],
        "Datum\tPlats\tBeskrivning\r\n2026-07-01 18:30\tTångeråsa\tKlotter\r\n".encode("utf-16"),
    )
)
@example(
    table=(
        [["2026-07-01 18:30", "Tångeråsa", "Klotter"]],
        "Datum;Plats;Beskrivning\r2026-07-01 18:30;Tångeråsa;Klotter\r".encode("cp1252"),
    )
)
# and a row with fewer or more trailing delimiters than the header was malformed, and a
# file whose every row had them refused as a whole
@example(
    table=(
        [["2026-07-01 18:30", "Tångeråsa", "Klotter", ""]],
        b"Datum;Plats;Beskrivning;\r\n2026-07-01 18:30;T\xe5nger\xe5sa;Klotter\r\n",
    )
)
@example(
    table=(
        [["2026-07-01 18:30", "Tångeråsa", "Klotter"]],
        b"Datum;Plats;Beskrivning\r\n2026-07-01 18:30;T\xe5nger\xe5sa;Klotter;;\r\n",
    )
)
# and cells full of commas in a file of few rows made the sniffer take the comma: the header
# "Datum;Plats;Beskrivning" was one column, the whole file refused
@example(
    table=(
        [["2026-07-01 18:30", ",,", ",,"], ["2026-07-02 18:30", ",,", ",,"]],
        b"Datum;Plats;Beskrivning\r\n2026-07-01 18:30;,,;,,\r\n2026-07-02 18:30;,,;,,;\r\n",
    )
)
def test_a_table_saved_by_any_tool_reads_as_its_cells(tmp_path, table):
    rows, data = table
    path = tmp_path / f"saved{next(_counter)}.csv"
    path.write_bytes(data)
    read = read_file(path)
    assert read.malformed.empty
    assert read.rows.columns.tolist()[:3] == ["Datum", "Plats", "Beskrivning"]
    assert read.rows.to_numpy().tolist() == rows


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n=st.integers(min_value=2, max_value=6),
    which=st.integers(min_value=0),
    quoted_after=st.booleans(),
    delimiter=st.sampled_from([";", ",", "\t"]),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
)
# found by this test: the rows after a quote not closed were read as its text, one incident
# with the next rows as its description, and not counted
@example(n=3, which=0, quoted_after=False, delimiter=";", newline="\r\n")
def test_a_quote_not_closed_costs_its_own_line_only(
    tmp_path, n, which, quoted_after, delimiter, newline
):
    which %= n - 1  # a row with rows after it
    lines = [delimiter.join(["Datum", "Plats", "Beskrivning"])]
    for i in range(n):
        text = f'"text {i}"' if quoted_after and i > which else f"text {i}"
        # as a person types a quote in a text editor: one, not closed
        lines.append(delimiter.join([f"2026-07-0{i + 1} 18:30", f"rad {i}", text]))
    lines[which + 1] = lines[which + 1].replace(f"text {which}", '"Tångeråsa kyrka')
    path = tmp_path / f"quote{next(_counter)}.csv"
    path.write_text(newline.join(lines) + newline, encoding="utf-8")
    read = read_file(path)
    assert read.n_read == n
    (bad,) = read.malformed.to_dict("records")
    assert bad["line"] == which + 2 and bad["reason"] == "malformed_row"
    assert bad["detail"].startswith("a quote opened in column 'Beskrivning' is not closed")
    assert "Tångeråsa kyrka" in bad["raw"]
    others = [i for i in range(n) if i != which]
    assert read.rows["Beskrivning"].tolist() == [f"text {i}" for i in others]
    assert read.lines.tolist() == [i + 2 for i in others]


def test_a_line_too_long_to_split_is_quarantined_and_the_rest_read(tmp_path):
    # a whole document pasted into one cell, past the csv module's field limit: the file was
    # refused as a whole ("field larger than field limit"), without naming the line
    rows = [f"2026-07-0{i};{LAT};{LON};text {i}" for i in (1, 2, 3)]
    rows[1] = rows[1].replace("text 2", "x" * 200_000)
    path = tmp_path / "long.csv"
    path.write_text("Datum;Latitud;Longitud;Beskrivning\n" + "\n".join(rows) + "\n")
    result = ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)
    assert (result.read, result.stored, result.quarantined) == (3, 2, 1)
    (bad,) = result.examples
    assert bad.line == 3 and bad.reason == "malformed_row"
    assert bad.detail.startswith("the line cannot be split into fields (field larger than")
    assert "shorten the text" in bad.detail
    kept = store.read_incidents(tmp_path / "s.gpkg")["description"]
    assert sorted(kept) == ["text 1", "text 3"]


def _workbook(path, sheets):
    """Write ``{sheet: rows}`` as the workbook its suffix names, as Excel or LibreOffice do."""
    if path.suffix == ".xls":
        write_xls(path, sheets)
    elif path.suffix == ".ods":
        write_ods(path, sheets)
    else:
        with pd.ExcelWriter(path) as writer:
            for name, rows in sheets.items():
                pd.DataFrame(rows).to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def _month(days):
    """A month's sheet: a header and one row per day of July 2026 at Lanna."""
    head = ["Datum", "Kategori", "Latitud", "Longitud"]
    return [head, *([datetime.datetime(2026, 7, d, 18, 30), "Klotter", LAT, LON] for d in days)]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_workbook_of_several_sheets_reads_the_one_with_a_table_or_the_one_named(tmp_path, suffix):
    # a cover sheet first was read instead of the data (refused as "no usable columns"), and
    # of one sheet per month only the first was read, the others neither stored nor counted;
    # an .ods was "unknown file type"
    cover = [["Trygghetsrapport juli"], ["Se flikarna"]]
    book = _workbook(tmp_path / f"rapport{suffix}", {"Info": cover, "Data": _month([1, 2])})
    result = ingest.import_file(book, store_path=tmp_path / "s.gpkg", now=NOW)
    assert (result.read, result.stored) == (2, 2)

    months = {"Info": cover, "Juli v27": _month([3, 4]), "Juli v28": _month([10])}
    book = _workbook(tmp_path / f"veckor{suffix}", months)
    with pytest.raises(ImportFileError) as refused:
        ingest.import_file(book, store_path=tmp_path / "s.gpkg", now=NOW)
    said = str(refused.value)
    assert said.startswith(f"{book}: 3 sheets: 'Info' (0 rows), 'Juli v27' (2 rows), 'Juli v28'")
    assert "--layer 'Juli v27'" in said
    week = ingest.import_file(book, store_path=tmp_path / "s.gpkg", now=NOW, layer="Juli v28")
    assert (week.read, week.stored) == (1, 1)
    other = ingest.import_file(book, store_path=tmp_path / "s.gpkg", now=NOW, layer="Juli v27")
    assert (other.read, other.stored, other.already_imported) == (2, 2, False)
    again = ingest.import_file(book, store_path=tmp_path / "s.gpkg", now=NOW, layer="Juli v27")
    assert again.already_imported and again.stored == 0
    with pytest.raises(ImportFileError, match="no sheet 'Aug'; its sheets are 'Info', 'Juli"):
        ingest.import_file(book, store_path=tmp_path / "s.gpkg", now=NOW, layer="Aug")
    days = store.read_incidents(tmp_path / "s.gpkg")["occurred_at"].dt.day
    assert sorted(days) == [1, 2, 3, 4, 10]


_DAYS = st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2026, 11, 1)).filter(
    lambda d: d.day != d.month
)


@settings(max_examples=80, deadline=None)
@given(
    days=st.lists(_DAYS, min_size=1, max_size=8),
    telling=_DAYS.filter(lambda d: d.day > 12),
    where=st.integers(min_value=0),
    month_first=st.booleans(),
    padded=st.booleans(),
)
# found by this test: a file of dates written month first, as an Excel set to English (United
# States) writes them, had 11/05/2026 read as 11 May (5 November meant) without a word;
# only the dates past the 12th, which day first cannot read, came out right
@example(
    days=[datetime.date(2026, 11, 5)],
    telling=datetime.date(2026, 11, 25),
    where=0,
    month_first=True,
    padded=True,
)
def test_dates_of_numbers_are_read_in_the_order_the_file_writes_them(
    days, telling, where, month_first, padded
):
    from geo.ingest._times import parse_times

    days.insert(where % (len(days) + 1), telling)  # one date only one order reads

    def written(d):
        first, second = (d.month, d.day) if month_first else (d.day, d.month)
        return f"{first:02d}/{second:02d}/{d.year}" if padded else f"{first}/{second}/{d.year}"

    parsed = parse_times(pd.Series([f"{written(d)} 18:30" for d in days]))
    assert [t.date() for t in parsed.at] == days
    assert parsed.order.month_first == month_first


def test_dates_month_first_or_of_both_orders_are_warned_naming_the_lines(tmp_path, caplog):
    us = tmp_path / "us.csv"
    rows = ["11/05/2026 18:30", "11/25/2026 18:30"]
    us.write_text("Datum;Latitud;Longitud\n" + "".join(f"{r};{LAT};{LON}\n" for r in rows))
    ingest.import_file(us, store_path=tmp_path / "s.gpkg", now=NOW)
    days = sorted(store.read_incidents(tmp_path / "s.gpkg")["occurred_at"].dt.day)
    assert days == [5, 25]
    assert f"{us}: dates read month first" in caplog.text
    assert "line 3 has '11/25/2026 18:30', which only month first reads" in caplog.text
    caplog.clear()
    mixed = tmp_path / "mixed.csv"
    rows = ["25/11/2026", "04/11/2026", "11/26/2026", "11/03/2026"]
    mixed.write_text("Datum;Latitud;Longitud\n" + "".join(f"{r};{LAT};{LON}\n" for r in rows))
    ingest.import_file(mixed, store_path=tmp_path / "s.gpkg", now=NOW)
    assert (
        f"{mixed}: dates written both day first (line 2: '25/11/2026') and month first"
        " (line 4: '11/26/2026'); the dates on lines 3, 5 read either way and were read day"
        " first"
    ) in caplog.text
    ingest.import_file(us, store_path=tmp_path / "s.gpkg", now=NOW)
    assert caplog.text.count("dates read month first") == 0  # a file imported before: quiet


#: A CRS or unit written beside a coordinate column's name, as GIS and registry exports do.
_QUALIFIED = (
    "{} (WGS84)",
    "{} (WGS 84)",
    "{}_wgs84",
    "WGS84 {}",
    "{} (SWEREF 99 TM)",
    "{} SWEREF99TM",
    "{}_sweref99",
    "{} (RT 90)",
    "{} (EPSG:3006)",
    "{} [m]",
    "{} (m)",
    "{} (grader)",
)
_COORDINATE_FIELDS = ("lat", "lon", "x", "y")


@settings(max_examples=80, deadline=None)
@given(
    field_alias=st.sampled_from([(f, a) for f in _COORDINATE_FIELDS for a in ALIASES[f]]),
    form=st.sampled_from(_QUALIFIED),
    upper=st.booleans(),
)
# found by this test: a coordinate column named with its CRS or unit ("Latitud (WGS84)",
# "N (SWEREF 99 TM)", "Northing (m)") was no coordinate column, and the rows were located by
# their place name instead (kilometres off), without a word
@example(field_alias=("y", "n"), form="{} (SWEREF 99 TM)", upper=True)
def test_a_coordinate_column_named_with_its_crs_or_unit_is_read(field_alias, form, upper):
    field, alias = field_alias
    name = form.format(alias.upper() if upper else alias.capitalize())
    assert resolve_columns([name]) == {field: name}


@pytest.mark.parametrize(
    ("north", "east", "values"),
    [
        ("Latitud (WGS84)", "Longitud (WGS84)", (LAT, LON)),
        ("N (SWEREF 99 TM)", "E (SWEREF 99 TM)", project((LON, LAT), 3006)[::-1]),
        ("Northing (m)", "Easting (m)", project((LON, LAT), 3006)[::-1]),
    ],
)
def test_coordinates_under_a_crs_named_header_locate_the_row_not_its_place(
    tmp_path, north, east, values
):
    path = tmp_path / "p.csv"
    n, e = (str(v).replace(".", ",") for v in values)
    path.write_text(f"Datum;Plats;{north};{east}\n2026-07-04 18:30;Fjugesta;{n};{e}\n")
    result = ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)
    assert result.stored == 1
    (row,) = store.read_incidents(tmp_path / "s.gpkg").itertuples()
    x, y = project((LON, LAT), 3006)
    assert row.location_flag is None  # not "geocoded_place": Fjugesta lies 8 km away
    assert abs(row.geometry.x - x) < 1 and abs(row.geometry.y - y) < 1


def test_an_event_in_a_file_saved_again_with_other_line_ends_is_stored_once(tmp_path):
    # a description over two lines kept the file's line ends: the same report saved with LF
    # (a Mac, a text editor) after CRLF (Excel) was a new description, its event stored twice
    rows = [["2026-07-04 18:30", f"{LAT}", f"{LON}", "Bråk vid kiosken\r\nPolis tillkallad"]]
    header = ["Datum", "Latitud", "Longitud", "Beskrivning"]
    crlf = tmp_path / "crlf.csv"
    crlf.write_text(_excel_csv([header, *rows], ";", "\r\n"), newline="")
    lf = tmp_path / "lf.csv"
    lf.write_text(_excel_csv([header, *[[_lf(c) for c in r] for r in rows]], ";", "\n"))
    first = ingest.import_file(crlf, store_path=tmp_path / "s.gpkg", now=NOW)
    again = ingest.import_file(lf, store_path=tmp_path / "s.gpkg", now=NOW)
    assert (first.stored, again.stored, again.duplicates) == (1, 0, 1)
    (text,) = store.read_incidents(tmp_path / "s.gpkg")["description"]
    assert text == "Bråk vid kiosken\nPolis tillkallad"


@settings(max_examples=60, deadline=None)
@given(
    value=st.integers(min_value=6_540_000, max_value=6_580_000),
    space=st.sampled_from([" ", "\u00a0", "\u202f", "\u2009"]),
    decimals=st.sampled_from(["", ",5", ".25"]),
)
# found by this test: a SWEREF 99 TM northing grouped with a narrow no-break space (U+202F, as
# copied from a web map or a PDF) or a thin space was "not a number" (bad_coordinates)
@example(value=6_567_324, space="\u202f", decimals="")
def test_a_coordinate_grouped_by_any_space_reads_as_its_number(value, space, decimals):
    from geo.ingest._coords import to_number

    grouped = f"{value:,}".replace(",", space) + decimals
    expected = value + (float(decimals.replace(",", ".")) if decimals else 0.0)
    assert to_number(pd.Series([grouped])).tolist() == [expected]


def test_a_date_merged_over_rows_of_a_workbook_is_each_rows_date(tmp_path):
    # a date cell merged down over the day's rows, as kommun staff lay out a log: the rows
    # under the first were quarantined as "'Datum' is empty", though the sheet shows the date
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Händelser juli"])
    sheet.merge_cells("A1:D1")  # a title over the columns: no row, as before
    sheet.append(["Datum", "Kategori", "Latitud", "Longitud", "Beskrivning"])
    sheet.append([datetime.datetime(2026, 7, 4, 18, 30), "Klotter", LAT, LON, "Tunneln"])
    sheet.append([None, "Nedskräpning", LAT, LON, "Vid bänken"])
    sheet.append([None, "Skadegörelse", LAT, LON, "Krossad ruta"])
    sheet.merge_cells("A3:A5")
    sheet.append([datetime.datetime(2026, 7, 5, 9, 0), "Klotter", LAT, LON, "Skylten"])
    sheet.append([None, "Klotter", LAT, LON, "Bron"])  # an empty date under no merge: empty
    path = tmp_path / "logg.xlsx"
    book.save(path)
    result = ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)
    assert (result.read, result.stored, result.quarantined) == (5, 4, 1)
    stored = store.read_incidents(tmp_path / "s.gpkg").sort_values("occurred_at")
    assert stored["occurred_at"].dt.day.tolist() == [4, 4, 4, 5]
    assert sorted(stored["category"][:3]) == ["nedskrapning", "skadegorelse", "skadegorelse"]
    (empty,) = result.examples
    assert empty.line == 7 and empty.detail.startswith("column 'Datum' is empty")


@settings(max_examples=60, deadline=None)
@given(
    at=st.datetimes(
        min_value=datetime.datetime(2015, 1, 1), max_value=datetime.datetime(2026, 11, 1)
    ).map(lambda t: t.replace(second=0, microsecond=0)),
    split=st.booleans(),
)
# found by this test: a date typed into a spreadsheet column of the General format is the
# day number Excel keeps (46356 for 2026-11-30, a fraction the time of day): quarantined as
# "not a date/time", the time shown as '46356 0:5868'
@example(at=datetime.datetime(2026, 11, 30, 14, 5), split=True)
def test_a_workbooks_day_number_cells_read_as_their_date_and_time(at, split):
    from geo.ingest._times import combine, parse_times

    days = (at - datetime.datetime(1899, 12, 30)) / datetime.timedelta(days=1)
    if split:  # a date cell and a time cell, both of the General format
        date, time = pd.Series([float(int(days))]), pd.Series([days - int(days)])
        text = combine(date, time, None)
    else:
        text = combine(None, None, pd.Series([days]))
    parsed = parse_times(text)
    moved = parsed.flag.iloc[0] in ("dst_gap", "dst_ambiguous")  # a clock DST moves or doubles
    assert moved or parsed.at.iloc[0] == pd.Timestamp(at, tz="Europe/Stockholm")
    whole_day = not split and at.time() == datetime.time()  # a whole number: a date alone
    assert parsed.precision.iloc[0] == ("day" if whole_day else "exact")


def test_a_day_number_in_a_csv_stays_text_not_a_date(tmp_path):
    # a CSV's "46356" is text: it may be a case number as well as a day; only a number cell of
    # a workbook is Excel's day number
    path = tmp_path / "n.csv"
    path.write_text(f"Datum;Latitud;Longitud\n46356;{LAT};{LON}\n")
    result = ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)
    assert result.reasons == {"no_time": 1}


def test_a_geojson_features_own_number_id_is_its_id_as_a_text_one_is(tmp_path):
    # GDAL keeps a feature's text "id" as a column but takes a number "id" for its own row
    # number: the id was lost, and the file saved again with a description corrected stored
    # the event a second time (a text id made it a duplicate)
    def feature(fid, text):
        point = {"type": "Point", "coordinates": [LON, LAT]}
        props = {"datum": "2026-07-04 18:30", "beskrivning": text}
        return {"type": "Feature", "id": fid, "geometry": point, "properties": props}

    def save(name, first_text):
        features = [feature(17, first_text), feature(18, "Krossad ruta")]
        path = tmp_path / name
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        return ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)

    assert save("a.geojson", "Klottr på vägg").stored == 2
    again = save("b.geojson", "Klotter på vägg")
    assert (again.stored, again.duplicates) == (0, 2)
    ids = sorted(store.read_incidents(tmp_path / "s.gpkg")["incident_id"])
    assert ids == ["kommun:17", "kommun:18"]


def test_coordinates_0_0_are_no_position_and_the_place_locates_the_row(tmp_path):
    # a system's placeholder 0/0 was quarantined as "fits no accepted CRS; pass --crs", the
    # place name beside it unused
    path = tmp_path / "z.csv"
    path.write_text(
        "Datum;Plats;Latitud;Longitud\n"
        "2026-07-04 18:30;Fjugesta;0;0\n"
        "2026-07-05 18:30;;0,0;0,0\n"
        f"2026-07-06 18:30;Fjugesta;{LAT};{LON}\n"
    )
    result = ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)
    assert (result.read, result.stored, result.quarantined) == (3, 2, 1)
    flags = store.read_incidents(tmp_path / "s.gpkg").sort_values("occurred_at")["location_flag"]
    assert flags.fillna("-").tolist() == ["geocoded_place", "-"]  # a point wins over a place
    (bad,) = result.examples
    assert (bad.line, bad.reason) == (3, "no_location")
    assert bad.detail.startswith("columns 'Latitud' and 'Longitud' hold 0/0, which is no position")


def test_coordinates_in_no_crs_are_named_with_their_columns_and_values(tmp_path):
    # the detail said "the coordinates fit no accepted CRS", not which columns and values
    path = tmp_path / "c.csv"
    path.write_text("Datum;Latitud;Longitud\n2026-07-04 18:30;500;900,5\n")
    result = ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)
    (bad,) = result.examples
    assert bad.reason == "bad_coordinates"
    assert bad.detail.startswith("the point in 'Latitud' 500 / 'Longitud' 900,5 fits no accepted")


#: A UTC offset as systems write it after a time: ISO 8601, after "GMT" or "UTC" (JavaScript's
#: Date, Windows' zone list), with the zone's name in brackets, or as CET/CEST.
_OFFSET_FORMS = (
    lambda h: f"+{h:02d}:00",
    lambda h: f"GMT+{h:02d}00",
    lambda h: f"GMT+{h:02d}00 (Central European {'Summer' if h == 2 else 'Standard'} Time)",
    lambda h: f"UTC+{h:02d}:00",
    lambda h: f"UTC+{h}",
    lambda h: f"GMT+{h}",
    lambda h: "CEST" if h == 2 else "CET",
)


@settings(max_examples=80, deadline=None)
@given(
    at=st.datetimes(
        min_value=datetime.datetime(2015, 1, 1), max_value=datetime.datetime(2026, 11, 1)
    ).map(lambda t: t.replace(second=0, microsecond=0)),
    hours=st.sampled_from([1, 2]),
    form=st.sampled_from(_OFFSET_FORMS),
    clock=st.sampled_from(["%Y-%m-%d %H:%M", "%d.%m.%Y %H.%M"]),
)
# found by this test: "GMT+0100" (JavaScript's Date) and "UTC+01:00" were read by the POSIX
# sign rule, as UTC-1: two hours late, without a word; CET and CEST were "not a date/time"
@example(
    at=datetime.datetime(2026, 11, 30, 14, 5),
    hours=1,
    form=_OFFSET_FORMS[1],
    clock="%Y-%m-%d %H:%M",
)
def test_a_time_with_its_utc_offset_written_any_way_is_that_instant(at, hours, form, clock):
    from geo.ingest._times import parse_times

    parsed = parse_times(pd.Series([f"{at.strftime(clock)} {form(hours)}"]))
    offset = datetime.timezone(datetime.timedelta(hours=hours))
    assert parsed.at.iloc[0] == pd.Timestamp(at.replace(tzinfo=offset))


def test_columns_no_field_reads_are_named_in_a_warning(tmp_path, caplog):
    # a description under a name of its own was dropped without a word, and with it the
    # category its keywords give: every row "ovrigt"; "Händelsebeskrivning" is one now
    path = tmp_path / "k.csv"
    path.write_text(
        "Datum;Plats;Händelsebeskrivning;Vad hände;Handläggare\n"
        "2026-07-04 18:30;Fjugesta;Klotter på skolan;Klotter;A. Andersson\n"
    )
    ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)
    (row,) = store.read_incidents(tmp_path / "s.gpkg").itertuples()
    assert (row.description, row.category) == ("Klotter på skolan", "skadegorelse")
    assert f"{path}: columns not read (no field has their name): 'Vad hände', 'Handläggare'" in (
        caplog.text
    )
    caplog.clear()
    ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)
    assert "columns not read" not in caplog.text  # a file imported before: quiet
