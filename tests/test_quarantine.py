"""A file saved again does not quarantine its bad rows twice; a mended row resolves them."""

import json

import pandas as pd
from _foundation import LANNA, write
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from geo import ingest, store
from geo.cli import main
from geo.quarantine import cell_text, fix_key, fix_keys, row_key

NOW = pd.Timestamp("2026-11-26 12:00", tz="Europe/Stockholm")
LON, LAT = LANNA
#: A kommun export: two good rows, a place nobody knows and a date nobody can read.
ROWS = [
    {"id": "1001", "datum": "2026-06-01 12:00", "plats": "", "lat": LAT, "lon": LON},
    {"id": "1002", "datum": "2026-06-02 12:00", "plats": "Okändby", "lat": "", "lon": ""},
    {"id": "1003", "datum": "inte ett datum", "plats": "", "lat": LAT, "lon": LON},
    {"id": "1004", "datum": "2026-06-04 12:00", "plats": "", "lat": LAT, "lon": LON},
]


def _csv(path, rows, columns=("id", "datum", "plats", "lat", "lon"), sep=";"):
    lines = [sep.join(columns)] + [sep.join(str(r[c]) for c in columns) for r in rows]
    return write(path, "\n".join(lines) + "\n")


def _import(path, tmp_path):
    return ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW)


def _accounted(r):
    return r.read == r.stored + r.quarantined + r.duplicates + r.repeats


def test_a_file_saved_again_with_columns_reordered_and_a_row_added_repeats_its_bad_rows(
    tmp_path,
):
    first = _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    assert (first.stored, first.quarantined, first.repeats) == (2, 2, 0)
    added = {"id": "1005", "datum": "2026-06-05 12:00", "plats": "", "lat": LAT, "lon": LON}
    resaved = [
        {**r, "id": f"{r['id']}.0", "plats": f"  {r['plats']} "} for r in ROWS
    ]  # Excel's float ids and stray blanks
    again = _import(
        _csv(tmp_path / "b.csv", [*resaved, added], ("lon", "plats", "datum", "lat", "id"), ","),
        tmp_path,
    )
    assert (again.stored, again.quarantined, again.duplicates, again.repeats) == (1, 0, 2, 2)
    assert _accounted(again) and again.reasons == {} and again.examples == ()
    assert len(store.read_quarantine(tmp_path / "s.gpkg")) == 2
    log = store.read_imports(tmp_path / "s.gpkg")
    assert list(log["n_quarantined"]) == [2, 0] and list(log["n_repeats"]) == [0, 2]


def test_an_xlsx_saved_from_the_csv_repeats_its_bad_rows(tmp_path):
    _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    sheet = pd.DataFrame(ROWS)[["datum", "lat", "lon", "plats", "id"]]
    sheet["id"] = sheet["id"].astype(int)  # Excel makes numbers of them
    sheet["datum"] = pd.Series(  # and date cells of dates
        [v if v == "inte ett datum" else pd.Timestamp(v) for v in sheet["datum"]], dtype=object
    )
    sheet.to_excel(tmp_path / "a.xlsx", index=False)
    r = _import(tmp_path / "a.xlsx", tmp_path)
    assert (r.stored, r.quarantined, r.duplicates, r.repeats) == (0, 0, 2, 2)
    assert len(store.read_quarantine(tmp_path / "s.gpkg")) == 2


def test_a_new_bad_row_in_the_saved_file_is_quarantined_and_shown(tmp_path):
    _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    bad = {"id": "1006", "datum": "2026-06-06 12:00", "plats": "Annanby", "lat": "", "lon": ""}
    r = _import(_csv(tmp_path / "b.csv", [*ROWS, bad]), tmp_path)
    assert (r.quarantined, r.repeats, r.reasons) == (1, 2, {"no_location": 1})
    assert [(e.line, e.reason) for e in r.examples] == [(6, "no_location")]


def test_a_mended_row_leaves_the_open_quarantine(tmp_path):
    _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    mended = [ROWS[0], {**ROWS[1], "plats": "Lanna gruva"}, ROWS[2], ROWS[3]]
    r = _import(_csv(tmp_path / "b.csv", mended), tmp_path)
    assert (r.stored, r.quarantined, r.repeats, r.resolved) == (1, 0, 1, 1)
    path = tmp_path / "s.gpkg"
    assert len(store.read_quarantine(path)) == 2  # the history stays
    still_open = store.read_quarantine(path, open_only=True)
    assert list(still_open["reason"]) == ["no_time"]
    with store.reading(path) as conn:  # what QGIS shows
        assert [r[0] for r in conn.execute("SELECT reason FROM quarantine_open")] == ["no_time"]


def test_a_row_without_an_id_is_mended_by_the_row_with_the_faulty_fields_set_right(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "id"} for r in ROWS]
    columns = ("datum", "plats", "lat", "lon")
    _import(_csv(tmp_path / "a.csv", rows, columns), tmp_path)
    mended = [rows[0], {**rows[1], "plats": "Lanna gruva"}, rows[2], rows[3]]
    mended[2] = {**rows[2], "datum": "2026-06-03 12:00"}
    r = _import(_csv(tmp_path / "b.csv", mended, columns), tmp_path)
    assert (r.stored, r.quarantined, r.repeats, r.resolved) == (2, 0, 0, 2)
    assert store.read_quarantine(tmp_path / "s.gpkg", open_only=True).empty


def test_the_summary_says_how_many_were_already_in_quarantine(tmp_path):
    _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    f = _csv(tmp_path / "b.csv", ROWS, ("datum", "id", "plats", "lat", "lon"))
    args = ["import", str(f), "--store", str(tmp_path / "s.gpkg")]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "read 4, stored 0, quarantined 0 (2 already in quarantine), duplicates 2" in res.output
    f = _csv(tmp_path / "c.csv", ROWS, ("plats", "id", "datum", "lat", "lon"))
    res = CliRunner().invoke(
        main, ["import", str(f), "--store", str(tmp_path / "s.gpkg"), "--json"]
    )
    data = json.loads(res.stdout)
    assert (data["quarantined"], data["repeats"], data["duplicates"]) == (0, 2, 2)


def _as_before_row_keys(path):
    """Make ``path`` a store of the version before rows had keys (its rows kept)."""
    with store.connect(path) as conn:
        conn.executescript(
            "DROP VIEW quarantine_open; DROP INDEX quarantine_row_key;"
            " DROP INDEX quarantine_fix_key; ALTER TABLE quarantine DROP COLUMN row_key;"
            " ALTER TABLE quarantine DROP COLUMN fix_key;"
            " ALTER TABLE quarantine DROP COLUMN resolved_by;"
            " ALTER TABLE imports DROP COLUMN n_repeats;"
        )


def test_rows_quarantined_before_rows_had_keys_repeat_and_resolve(tmp_path):
    path = tmp_path / "s.gpkg"
    _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    _as_before_row_keys(path)
    assert len(store.read_quarantine(path, open_only=True)) == 2  # nothing says mended
    mended = [ROWS[0], {**ROWS[1], "plats": "Lanna gruva"}, ROWS[2], ROWS[3]]
    r = _import(_csv(tmp_path / "b.csv", mended, ("datum", "id", "plats", "lat", "lon")), tmp_path)
    assert (r.stored, r.quarantined, r.repeats, r.resolved) == (1, 0, 1, 1)
    assert list(store.read_quarantine(path, open_only=True)["reason"]) == ["no_time"]


def test_a_malformed_record_quarantined_before_rows_had_keys_repeats(tmp_path):
    text = "datum;lat;lon\n2026-06-01 12:00;{lat};{lon}\n2026-06-02;1;2;3\n"
    _import(write(tmp_path / "a.csv", text.format(lat=LAT, lon=LON)), tmp_path)
    _as_before_row_keys(tmp_path / "s.gpkg")
    again = write(tmp_path / "b.csv", text.format(lat=LAT, lon=LON) + "fel;1;2\n")
    r = _import(again, tmp_path)
    assert (r.quarantined, r.repeats, r.reasons) == (1, 1, {"no_time": 1})


# --- the row's identity

FIELDS = ("id", "when", "place", "lat", "lon", "description", "category")
words = st.text("abcåäöXYZ-.,/: 019", min_size=1, max_size=8)
numbers = st.integers(-(10**6), 10**6)
values = st.one_of(words, numbers.map(str))
rows = st.dictionaries(st.sampled_from(FIELDS), values, min_size=1)


def _spelled(value, style):
    """Write ``value`` as another file (or Excel) would: padded, as a float, as a number."""
    if value.lstrip("-").isdigit():
        return [value, f"{value}.0", int(value), float(value)][style % 4]
    return [value, f" {value}  ", f"\t{value}", value][style % 4]


@given(rows, st.randoms(), st.lists(st.integers(0, 3), min_size=len(FIELDS)))
def test_row_key_ignores_column_order_whitespace_and_number_formatting(row, rnd, styles):
    items = list(row.items())
    rnd.shuffle(items)
    spelled = {f: _spelled(v, s) for (f, v), s in zip(items, styles, strict=False)}
    assert row_key(spelled) == row_key(row)
    assert fix_key(spelled, "no_location") == fix_key(row, "no_location")
    assert fix_keys(spelled) == fix_keys(row)


@given(rows, st.sampled_from(FIELDS), values)
def test_row_key_tells_other_values_apart(row, field, value):
    other = {**row, field: value}
    same = cell_text(row.get(field)) == cell_text(value)
    assert (row_key(other) == row_key(row)) == same


@given(rows, values)
def test_a_row_and_its_mended_location_share_a_fix_key_a_mended_time_another(row, value):
    row = {k: v for k, v in row.items() if k != "id"}
    mended = {**row, "place": value}
    assert fix_key(row, "no_location") in fix_keys(mended)
    if cell_text(row.get("when")) != cell_text(value):  # " " is no time, as a missing one
        assert fix_key({**row, "when": value}, "no_location") not in fix_keys(mended)


def test_long_numeric_ids_are_told_apart_to_their_last_digit():
    # a float would read both as 1.2345678901234568e+19
    assert row_key({"id": "12345678901234567890"}) != row_key({"id": "12345678901234567891"})
    assert row_key({"id": "12345678901234567890.0"}) == row_key({"id": "12345678901234567890"})
