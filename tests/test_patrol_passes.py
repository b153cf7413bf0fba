"""Passes logged in the app: the same rules as the file import, idempotent saves, an audit."""

from __future__ import annotations

import csv
import sqlite3
import tempfile
import uuid
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from geo import patrol_log, patrol_passes
from geo.patrol_log_fields import CONTROL_COUNTS
from geo.patrol_log_rows import ROW_FIELDS, TEXT_MAX_CHARS
from geo.users import User
from tests._pass_fixtures import pass_payload

PER = User("per", "polis", "editor")
#: The clock of the in-process checks: mid-way through the days drawn, so that some rows
#: start after it (refused as ``pass i framtiden``) whatever day the tests run.
NOW = pd.Timestamp("2026-12-01 18:30", tz="Europe/Stockholm")

_DAYS = ["2026-12-01", "2026-03-29", "2026-10-25", "2026-12-31", " 2026-06-13 "]
_BAD_DAYS = ["", "igår", "2026-13-01", "31/12", "2026-02-30"]
_TEXT = st.text(alphabet="abcåäö ABC019,;:.-/'\"", max_size=30)


@st.composite
def clocks(draw: st.DrawFn) -> str:
    """A start or end cell as the police write it, well or badly."""
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    kind = draw(st.sampled_from(["hh:mm", "hh.mm", "dated", "bad", "gap", "hour25"]))
    if kind == "hh:mm":
        return f"{hour:02d}:{minute:02d}"
    if kind == "hh.mm":
        return f"{hour}.{minute:02d}"
    if kind == "dated":
        return f"{draw(st.sampled_from(_DAYS)).strip()} {hour:02d}:{minute:02d}"
    if kind == "gap":  # 2026-03-29 02:00–03:00 does not exist in Sweden
        return f"02:{minute:02d}"
    if kind == "hour25":
        return f"25:{minute:02d}"
    return draw(st.sampled_from(["", "sju", "kväll", "18:3x", "18:30:99"]))


@st.composite
def likely_pass(draw: st.DrawFn) -> dict[str, str]:
    """Date, start and end of a pass as written: an end within five hours, dated past midnight."""
    day = pd.Timestamp(draw(st.sampled_from(_DAYS)).strip())
    start = day + pd.Timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))
    end = start + pd.Timedelta(minutes=draw(st.integers(-30, 300)))
    clock = "%Y-%m-%d %H:%M" if end.date() != day.date() else "%H:%M"
    return {"date": f"{day:%Y-%m-%d}", "start": f"{start:%H:%M}", "end": f"{end:{clock}}"}


@st.composite
def rows(draw: st.DrawFn) -> dict[str, str]:
    """A row of the patrol log: date, start, end and texts, sometimes too long."""
    row = draw(
        likely_pass()
        | st.fixed_dictionaries(
            {
                "date": st.sampled_from(_DAYS + _BAD_DAYS),
                "start": clocks(),
                "end": clocks(),
            }
        )
    )
    for field, max_chars in TEXT_MAX_CHARS.items():
        long = draw(st.booleans()) and draw(st.integers(0, 9)) == 0
        row[field] = "x" * (max_chars + 1) if long else draw(_TEXT)
    if draw(st.booleans()):  # a control with its counts, or a trip called off
        row["activity"] = draw(st.sampled_from(["nykterhetskontroll", "närvaro", row["activity"]]))
        row["cancelled"] = draw(st.sampled_from(["", "", "personalbrist", "Annat larm", "ja"]))
        for field in CONTROL_COUNTS:
            row[field] = draw(st.sampled_from(["", "", "0", "40", " 3 ", "-1", "3,5", "9999"]))
    return row


def _stored(store: Path) -> tuple[object, ...]:
    """Return the one stored row's minutes, cancel reason and control counts."""
    row = patrol_log.read_log(store).iloc[0]
    counts = tuple(None if pd.isna(row[c]) else int(row[c]) for c in CONTROL_COUNTS)
    return (float(row["minutes"]), row["cancelled"], *counts)


def _through_the_file(row: dict[str, str], folder: Path) -> tuple[object, ...] | None:
    """Import ``row`` as a one-row CSV; return what is stored (:func:`_stored`), or ``None``."""
    path = folder / "logg.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(ROW_FIELDS)
        writer.writerow([row.get(c, "") for c in ROW_FIELDS])
    store = folder / "fil.gpkg"
    result = patrol_log.import_log(path, store_path=store, now=NOW)
    assert result.read == 1 and result.stored + result.quarantined == 1
    return _stored(store) if result.stored else None


def _through_the_app(row: dict[str, str], folder: Path) -> tuple[object, ...] | None:
    """Save ``row`` as a pass; return what is stored (:func:`_stored`), or ``None``."""
    store = folder / "webb.gpkg"
    try:
        patrol_passes.save_pass(str(uuid.uuid4()), row, user=PER, path=store, now=NOW)
    except patrol_passes.PassValidationError as e:
        errors = e.errors
    else:
        return _stored(store)
    # one field, one fix; or the choice of each time October's clock change repeats
    choices = set(patrol_passes.OFFSET_FIELDS.values())
    assert (len(errors) == 1 and set(errors) <= set(ROW_FIELDS)) or set(errors) <= choices
    return None


@hsettings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(rows())
def test_the_app_and_the_file_import_accept_and_refuse_the_same_rows(row):
    assume(any(v.strip() for v in row.values()))  # a blank line is no row in a file
    with tempfile.TemporaryDirectory() as folder:
        by_file = _through_the_file(row, Path(folder))
        by_app = _through_the_app(row, Path(folder))
    event("accepted" if by_app is not None else "refused")
    assert by_file == by_app


def test_an_older_store_gets_the_logged_by_column(tmp_path):
    store = tmp_path / "gammal.gpkg"
    with sqlite3.connect(store) as conn:
        conn.execute(
            "CREATE TABLE patrol_log (log_id TEXT PRIMARY KEY, start TEXT NOT NULL, end TEXT NOT"
            " NULL, minutes REAL NOT NULL, places TEXT NOT NULL, activity TEXT, results TEXT,"
            " file TEXT NOT NULL, line INTEGER NOT NULL, imported_at TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO patrol_log VALUES ('a', '2025-12-02T17:00:00+01:00',"
            " '2025-12-02T18:00:00+01:00', 60, 'Leken', '', '', 'logg.csv', 2, 'x')"
        )
    patrol_passes.save_pass(str(uuid.uuid4()), pass_payload(), user=PER, path=store)
    log = patrol_log.read_log(store)
    assert sorted(log["minutes"]) == [45.0, 60.0]
    week = patrol_passes.read_week_passes("2025-W49", path=store)  # pass_payload()'s
    assert [(p["file"], p["logged_by"]) for p in week] == [("logg.csv", None), ("webb", "per")]


def test_a_file_row_cannot_be_corrected_in_the_app(tmp_path):
    path = tmp_path / "logg.csv"
    path.write_text("datum;start;slut;platser\n2026-12-01;18:00;19:00;Leken\n", encoding="utf-8")
    store = tmp_path / "s.gpkg"
    patrol_log.import_log(path, store_path=store, now=NOW)
    (row,) = patrol_passes.read_week_passes("2026-W49", path=store)
    with pytest.raises(patrol_passes.PassValidationError):  # a file row's id is not a UUID
        patrol_passes.save_pass(row["log_id"], pass_payload(), user=PER, path=store, now=NOW)
    with pytest.raises(patrol_passes.PassNotFoundError):
        patrol_passes.remove_pass(str(uuid.uuid4()), user=PER, path=store)


def test_a_pass_logged_in_the_app_and_in_a_file_counts_once(tmp_path):
    """The same hour logged both ways made the week's 120 minutes out of 60."""
    store = tmp_path / "s.gpkg"
    row = {"date": "2025-12-02", "start": "18:00", "end": "19:00", "places": "Leken"}
    patrol_passes.save_pass(str(uuid.uuid4()), row, user=PER, path=store)
    path = tmp_path / "logg.csv"
    path.write_text("datum;start;slut;platser\n2025-12-02;18:00;19:00;Lekens badplats\n", "utf-8")
    result = patrol_log.import_log(path, store_path=store)
    assert (result.stored, result.duplicates) == (0, 1)
    weekly = patrol_log.minutes_per_week(
        patrol_log.read_log(store), first_week="2025-W49", last_week="2025-W49"
    )
    assert list(weekly["minutes"]) == [60]
    # the other way round: the file first, then the app refuses the same hour
    other = tmp_path / "other.gpkg"
    patrol_log.import_log(path, store_path=other)
    with pytest.raises(patrol_passes.PassValidationError) as refused:
        patrol_passes.save_pass(str(uuid.uuid4()), row, user=PER, path=other)
    assert "importerat från logg.csv" in refused.value.errors["start"]
    assert len(patrol_log.read_log(other)) == 1


def test_a_pass_logged_on_the_page_resolves_the_row_a_file_import_quarantined(tmp_path):
    # `geo log import` refused the shift's speed check (its end before its start) and told
    # the officer to set it right; logged again on Pass, it stayed in the open quarantine
    # for good, though the file's pass set right would have resolved it
    store, log = tmp_path / "s.gpkg", tmp_path / "skift.csv"
    log.write_text(
        "datum;start;slut;platser;aktivitet;resultat;kontrollerade\n"
        "2025-12-05;18:00;17:00;väg 204 vid Hidinge;hastighetskontroll;;12\n"
        "2025-12-07;nonsens;11:00;Vintrosa;närvaro;;\n",
        encoding="utf-8",
    )
    assert patrol_log.import_log(log, store_path=store, now=NOW).quarantined == 2
    pid = str(uuid.uuid4())
    body = pass_payload(
        date="2025-12-05", end="19:00", places="väg 204 vid Hidinge",
        activity="hastighetskontroll", results="", checked=12,
    )  # fmt: skip

    def still_open() -> list[int]:
        return list(patrol_log.read_log_quarantine(store, open_only=True)["line"])

    saved = patrol_passes.save_pass(pid, body, user=PER, path=store, now=NOW)
    assert saved.mended == ((str(log), 2),) and still_open() == [3]
    quarantine = patrol_log.read_log_quarantine(store)
    assert list(quarantine["resolved_by"].fillna("")) == [pid, ""]  # the record stays
    # corrected to another pass, it mends the row no more; set back, it does again
    other = patrol_passes.save_pass(pid, {**body, "places": "Gropen"}, user=PER, path=store)
    assert other.mended == () and still_open() == [2, 3]
    assert patrol_passes.save_pass(pid, body, user=PER, path=store).mended == saved.mended
    patrol_passes.remove_pass(pid, user=PER, path=store)  # a pass no longer logged mends nothing
    assert still_open() == [2, 3]


@pytest.mark.parametrize(("first", "second"), [("+02:00", "+02:00"), ("+02:00", "+01:00")])
def test_the_pages_choice_in_the_repeated_hour_stores_what_a_files_offset_does(
    tmp_path, first, second
):
    day = "2026-10-25"
    in_file = {"date": day, "start": f"{day} 02:10{first}", "end": f"{day} 02:50{second}"}
    on_page = {"date": day, "start": "02:10", "end": "02:50"}
    by_file = _through_the_file(in_file, tmp_path)
    by_app = _through_the_app({**on_page, "start_offset": first, "end_offset": second}, tmp_path)
    assert by_file is not None and by_file == by_app


OLLE = User("olle", "polis", "editor")
#: A shift's speed check whose end is before its start, and the same pass set right as
#: another car logged it (another end: the row is refused for its end, mended in any).
_BAD_ROW = "2025-12-05;18:00;17:00;väg 204 vid Hidinge;hastighetskontroll;;12"
_OTHER_ROW = "2025-12-05;18:00;19:10;väg 204 vid Hidinge;hastighetskontroll;;12"


def _one_row_log(path: Path, row: str) -> Path:
    path.write_text(f"datum;start;slut;platser;aktivitet;resultat;kontrollerade\n{row}\n", "utf-8")
    return path


@pytest.mark.parametrize("gone", ["removed", "corrected"])
@pytest.mark.parametrize("other", ["page", "file"])
@pytest.mark.parametrize("order", ["other first", "other later"])
def test_a_reopened_row_is_resolved_at_once_by_another_pass_that_mends_it(
    tmp_path, gone, other, order
):
    # two cars logged the speed check set right; the one that resolved the row was removed
    # (or corrected to another place) and the row stayed open, though the other pass mends
    # it, until that one was saved again
    store = tmp_path / "s.gpkg"
    body = pass_payload(
        date="2025-12-05", end="19:00", places="väg 204 vid Hidinge",
        activity="hastighetskontroll", results="", checked=12,
    )  # fmt: skip
    mender, other_id = str(uuid.uuid4()), str(uuid.uuid4())

    def store_the_other() -> str:
        if other == "page":
            patrol_passes.save_pass(other_id, {**body, "end": "19:10"}, user=OLLE, path=store)
            return other_id
        f = _one_row_log(tmp_path / "bil2.csv", _OTHER_ROW)
        assert patrol_log.import_log(f, store_path=store, now=NOW).stored == 1
        with sqlite3.connect(store) as conn:
            return str(
                conn.execute("SELECT log_id FROM patrol_log WHERE file = ?", (str(f),)).fetchone()[
                    0
                ]
            )

    def resolved_by() -> list[str]:
        return list(patrol_log.read_log_quarantine(store)["resolved_by"].fillna(""))

    if order == "other first":  # stored before the row was quarantined: it mends it at once
        other_id = store_the_other()
    bad = _one_row_log(tmp_path / "skift.csv", _BAD_ROW)
    imported = patrol_log.import_log(bad, store_path=store, now=NOW)
    assert (imported.quarantined, imported.already_mended) == (1, int(order == "other first"))
    saved = patrol_passes.save_pass(mender, body, user=PER, path=store)
    if order == "other later":  # the row is the mender's already
        assert saved.mended == ((str(bad), 2),)
        other_id = store_the_other()
        assert resolved_by() == [mender]
    else:
        assert saved.mended == () and resolved_by() == [other_id]
    if gone == "removed":
        patrol_passes.remove_pass(mender, user=PER, path=store)
    else:
        patrol_passes.save_pass(mender, {**body, "places": "Gropen"}, user=PER, path=store)
    assert resolved_by() == [other_id]
    assert patrol_log.read_log_quarantine(store, open_only=True).empty


#: Passes as the form sends them, of each shape a stored pass is told back from.
_SENT = [
    pass_payload(activity="nykterhetskontroll", checked="40", breath_tests=" 12 "),
    pass_payload(start="23:30", end="2025-12-03 00:45"),  # past midnight
    # October's repeated hour, told by the offsets chosen
    pass_payload(date="2025-10-26", start="02:10", end="02:50", start_offset="+02:00",
                 end_offset="+01:00"),
    pass_payload(cancelled="larm", start="", end=""),  # no planned start
    pass_payload(cancelled="vader", start="19:00", end=""),
]  # fmt: skip


@pytest.mark.parametrize("sent", _SENT)
def test_a_stored_pass_mends_by_the_keys_it_was_saved_with(tmp_path, sent):
    # another pass takes over a reopened row by what is stored of it (no cells are kept)
    store, pid = tmp_path / "s.gpkg", str(uuid.uuid4())
    patrol_passes.save_pass(pid, sent, user=PER, path=store, now=NOW)
    stored = patrol_passes.read_pass(pid, path=store)
    assert stored is not None
    form = patrol_passes.form_row(sent)  # the cells the form's fields make
    assert patrol_log.mended_keys(patrol_log.pass_cells(stored)) == patrol_log.mended_keys(form)
