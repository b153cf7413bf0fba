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


def _log(path: Path, checked: int = 40, blew: int = 38) -> Path:
    path.write_text(f"{HEADER}\n{ROW.format(checked=checked, blew=blew)}\n", encoding="utf-8")
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


def test_an_older_copy_of_the_file_does_not_undo_a_correction(tmp_path):
    store = tmp_path / "s.gpkg"
    old = _log(tmp_path / "logg.csv")
    _import(old, store)
    assert _import(_log(tmp_path / "logg-v2.csv", checked=42), store).corrected == 1
    r = _import(old, store)
    assert (r.corrected, r.duplicates) == (0, 1)
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
