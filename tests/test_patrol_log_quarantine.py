"""The patrol log saved again does not quarantine its bad rows twice; a mended pass resolves."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from geo import patrol_log, patrol_passes
from geo.patrol_log_rows import RowProblem, identity_fields
from geo.quarantine import fix_keys
from geo.store import UPGRADES_TABLE, connect
from geo.users import User
from tests._pass_fixtures import pass_payload

TZ = "Europe/Stockholm"
PER = User("per", "polis", "editor")
#: The clock of the in-process imports; the command's reads the clock (its rows are older).
NOW = pd.Timestamp("2026-01-10 12:00", tz=TZ)
COLUMNS = ("datum", "start", "slut", "platser", "aktivitet", "resultat", "kontrollerade")
#: A week's log: two passes done, an end before its start, a start nobody can read.
ROWS = [
    ("2025-12-04", "20:00", "21:10", "Fjugesta centrum", "närvaro", "2 samtal", ""),
    ("2025-12-05", "18:00", "17:00", "väg 204 vid Hidinge", "hastighetskontroll", "", "12"),
    ("2025-12-06", "10:00", "10:45", "Lanna badgruva", "hastighetskontroll", "", "25"),
    ("2025-12-07", "nonsens", "11:00", "Vintrosa", "närvaro", "", ""),
]


def _csv(path: Path, rows: list[tuple[str, ...]]) -> Path:
    lines = [";".join(COLUMNS), *(";".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cell(column: str, value: str) -> object:
    """Return ``value`` as Excel keeps it: a date cell, a time cell, a number, else text."""
    if not value:
        return None
    if column == "datum":
        return pd.Timestamp(value)
    if column in ("start", "slut") and value[:2].isdigit():
        return dt.time.fromisoformat(value)
    return int(value) if value.isdigit() else value


def _xlsx(path: Path, rows: list[tuple[str, ...]], columns: list[str]) -> Path:
    frame = pd.DataFrame([dict(zip(COLUMNS, r, strict=True)) for r in rows])[columns]
    for column in columns:
        frame[column] = pd.Series([_cell(column, v) for v in frame[column]], dtype=object)
    frame.to_excel(path, index=False)
    return path


def _import(path: Path, tmp_path: Path) -> patrol_log.LogImportResult:
    return patrol_log.import_log(path, store_path=tmp_path / "s.gpkg", now=NOW)


def _accounted(r: patrol_log.LogImportResult) -> bool:
    return r.read == r.stored + r.corrected + r.quarantined + r.duplicates + r.repeats


def test_the_log_saved_as_xlsx_with_columns_reordered_and_a_row_added_repeats_its_bad_rows(
    tmp_path: Path,
) -> None:
    first = _import(_csv(tmp_path / "logg.csv", ROWS), tmp_path)
    assert (first.stored, first.quarantined, first.repeats) == (2, 2, 0)
    added = ("2025-12-08", "19:00", "20:00", "Gropen", "närvaro", "", "")
    reordered = ["kontrollerade", "slut", "platser", "datum", "resultat", "start", "aktivitet"]
    again = _import(_xlsx(tmp_path / "logg.xlsx", [*ROWS, added], reordered), tmp_path)
    assert (again.stored, again.quarantined, again.duplicates, again.repeats) == (1, 0, 2, 2)
    assert _accounted(again) and again.reasons == {} and again.examples == ()
    assert len(patrol_log.read_log_quarantine(tmp_path / "s.gpkg")) == 2


def test_the_same_bytes_imported_again_quarantine_nothing(tmp_path: Path) -> None:
    # before, the summary said "quarantined 2" on every import of the same file
    f = _csv(tmp_path / "logg.csv", ROWS)
    _import(f, tmp_path)
    r = _import(f, tmp_path)
    assert (r.stored, r.quarantined, r.duplicates, r.repeats) == (0, 0, 2, 2)


def test_a_new_bad_row_in_the_saved_log_is_quarantined_and_shown(tmp_path: Path) -> None:
    _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    bad = ("2025-12-09", "21:00", "20:00", "Gropen", "närvaro", "", "")
    r = _import(_csv(tmp_path / "b.csv", [*ROWS, bad]), tmp_path)
    assert (r.quarantined, r.repeats, r.reasons) == (1, 2, {"sluttid före start": 1})
    assert [e.line for e in r.examples] == [6]


def test_a_mended_pass_resolves_its_quarantined_row(tmp_path: Path) -> None:
    _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    mended = [ROWS[0], (*ROWS[1][:2], "19:00", *ROWS[1][3:]), ROWS[2], ROWS[3]]
    r = _import(_csv(tmp_path / "b.csv", mended), tmp_path)
    assert (r.stored, r.quarantined, r.duplicates, r.repeats, r.resolved) == (1, 0, 2, 1, 1)
    path = tmp_path / "s.gpkg"
    q = patrol_log.read_log_quarantine(path)
    assert len(q) == 2  # the record of what was wrong stays
    log = patrol_log.read_log(path)
    with sqlite3.connect(path) as conn:
        (log_id,) = conn.execute(
            "SELECT log_id FROM patrol_log WHERE start LIKE '2025-12-05%'"
        ).fetchone()
        still_open = [r[0] for r in conn.execute("SELECT line FROM patrol_log_quarantine_open")]
    assert set(q["resolved_by"].dropna()) == {log_id}
    assert still_open == [5]  # the unreadable start, seen in QGIS
    assert list(patrol_log.read_log_quarantine(path, open_only=True)["line"]) == [5]
    assert len(log) == 3


def test_a_changed_row_still_bad_is_quarantined_again_and_mends_nothing(tmp_path: Path) -> None:
    _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    changed = [ROWS[0], ROWS[1], ROWS[2], (*ROWS[3][:1], "ännu fel", *ROWS[3][2:])]
    r = _import(_csv(tmp_path / "b.csv", changed), tmp_path)
    assert (r.quarantined, r.repeats, r.resolved) == (1, 1, 0)


def test_the_summary_and_json_say_repeats_and_mended_rows(tmp_path: Path) -> None:
    from geo.cli.plan import log_group

    store = ["--store", str(tmp_path / "s.gpkg")]
    _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    f = _csv(tmp_path / "b.csv", [ROWS[0], (*ROWS[1][:2], "19:00", *ROWS[1][3:]), *ROWS[2:]])
    out = CliRunner().invoke(log_group, ["import", str(f), *store])
    assert out.exit_code == 0, out.output
    assert "read 4, stored 1, quarantined 0 (1 already in quarantine), duplicates 2" in out.output
    assert "1 quarantined rows of earlier imports mended (resolved)" in out.output
    c = _csv(tmp_path / "c.csv", ROWS)
    out = CliRunner().invoke(log_group, ["import", str(c), *store, "--json"])
    data = json.loads(out.stdout)
    assert (data["read"], data["quarantined"], data["repeats"], data["resolved"]) == (4, 0, 2, 0)


def test_rows_quarantined_before_rows_had_keys_repeat_and_resolve(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    _import(_csv(tmp_path / "a.csv", ROWS), tmp_path)
    _drop_keys(path)
    assert len(patrol_log.read_log_quarantine(path, open_only=True)) == 2  # readers read it
    mended = [ROWS[0], (*ROWS[1][:2], "19:00", *ROWS[1][3:]), ROWS[2], ROWS[3]]
    r = _import(_csv(tmp_path / "b.csv", mended), tmp_path)
    assert (r.stored, r.quarantined, r.repeats, r.resolved) == (1, 0, 1, 1)
    assert list(patrol_log.read_log_quarantine(path, open_only=True)["line"]) == [5]


def test_a_row_refused_for_a_personnummer_is_keyed_without_it(tmp_path: Path) -> None:
    pnr = ("2025-12-04", "20:00", "21:10", "Fjugesta", "närvaro", "talade med 19800101-1234", "")
    _import(_csv(tmp_path / "a.csv", [pnr]), tmp_path)
    with sqlite3.connect(tmp_path / "s.gpkg") as conn:
        raw, key = conn.execute("SELECT raw, row_key FROM patrol_log_quarantine").fetchone()
    assert "19800101-1234" not in raw
    assert key == patrol_log.row_keys(json.loads(raw), None)[0]  # made of the redacted cells
    r = _import(_csv(tmp_path / "b.csv", [(*pnr[:5], "1 samtal", "")]), tmp_path)
    assert (r.stored, r.resolved) == (1, 1)


# --- a row's identity

words = st.text("abcåäöXYZ-/: ", min_size=1, max_size=8).filter(lambda t: t.strip())
counts = st.integers(0, 10**6)
rows = st.fixed_dictionaries(
    {
        "date": st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
        "start": st.times(),
        "end": st.times(),
        "places": words,
        "activity": words,
        "results": words,
        "checked": counts,
    }
)
PROBLEM = RowProblem("sluttid före start", "end", "", "")


def _spelled(value: object, style: int) -> str:
    """Write ``value`` as a CSV or Excel would: padded, as a float, a time with seconds."""
    if isinstance(value, dt.date):
        return [f"{value}", f"{value} 00:00:00", f" {value} "][style % 3]
    if isinstance(value, dt.time):
        clock = f"{value:%H:%M:%S}"
        return [clock, clock.replace(":", "."), f" {clock} "][style % 3]
    if isinstance(value, int):
        return [f"{value}", f"{value}.0", f"{value},00"][style % 3]
    return [f"{value}", f"  {value} ", f"\t{value}"][style % 3]


def _plain(row: dict[str, object]) -> dict[str, str]:
    return {f: _spelled(v, 0) for f, v in row.items()}


@given(rows, st.randoms(), st.lists(st.integers(0, 2), min_size=7, max_size=7))
def test_column_order_blanks_and_number_and_time_formatting_keep_a_rows_keys(
    row, rnd, styles
) -> None:
    items = list(row.items())
    rnd.shuffle(items)
    spelled = {f: _spelled(v, s) for (f, v), s in zip(items, styles, strict=True)}
    assert patrol_log.row_keys(spelled, PROBLEM) == patrol_log.row_keys(_plain(row), PROBLEM)


@given(rows, st.sampled_from(["places", "activity", "results", "checked", "date"]), st.data())
def test_a_changed_value_changes_a_rows_key(row, field, data) -> None:
    other = dict(row)
    if field == "checked":
        other[field] = row[field] + data.draw(st.integers(1, 9))
    elif field == "date":
        other[field] = row[field] + dt.timedelta(days=data.draw(st.integers(1, 9)))
    else:
        other[field] = f"{row[field]}x"
    key, fix = patrol_log.row_keys(_plain(row), PROBLEM)
    other_key, other_fix = patrol_log.row_keys(_plain(other), PROBLEM)
    assert key != other_key and fix != other_fix


@given(rows, st.times())
def test_the_field_a_row_is_refused_for_may_change_in_its_mended_pass(row, end) -> None:
    mended = _plain({**row, "end": end})
    _, fix = patrol_log.row_keys(_plain(row), PROBLEM)
    assert fix in fix_keys(identity_fields(mended), patrol_log.LOG_MENDING)


def test_a_row_quarantined_before_keys_for_a_day_then_ahead_is_mended_by_the_right_day(
    tmp_path: Path,
) -> None:
    # an officer's log dated a pass next week by mistake; the row was quarantined by the
    # version before keys, and the upgrade gave it no fix key: the pass on the right day,
    # imported later, left it open for good
    path = tmp_path / "s.gpkg"
    ahead = ("2026-01-15", "20:00", "21:00", "Gropen", "närvaro", "", "")
    _import(_csv(tmp_path / "a.csv", [ahead]), tmp_path)
    _drop_keys(path)
    r = _import(_csv(tmp_path / "b.csv", [("2026-01-08", *ahead[1:])]), tmp_path)
    assert (r.stored, r.resolved) == (1, 1)
    assert patrol_log.read_log_quarantine(path, open_only=True).empty


def _drop_keys(path: Path) -> None:
    """Make the store as the version before quarantined rows had keys left it."""
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "DROP VIEW patrol_log_quarantine_open; DROP INDEX patrol_log_quarantine_row_key;"
            " DROP INDEX patrol_log_quarantine_fix_key;"
            " ALTER TABLE patrol_log_quarantine DROP COLUMN row_key;"
            " ALTER TABLE patrol_log_quarantine DROP COLUMN fix_key;"
            " ALTER TABLE patrol_log_quarantine DROP COLUMN resolved_by;"
        )
    _forget_upgrades(path)


def _forget_upgrades(path: Path) -> None:
    """Make the store as a version before it recorded its one-time upgrades left it."""
    with sqlite3.connect(path) as conn:
        conn.execute(f"DROP TABLE {UPGRADES_TABLE}")


def _upgrades(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [str(s) for (s,) in conn.execute(f"SELECT step FROM {UPGRADES_TABLE}")]


# --- a row split by its own separator

#: A shift's pass with two places written as the page Pass asks ("flera med ;"), unquoted in
#: a ;-separated file: the row has one field more than its header.
SPLIT = ("2025-12-04", "20:10", "21:25", "Fjugesta centrum; Vintrosa", "närvaro", "2 samtal")
SPLIT_HEADER = ("datum", "start", "slut", "platser", "aktivitet", "resultat")


def _split_log(path: Path, row: tuple[str, ...], header: tuple[str, ...] = SPLIT_HEADER) -> Path:
    path.write_text(f"{';'.join(header)}\n{';'.join(row)}\n", encoding="utf-8")
    return path


def _quoted(row: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f'"{v}"' if ";" in v else v for v in row)


def _save_on_the_page(path: Path, row: tuple[str, ...]) -> patrol_passes.PassSaveResult:
    body = dict(zip(("date", "start", "end", "places", "activity", "results"), row, strict=True))
    pid = str(uuid.uuid4())
    return patrol_passes.save_pass(pid, body, user=PER, path=path, now=NOW)


@pytest.mark.parametrize("set_right", ["on the page", "in the file"])
def test_a_row_split_by_its_separator_is_resolved_by_its_pass_set_right(
    tmp_path: Path, set_right: str
) -> None:
    # its fix key was made of its shifted cells (activity "Vintrosa", results "närvaro"),
    # which no pass has: the pass set right, on Pass or in the file quoted, left it open
    path = tmp_path / "s.gpkg"
    f = _split_log(tmp_path / "skift.csv", SPLIT)
    r = _import(f, tmp_path)
    assert (r.quarantined, r.reasons) == (1, {"för många fält": 1})
    assert "stängs inte" not in r.examples[0].detail  # its pass is told by its day and times
    if set_right == "on the page":
        assert _save_on_the_page(path, SPLIT).mended == ((str(f), 2),)
    else:
        again = _import(_split_log(tmp_path / "skift2.csv", _quoted(SPLIT)), tmp_path)
        assert (again.stored, again.resolved) == (1, 1)
    assert patrol_log.read_log_quarantine(path, open_only=True).empty
    assert len(patrol_log.read_log_quarantine(path)) == 1  # the record of what was wrong stays


def test_a_split_row_whose_pass_cannot_be_told_says_so_and_stays_open(tmp_path: Path) -> None:
    # the places first: the day and times after the split may be shifted too
    header = ("platser", *SPLIT_HEADER[:3], *SPLIT_HEADER[4:])
    row = (SPLIT[3], *SPLIT[:3], *SPLIT[4:])
    r = _import(_split_log(tmp_path / "skift.csv", row, header), tmp_path)
    assert r.reasons == {"för många fält": 1}
    assert "så raden stängs inte i karantänen när passet sparas rättat" in r.examples[0].detail
    assert _save_on_the_page(tmp_path / "s.gpkg", SPLIT).mended == ()
    assert len(patrol_log.read_log_quarantine(tmp_path / "s.gpkg", open_only=True)) == 1


def _shift_fix_key(path: Path) -> str:
    """Give the split row the fix key of its shifted cells, as the version before did."""
    with sqlite3.connect(path) as conn:
        raw = conn.execute("SELECT raw FROM patrol_log_quarantine").fetchone()[0]
        cells = json.loads(raw)
        old = patrol_log.row_keys(cells, RowProblem("för många fält", "places", "", ""))[1]
        assert old is not None
        conn.execute("UPDATE patrol_log_quarantine SET fix_key = ?", (old,))
    return old


@pytest.mark.parametrize("written_first", ["a pass on Pass", "the file quoted"])
@pytest.mark.parametrize("left", ["no keys", "the keys of its shifted cells"])
def test_an_old_stores_split_row_gets_its_pass_key_from_the_first_writer(
    tmp_path: Path, written_first: str, left: str
) -> None:
    # a store an earlier version left: the row without keys, or with the fix key of its
    # shifted cells (which no pass has); the officer logs the pass on Pass, or imports the
    # file with the text quoted, before anything else is written
    path = tmp_path / "s.gpkg"
    f = _split_log(tmp_path / "skift.csv", SPLIT)
    _import(f, tmp_path)
    if left == "no keys":
        _drop_keys(path)
    else:
        _shift_fix_key(path)
        _forget_upgrades(path)
    if written_first == "a pass on Pass":
        assert _save_on_the_page(path, SPLIT).mended == ((str(f), 2),)
    else:
        again = _import(_split_log(tmp_path / "skift2.csv", _quoted(SPLIT)), tmp_path)
        assert (again.stored, again.resolved) == (1, 1)
    assert patrol_log.read_log_quarantine(path, open_only=True).empty
    assert _upgrades(path) == [patrol_log.QUARANTINE_KEYS_STEP]  # done, and said so


def test_the_quarantine_is_keyed_once_and_a_key_set_since_is_left_as_it_is(
    tmp_path: Path,
) -> None:
    # every import and every pass saved on Pass gave every open split row its keys again
    path = tmp_path / "s.gpkg"
    _import(_split_log(tmp_path / "skift.csv", SPLIT), tmp_path)  # the first writer upgrades
    assert _upgrades(path) == [patrol_log.QUARANTINE_KEYS_STEP]
    set_since = _shift_fix_key(path)
    with connect(path) as conn, conn:
        changes = conn.total_changes
        assert patrol_log.key_earlier_quarantine(conn) == 0
        assert conn.total_changes == changes  # no row written
    _import(_csv(tmp_path / "vecka.csv", ROWS), tmp_path)
    _save_on_the_page(path, SPLIT)
    with sqlite3.connect(path) as conn:
        kept = conn.execute(
            "SELECT fix_key FROM patrol_log_quarantine WHERE file = ?",
            (str(tmp_path / "skift.csv"),),
        ).fetchall()
    assert kept == [(set_since,)]


#: The shift's speed check as its file has it set right, and with its end before its start.
_SPEED = ("2025-12-05", "18:00", "19:00", "väg 204 vid Hidinge", "hastighetskontroll", "", "12")
_SPEED_TYPO = (*_SPEED[:2], "17:00", *_SPEED[3:])


def _on_pass(store: Path, **changed: str) -> str:
    """Log the speed check on the page Pass (with ``changed`` fields); return its id."""
    pid = str(uuid.uuid4())
    body = dict(zip(("date", "start", "end", "places", "activity", "results", "checked"), _SPEED,
                    strict=True))  # fmt: skip
    patrol_passes.save_pass(pid, pass_payload(**{**body, **changed}), user=PER, path=store,
                            now=NOW)  # fmt: skip
    return pid


def test_a_row_whose_pass_is_stored_already_is_resolved_when_quarantined(tmp_path: Path) -> None:
    # the officer logged the speed check on Pass, then the shift's file with a typo in its
    # end was imported: the row stayed open for good, though its pass set right was stored
    from geo.cli.plan import log_group

    store = tmp_path / "s.gpkg"
    pid = _on_pass(store)
    f = _csv(tmp_path / "skift.csv", [_SPEED_TYPO, ROWS[0]])
    r = _import(f, tmp_path)
    assert (r.stored, r.quarantined, r.already_mended, r.resolved) == (1, 1, 1, 0)
    assert _accounted(r) and r.reasons == {"sluttid före start": 1}
    # listed with its fix, the row also says nothing is left to do, where the officer reads it
    (row,) = r.examples
    assert row.line == 2 and row.detail.endswith(patrol_log.MENDED_ALREADY)
    assert list(patrol_log.read_log_quarantine(store)["resolved_by"]) == [pid]
    assert patrol_log.read_log_quarantine(store, open_only=True).empty
    # the command says which rows need nothing more
    g = _csv(tmp_path / "skift2.csv", [(*_SPEED[:2], "16:00", *_SPEED[3:])])  # another typo
    out = CliRunner().invoke(log_group, ["import", str(g), "--store", str(store)])
    assert out.exit_code == 0, out.output
    assert "read 1, stored 0, quarantined 1, duplicates 0" in out.output
    assert (
        "1 of the rows quarantined now mended already by a pass stored (resolved): nothing to"
        " set right"
    ) in out.output
    assert "skift2.csv line 2: sluttid före start — " in out.output
    assert patrol_log.MENDED_ALREADY in out.output


def test_a_row_set_right_that_duplicates_a_pass_logged_on_pass_resolves_its_row(
    tmp_path: Path,
) -> None:
    # the pass on Pass names its place otherwise, so it mends the row by none of its fields;
    # the shift's file set right and imported again was a duplicate of it, and left the row
    # it mends open
    store = tmp_path / "s.gpkg"
    pid = _on_pass(store, places="Hidinge")
    first = _import(_csv(tmp_path / "skift.csv", [_SPEED_TYPO]), tmp_path)
    assert (first.quarantined, first.already_mended) == (1, 0)
    assert patrol_log.MENDED_ALREADY not in first.examples[0].detail  # still to set right
    again = _import(_csv(tmp_path / "skift-rattad.csv", [_SPEED]), tmp_path)
    assert (again.stored, again.duplicates, again.resolved) == (0, 1, 1) and _accounted(again)
    assert list(patrol_log.read_log_quarantine(store)["resolved_by"]) == [pid]
    stored = patrol_passes.read_pass(pid, path=store)
    assert stored is not None and stored["places"] == "Hidinge"  # a file never changes it


@pytest.mark.parametrize("again", ["set right", "as it was"])
def test_a_row_left_open_beside_its_stored_pass_is_resolved_at_the_next_import(
    tmp_path: Path, again: str
) -> None:
    # a row the version before quarantined after its pass was stored, and left open: the
    # file set right counted its row a duplicate, the file as it was its row a repeat
    store = tmp_path / "s.gpkg"
    assert _import(_csv(tmp_path / "bil1.csv", [_SPEED]), tmp_path).stored == 1
    assert _import(_csv(tmp_path / "bil2.csv", [_SPEED_TYPO]), tmp_path).already_mended == 1
    with sqlite3.connect(store) as conn:  # as the version before left it
        conn.execute("UPDATE patrol_log_quarantine SET resolved_by = NULL")
    rows = [_SPEED] if again == "set right" else [_SPEED_TYPO]
    r = _import(_csv(tmp_path / "bil2-igen.csv", rows), tmp_path)
    assert (r.duplicates, r.repeats) == ((1, 0) if again == "set right" else (0, 1))
    assert (r.resolved, r.already_mended) == (1, 0) and _accounted(r)
    assert patrol_log.read_log_quarantine(store, open_only=True).empty
