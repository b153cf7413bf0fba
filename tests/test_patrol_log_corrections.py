"""A file's pass is corrected by its row imported again with other values; Pass's never is."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from geo import patrol_log, patrol_passes
from geo.patrol_log_controls import broken_bounds
from geo.users import User
from tests._pass_fixtures import pass_payload

NOW = pd.Timestamp("2026-11-12 09:00", tz="Europe/Stockholm")
HEADER = "datum;start;slut;platser;aktivitet;resultat;kontrollerade;blåsta"
#: A sobriety check of October, as the shift's file has it: 40 drivers checked, 38 blew.
ROW = "2026-10-07;19:00;21:00;Fjugesta centrum;nykterhetskontroll;;{checked};{blew}"


def _log(path: Path, checked: int = 40, blew: int = 38, *, newline: str = "\n") -> Path:
    row = ROW.format(checked=checked, blew=blew)
    path.write_bytes(f"{HEADER}{newline}{row}{newline}".encode())
    return path


def _import(path: Path, store: Path) -> patrol_log.LogImportResult:
    result = patrol_log.import_log(path, store_path=store, now=NOW)
    assert result.read == (
        result.stored + result.corrected + result.quarantined + result.duplicates + result.repeats
    )
    return result


def _counts(store: Path) -> list[tuple[float, float]]:
    log = patrol_log.read_log(store)
    return list(zip(log["checked"], log["breath_tests"], strict=True))


def _broken_pass(tmp_path: Path) -> tuple[Path, str]:
    """Store the pass with 45 blåsta of 40 kontrollerade, as the version before the rule did."""
    store = tmp_path / "s.gpkg"
    assert _import(_log(tmp_path / "logg.csv"), store).stored == 1
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE patrol_log SET breath_tests = 45")
        (log_id,) = conn.execute("SELECT log_id FROM patrol_log").fetchone()
    return store, str(log_id)


def test_a_file_pass_whose_counts_cannot_be_true_is_corrected_by_its_row_set_right(tmp_path):
    # the pass could be set right nowhere: Pass edits only the author's passes logged there,
    # and the file set right was a duplicate of it (same times and places), ignored
    store, log_id = _broken_pass(tmp_path)
    f = _log(tmp_path / "logg-rattad.csv", checked=45, blew=45)
    r = _import(f, store)
    assert (r.stored, r.corrected, r.duplicates) == (0, 1, 0)
    assert _counts(store) == [(45, 45)]
    assert broken_bounds(patrol_log.read_log(store)).map(len).sum() == 0  # summed again
    (corrected,) = r.corrections
    assert (corrected.line, corrected.log_id) == (2, log_id)
    assert str(corrected) == f"{f} line 2: kontrollerade 40 → 45"  # blåsta were right
    # the audit says who, when and what it was
    changes = patrol_passes.read_pass_changes(log_id, path=store)
    assert list(changes["action"]) == ["ändrad"]
    assert list(changes["changed_by"]) == ["fil logg-rattad.csv (geo log import)"]
    before, after = json.loads(changes["before"][0]), json.loads(changes["after"][0])
    assert (before["checked"], before["breath_tests"]) == (40, 45)
    assert (after["checked"], after["breath_tests"]) == (45, 45)
    stored = patrol_passes.read_pass(log_id, path=store)
    assert stored is not None and stored["file"] == str(f)  # where it is written right now
    # imported again, the file corrects nothing more
    assert _import(f, store).corrected == 0
    assert len(patrol_passes.read_pass_changes(log_id, path=store)) == 1


def test_the_command_says_what_a_correction_changed(tmp_path):
    from geo.cli.plan import log_group

    store, _ = _broken_pass(tmp_path)
    f = _log(tmp_path / "logg-rattad.csv", checked=40, blew=30)
    out = CliRunner().invoke(log_group, ["import", str(f), "--store", str(store)])
    assert out.exit_code == 0, out.output
    assert "read 1, stored 0, quarantined 0, duplicates 0, corrected 1" in out.output
    assert f"corrected (rättad): {f} line 2: blåsta 45 → 30" in out.output
    data = json.loads(
        CliRunner().invoke(log_group, ["import", str(f), "--store", str(store), "--json"]).stdout
    )
    assert (data["corrected"], data["duplicates"], data["corrections"]) == (0, 1, [])


def test_a_correction_breaking_the_rules_is_quarantined_and_changes_nothing(tmp_path):
    store, log_id = _broken_pass(tmp_path)
    r = _import(_log(tmp_path / "fel-igen.csv", checked=40, blew=46), store)
    assert (r.corrected, r.reasons) == (0, {"fler blåsta än kontrollerade": 1})
    # the pass that breaks the rule is no pass set right: the row stays open, its fix shown
    assert (r.already_mended, len(r.examples)) == (0, 1)
    assert _counts(store) == [(40, 45)]
    assert patrol_passes.read_pass_changes(log_id, path=store).empty
    # set right, the file corrects the pass and resolves the row
    r = _import(_log(tmp_path / "ratt.csv", checked=46, blew=46), store)
    assert (r.corrected, r.resolved) == (1, 1)
    assert patrol_log.read_log_quarantine(store, open_only=True).empty


def _changes(store: Path) -> list[tuple[str, int, int]]:
    """Return the pass's audit: who, and its kontrollerade before and after."""
    (log_id,) = patrol_log.read_log(store)["log_id"]
    rows = patrol_passes.read_pass_changes(log_id, path=store).to_dict("records")
    return [
        (r["changed_by"], json.loads(r["before"])["checked"], json.loads(r["after"])["checked"])
        for r in rows
    ]


def test_an_older_copy_of_the_file_does_not_undo_a_correction(tmp_path):
    store = tmp_path / "s.gpkg"
    old = _log(tmp_path / "logg.csv")
    _import(old, store)
    assert _import(_log(tmp_path / "logg-v2.csv", checked=42), store).corrected == 1
    r = _import(old, store)  # its bytes were imported before
    assert (r.corrected, r.duplicates) == (0, 1)
    assert _counts(store) == [(42, 38)]
    assert _changes(store) == [("fil logg-v2.csv (geo log import)", 40, 42)]


def test_a_file_never_imported_sets_a_pass_back_to_a_value_it_had(tmp_path):
    # 42 kontrollerade was the mistake: the file set right says 40 again, as the first did;
    # it was taken for an older copy and the pass kept 42 for good
    store = tmp_path / "s.gpkg"
    first, second = _log(tmp_path / "logg.csv"), _log(tmp_path / "logg-v2.csv", checked=42)
    _import(first, store)
    assert _import(second, store).corrected == 1
    third = _log(tmp_path / "logg-v3.csv", newline="\r\n")  # saved again by Excel: other bytes
    r = _import(third, store)
    assert (r.corrected, r.duplicates) == (1, 0)
    assert [str(c) for c in r.corrections] == [f"{third} line 2: kontrollerade 42 → 40"]
    assert _counts(store) == [(40, 38)]
    # each correction is audited, naming its file
    assert _changes(store) == [
        ("fil logg-v2.csv (geo log import)", 40, 42),
        ("fil logg-v3.csv (geo log import)", 42, 40),
    ]
    # the mistaken file imported again, the same bytes, is an older copy: nothing changes
    for again in (second, first):
        r = _import(again, store)
        assert (r.corrected, r.duplicates) == (0, 1)
    assert _counts(store) == [(40, 38)]
    assert len(_changes(store)) == 2


def test_a_store_that_did_not_keep_its_files_takes_an_earlier_value_for_an_older_copy(tmp_path):
    # a store whose first file was imported before files were kept: its bytes are unknown,
    # so a row with the values it gave the pass is still taken for an older copy of it
    store = tmp_path / "s.gpkg"
    old = _log(tmp_path / "logg.csv")
    _import(old, store)
    with sqlite3.connect(store) as conn:
        conn.execute(f"DELETE FROM {patrol_log.FILES_TABLE}")
    assert _import(_log(tmp_path / "logg-v2.csv", checked=42), store).corrected == 1
    r = _import(old, store)
    assert (r.corrected, r.duplicates) == (0, 1)
    assert _counts(store) == [(42, 38)]
    # a value set since the files are kept may come back, from a file never imported
    assert _import(_log(tmp_path / "logg-v3.csv", checked=45, blew=45), store).corrected == 1
    assert _import(_log(tmp_path / "v4.csv", checked=42, newline="\r\n"), store).corrected == 1
    assert _counts(store) == [(42, 38)]


def test_a_pass_logged_on_the_page_is_never_changed_by_a_file(tmp_path):
    store, pid = tmp_path / "s.gpkg", str(uuid.uuid4())
    body = pass_payload(date="2026-10-07", start="19:00", end="21:00", places="Fjugesta centrum",
                        activity="nykterhetskontroll", results="", checked="40",
                        breath_tests="38")  # fmt: skip
    patrol_passes.save_pass(pid, body, user=User("per", "polis", "editor"), path=store, now=NOW)
    r = _import(_log(tmp_path / "logg.csv", checked=50, blew=12), store)
    assert (r.stored, r.corrected, r.duplicates) == (0, 0, 1)
    assert _counts(store) == [(40, 38)]
    assert list(patrol_passes.read_pass_changes(pid, path=store)["action"]) == ["skapad"]


def test_an_import_reads_when_the_files_were_first_kept_once_not_per_row(tmp_path, monkeypatch):
    # a shift's file set right on every row: each row that differs was checked against the
    # time the store began to keep its files, read again from the table for every row
    store = tmp_path / "s.gpkg"
    rows = [ROW.replace("2026-10-07", f"2026-10-{day:02d}") for day in range(1, 8)]

    def write(path: Path, checked: int) -> Path:
        text = "\n".join([HEADER, *(r.format(checked=checked, blew=38) for r in rows)])
        path.write_text(text + "\n", encoding="utf-8")
        return path

    assert _import(write(tmp_path / "logg.csv", 40), store).stored == len(rows)
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    assert _import(write(tmp_path / "logg-rattad.csv", 42), store).corrected == len(rows)
    assert sum(f"min(imported_at) FROM {patrol_log.FILES_TABLE}" in s for s in statements) == 1
    assert _counts(store) == [(42, 38)] * len(rows)
