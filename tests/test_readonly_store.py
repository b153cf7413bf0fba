"""Readers only read: a store that may not be written, lacks a table, or is older, reads as it is.

``geo report``, ``geo activity status`` and the app's pages read the store; a copy on a
read-only share (or a file of mode 0444) must serve them, and a reader must take no write
lock. Schema is made and upgraded by the write paths only.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _pass_fixtures import pass_payload, store_plan
from _web_fixtures import make_store, spot_payload
from test_store import _batch

from geo import (
    activity_entries,
    activity_log,
    activity_plan,
    audit,
    patrol_log,
    patrol_passes,
    spots,
    store,
    users,
)
from geo.model import INCIDENT_COLUMNS
from geo.patrol.stored import next_week, read_plan_stops

TZ = "Europe/Stockholm"
#: A time after everything the fixture logs (2025-W49, November 2025).
NOW = pd.Timestamp("2025-12-05 12:00", tz=TZ)
_WRITES = {
    getattr(sqlite3, name)
    for name in dir(sqlite3)
    if name.startswith(("SQLITE_CREATE_", "SQLITE_DROP_"))
} | {
    sqlite3.SQLITE_ALTER_TABLE,
    sqlite3.SQLITE_INSERT,
    sqlite3.SQLITE_UPDATE,
    sqlite3.SQLITE_DELETE,
}


def _deny_writes(action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
    """Refuse schema and row changes, and pragmas that write the file (journal mode, ids)."""
    if action in _WRITES:
        return sqlite3.SQLITE_DENY
    writes_file = arg1 in ("journal_mode", "application_id", "user_version")
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and writes_file:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def refuse_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, as in a new process, every SQLite connection refuses to write.

    A read-only share or a file of mode 0444 refuses the same statements; the tests run as
    root, which the file mode does not stop, so the refusal is SQLite's authorizer.
    """
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, **kwargs)
        conn.set_authorizer(_deny_writes)
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(store, "_ready", set())  # no table known made in this "process"
    monkeypatch.setattr(store, "_local", threading.local())  # no connection kept open


@pytest.fixture
def written(tmp_path: Path) -> Path:
    """A store every write path has written to: incidents, a patrol log, a pass, a plan,
    the activity log, a spot and accounts."""
    path = make_store(tmp_path)
    batch = _batch(3, "h1")
    batch.quarantine = pd.DataFrame(
        {"line": [5], "reason": ["ogiltig tid"], "detail": ["rad 5"], "raw": ["{}"]}
    )
    store.write_import(batch, path)
    log = tmp_path / "logg.csv"
    log.write_text(
        "datum,start,slut,plats,åtgärd\n2025-12-01,19:00,20:30,Mullhyttan,nykterhetskontroll\n"
        "2025-12-01,21:00,20:00,Lanna,närvaro\n",  # ends before it starts: quarantined
        encoding="utf-8",
    )
    patrol_log.import_log(log, store_path=path, now=NOW)
    per = users.get_user("per", path=path)
    anna = users.get_user("anna", path=path)
    assert per is not None and anna is not None
    patrol_passes.save_pass(PASS_ID, pass_payload(), user=per, path=path, now=NOW)
    store_plan(path, "2025-W49")
    plan = activity_plan.load_plan()
    activity_entries.save_entry(
        "N2", month="2025-11", executor="kommun", times=2, user=anna, plan=plan, path=path, now=NOW
    )
    spots.put_spot(SPOT_ID, spot_payload(), user=anna, path=path)
    return path


PASS_ID = str(uuid.UUID(int=1))
SPOT_ID = str(uuid.UUID(int=2))

#: Every reader of the store, by name: what ``geo report``, ``geo activity status``, the
#: plan and the app's pages read.
READERS: dict[str, Callable[[Path], Any]] = {
    "incidents": lambda p: store.read_incidents(p),
    "count_incidents": lambda p: store.count_incidents(p),
    "last_occurred": lambda p: store.last_occurred(p),
    "occurrences": lambda p: store.occurrences(p),
    "quarantine": lambda p: store.read_quarantine(p),
    "imports": lambda p: store.read_imports(p),
    "layers": lambda p: store.list_layers(p),
    "patrol_log": lambda p: patrol_log.read_log(p),
    "patrol_log_quarantine": lambda p: patrol_log.read_log_quarantine(p),
    "pass": lambda p: patrol_passes.read_pass(PASS_ID, path=p),
    "week_passes": lambda p: patrol_passes.read_week_passes("2025-W49", path=p),
    "pass_changes": lambda p: patrol_passes.read_pass_changes(PASS_ID, path=p),
    "plan_stops": lambda p: read_plan_stops("2025-W49", p),
    "next_week": lambda p: next_week(store_path=p, today=NOW.date()),
    "activity_log": lambda p: activity_log.read_activity_log(p),
    "entry_changes": lambda p: activity_entries.read_entry_changes("2025-11", path=p),
    "spot": lambda p: spots.get_spot(SPOT_ID, path=p),
    "spots": lambda p: spots.read_spots(p),
    "spot_changes": lambda p: spots.read_changes(path=p),
    "user": lambda p: users.get_user("anna", path=p),
    "users": lambda p: users.list_users(path=p),
}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        return True
    if isinstance(a, list) and a and isinstance(a[0], dict):
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(
            str(a[k]) == str(b[k]) if k == "geometry" else a[k] == b[k] for k in a
        )
    return bool(a == b)


@pytest.fixture
def as_written(written: Path) -> dict[str, Any]:
    """What each reader returns from :func:`written`, read before writes were refused."""
    return {name: read(written) for name, read in READERS.items()}


@pytest.mark.parametrize("name", READERS)
def test_a_store_that_may_not_be_written_is_read_the_same(written, as_written, monkeypatch, name):
    refuse_writes(monkeypatch)
    assert _same(as_written[name], READERS[name](written))


def test_the_fixture_wrote_something_to_every_reader(as_written):
    """The comparison above is of stored rows, not of empty results."""
    empty = [
        n for n, v in as_written.items() if v is None or (hasattr(v, "__len__") and not len(v))
    ]
    assert empty == []


#: What each reader returns from a store that has none of its tables.
EMPTY: dict[str, Callable[[Any], bool]] = {
    "count_incidents": lambda v: v == 0,
    "last_occurred": lambda v: v is None,
    "pass": lambda v: v is None,
    "week_passes": lambda v: v == [],
    "next_week": lambda v: v == "2025-W50",
    "spot": lambda v: v is None,
    "user": lambda v: v is None,
    "users": lambda v: v == [],
}
#: Columns of the empty frames.
EMPTY_COLUMNS: dict[str, tuple[str, ...]] = {
    "incidents": INCIDENT_COLUMNS,
    "occurrences": ("occurred_at", "source"),
    "quarantine": ("import_id", "file", "line", "reason", "detail", "raw", "resolved_by"),
    "patrol_log": patrol_log.LOG_COLUMNS,
    "patrol_log_quarantine": ("file", "line", "reason", "raw", "resolved_by"),
    "pass_changes": ("log_id", *audit.AUDIT_COLUMNS),
    "activity_log": activity_log.LOG_COLUMNS,
    "entry_changes": ("activity_id", "month", "executor", *audit.AUDIT_COLUMNS),
    "spot_changes": (
        "spot_id", "version", "changed_at", "changed_by", "action", "before", "after", "comment",
    ),
}  # fmt: skip


def _check_empty(name: str, value: Any) -> None:
    if name in EMPTY:
        assert EMPTY[name](value), (name, value)
    elif name == "layers":
        assert value == []
    else:
        assert len(value) == 0, name
        if name in EMPTY_COLUMNS:
            assert set(value.columns) == set(EMPTY_COLUMNS[name]), name


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A GeoPackage without any of the store's tables (as another tool made it)."""
    path = tmp_path / "bare.gpkg"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id = 1196444487")
    return path


@pytest.mark.parametrize("name", READERS)
def test_a_store_without_the_tables_reads_as_nothing_stored(bare, monkeypatch, name):
    refuse_writes(monkeypatch)
    _check_empty(name, READERS[name](bare))


@pytest.mark.parametrize("name", READERS)
def test_a_store_that_does_not_exist_reads_as_nothing_stored_and_is_not_made(tmp_path, name):
    path = tmp_path / "none.gpkg"
    _check_empty(name, READERS[name](path))
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def old_log(tmp_path: Path) -> Path:
    """A store whose patrol log is from before the app's passes: no ``logged_by`` column."""
    path = tmp_path / "old.gpkg"
    with store.connect(path) as conn, conn:
        conn.execute(
            "CREATE TABLE patrol_log (log_id TEXT PRIMARY KEY, start TEXT NOT NULL, end TEXT"
            " NOT NULL, minutes REAL NOT NULL, places TEXT NOT NULL, activity TEXT, results"
            " TEXT, file TEXT NOT NULL, line INTEGER NOT NULL, imported_at TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO patrol_log VALUES ('a1', '2025-12-01T19:00:00+01:00',"
            " '2025-12-01T20:30:00+01:00', 90, 'Mullhyttan', 'närvaro', '', 'logg.csv', 2,"
            " '2025-12-02T08:00:00Z')"
        )
    return path


def _columns(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[1] for r in conn.execute("PRAGMA table_info(patrol_log)")]


def test_an_old_patrol_log_is_read_without_being_upgraded(old_log, monkeypatch):
    refuse_writes(monkeypatch)
    log = patrol_log.read_log(old_log)
    assert list(log["log_id"]) == ["a1"] and list(log["minutes"]) == [90.0]
    logged = patrol_passes.read_pass("a1", path=old_log)
    assert logged is not None and logged["logged_by"] is None and not logged["from_app"]
    assert [p["log_id"] for p in patrol_passes.read_week_passes("2025-W49", path=old_log)] == ["a1"]
    assert patrol_passes.read_pass_changes("a1", path=old_log).empty
    assert "logged_by" not in _columns(old_log)


def test_a_write_upgrades_an_old_patrol_log(old_log, tmp_path):
    log = tmp_path / "logg2.csv"
    log.write_text("datum,start,slut,plats\n2025-12-03,19:00,20:00,Lanna\n", encoding="utf-8")
    patrol_log.import_log(log, store_path=old_log, now=NOW)
    assert "logged_by" in _columns(old_log)
    assert len(patrol_log.read_log(old_log)) == 2


def test_the_read_connection_refuses_writes(written):
    with store.reading(written) as conn:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("CREATE TABLE x (a)")
        assert store.table_columns(conn, "nothing") == ()
        assert store.select_list(conn, "patrol_log", ["log_id", "newer"]) == (
            "log_id, NULL AS newer"
        )


@pytest.mark.skipif(
    os.geteuid() == 0 and shutil.which("setpriv") is None,
    reason="root writes whatever the file mode; setpriv drops the capability that lets it",
)
def test_geo_activity_status_reads_a_store_in_a_read_only_folder(tmp_path):
    """The real thing: a file of mode 0444 in a folder of mode 0555, no ``-shm`` beside it."""
    folder = tmp_path / "delad"
    folder.mkdir()
    path = folder / "s.gpkg"
    activity_log.log_activity(
        "N2", month="2025-11", executor="kommun", times=2, plan=activity_plan.load_plan(),
        path=path, now=NOW,
    )  # fmt: skip
    assert [p.name for p in folder.iterdir()] == ["s.gpkg"]  # the writer closed the WAL
    command = [sys.executable, "-m", "geo", "activity", "status", "--month", "2025-11"]
    command += ["--store", str(path)]  # no --as-of: that counts only rows logged by then
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", *command]
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 0, done.stderr
    n2 = next(line for line in done.stdout.splitlines() if line.startswith("N2"))
    assert "Kommunen" in n2 and " 2/" in n2, n2
    assert [p.name for p in folder.iterdir()] == ["s.gpkg"]
