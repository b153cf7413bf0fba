"""Tests of the patrol log: import with quarantine, minutes per ISO week, dosage per place."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from geo import patrol_log
from geo.errors import DataError, ImportFileError
from geo.sites import load_places

TZ = "Europe/Stockholm"
#: The clock of the in-process imports of December 2026's rows: after them all, so the
#: tests do not hang on the day they run (a pass after ``now`` is refused).
NOW = pd.Timestamp("2027-01-10 12:00", tz=TZ)


def _csv(
    path: Path, rows: list[str], header: str = "datum;start;slut;platser;aktivitet;resultat"
) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _log(*spans: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start": [pd.Timestamp(a, tz=TZ) for a, _ in spans],
            "end": [pd.Timestamp(b, tz=TZ) for _, b in spans],
        }
    )


def test_import_stores_rows_and_quarantines_end_before_start(tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "logg.csv",
        [
            "2026-12-04;20:00;21:10;Fjugesta centrum;närvaro;2 samtal",
            "2026-12-05;22:30;21:30;Lanna badgruva;närvaro;",
            "2026-12-06;10:00;10:45;väg 204 vid Hidinge;hastighetskontroll;3 rapporter",
            "2026-12-07;nonsens;11:00;Vintrosa;närvaro;",
        ],
    )
    store = tmp_path / "s.gpkg"
    result = patrol_log.import_log(f, store_path=store, now=NOW)
    assert (result.read, result.stored, result.quarantined, result.duplicates) == (4, 2, 2, 0)
    assert result.reasons == {"ogiltig tid": 1, "sluttid före start": 1}
    q = patrol_log.read_log_quarantine(store)
    assert list(q["line"]) == [3, 5]
    assert "sluttiden 21:30 är inte efter starttiden 22:30" in q["reason"].iloc[0]
    log = patrol_log.read_log(store)
    assert list(log.columns) == list(patrol_log.LOG_COLUMNS)
    assert list(log["minutes"]) == [70.0, 45.0]
    assert list(log["iso_week"]) == ["2026-W49", "2026-W49"]
    assert str(log["start"].dt.tz) == TZ
    again = patrol_log.import_log(f, store_path=store, now=NOW)
    assert (again.stored, again.duplicates) == (0, 2)
    assert len(patrol_log.read_log(store)) == 2


def test_import_xlsx_with_english_headers(tmp_path: Path) -> None:
    f = tmp_path / "log.xlsx"
    pd.DataFrame(
        {
            "date": ["2026-06-13"],
            "start": ["14:00"],
            "end": ["2026-06-13 15:30"],
            "places": ["Leken; Lanna gruva"],
            "activity": ["närvaro/synlighet"],
            "results": ["inga"],
        }
    ).to_excel(f, index=False)
    result = patrol_log.import_log(f, store_path=tmp_path / "s.gpkg")
    assert result.stored == 1
    log = patrol_log.read_log(tmp_path / "s.gpkg")
    dosage = patrol_log.dosage_per_place(log, places=load_places())
    assert set(dosage["place"]) == {"Badplats Leken", "Lanna badgruva"}
    assert dosage["minutes"].sum() == pytest.approx(90.0)


def test_missing_columns_is_a_clear_error(tmp_path: Path) -> None:
    f = _csv(tmp_path / "bad.csv", ["x;y"], header="plats;tid")
    with pytest.raises(ImportFileError, match="date"):
        patrol_log.import_log(f, store_path=tmp_path / "s.gpkg")


def test_minutes_per_week_splits_visits_over_sunday_midnight() -> None:
    log = _log(
        ("2026-12-06 23:30", "2026-12-07 00:45"),  # Sunday W49 → Monday W50
        ("2026-12-08 19:00", "2026-12-08 20:30"),
    )
    weeks = patrol_log.minutes_per_week(log, first_week="2026-W48", last_week="2026-W50")
    assert list(weeks["iso_week"]) == ["2026-W48", "2026-W49", "2026-W50"]
    assert list(weeks["minutes"]) == [0.0, 30.0, 135.0]
    assert list(weeks["met"]) == [False, False, True]


def test_minutes_per_week_handles_iso_week_53() -> None:
    # 2026 has 53 ISO weeks: W53 is 2026-12-28 – 2027-01-03
    log = _log(("2027-01-03 23:00", "2027-01-04 01:00"), ("2026-12-28 08:00", "2026-12-28 10:00"))
    weeks = patrol_log.minutes_per_week(log, first_week="2026-W52", last_week="2027-W01")
    assert list(weeks["iso_week"]) == ["2026-W52", "2026-W53", "2027-W01"]
    assert list(weeks["minutes"]) == [0.0, 180.0, 60.0]
    assert list(weeks["met"]) == [False, True, False]


def test_minutes_per_week_across_dst_change() -> None:
    # 2026-03-29 02:00 → 03:00: a visit 01:30–03:30 lasts 60 real minutes
    log = _log(("2026-03-29 01:30", "2026-03-29 03:30"))
    weeks = patrol_log.minutes_per_week(log, first_week="2026-W13", last_week="2026-W13")
    assert weeks["minutes"].iloc[0] == pytest.approx(60.0)


def test_a_pass_in_octobers_repeated_hour_is_logged_with_its_offset(tmp_path: Path) -> None:
    # 02:00–03:00 comes twice on 25 October 2026; such a pass was refused with no way to
    # say which hour it was: the detail now says how, and the time written so is stored
    f = _csv(
        tmp_path / "logg.csv",
        [
            "2026-10-25;02:10;02:50;Fjugesta centrum;närvaro/synlighet;",
            "2026-10-25;2026-10-25 02:10+01:00;2026-10-25 02:50+01:00;Vintrosa;närvaro;",
            "2026-03-29;02:10;03:20;Fjugesta centrum;närvaro/synlighet;",
        ],
    )
    result = patrol_log.import_log(f, store_path=tmp_path / "s.gpkg", now=NOW)
    assert (result.stored, result.quarantined) == (1, 2)
    details = [e.detail for e in result.examples]
    assert any(
        "'02:10' finns två gånger den 2026-10-25" in d and "2026-10-25 02:10+01:00" in d
        for d in details
    )
    assert any("'02:10' finns inte den 2026-03-29 (sommartid börjar)" in d for d in details)
    stored = patrol_log.read_log(tmp_path / "s.gpkg")
    assert stored["start"].iloc[0] == pd.Timestamp("2026-10-25 01:10", tz="UTC")
    assert stored["minutes"].iloc[0] == pytest.approx(40.0)


def test_bad_week_range() -> None:
    with pytest.raises(DataError, match="before"):
        patrol_log.minutes_per_week(_log(), first_week="2026-W10", last_week="2026-W09")
    with pytest.raises(DataError, match="ISO week"):
        patrol_log.minutes_per_week(_log(), first_week="2026-W60", last_week="2026-W61")


def test_cli_log_import_json(tmp_path: Path) -> None:
    from geo.cli.plan import log_group

    f = _csv(
        tmp_path / "l.csv",
        ["2025-12-04;19:00;21:30;Fjugesta;närvaro;", "2025-12-05;10:00;09:00;Gropen;;"],
    )
    result = CliRunner().invoke(
        log_group, ["import", str(f), "--store", str(tmp_path / "s.gpkg"), "--json"]
    )
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["stored"] == 1 and d["quarantined"] == 1
    assert d["weeks"] == [{"iso_week": "2025-W49", "minutes": 150.0, "met": True, "cancelled": []}]


def test_cli_log_import_never_says_a_week_short_by_seconds_has_the_promises_minutes(
    tmp_path: Path,
) -> None:
    # 18:00:40–20:00:10 is 119.5 minutes: "120 min ✗" read as the promise kept and refused
    from geo.cli.plan import log_group

    f = _csv(tmp_path / "l.csv", ["2025-12-04;18:00:40;20:00:10;Fjugesta;närvaro"],
             header="datum;start;slut;platser;aktivitet")  # fmt: skip
    result = CliRunner().invoke(log_group, ["import", str(f), "--store", str(tmp_path / "s.gpkg")])
    assert result.exit_code == 0, result.output
    assert "2025-W49: 119 min ✗" in result.output


def test_cli_log_import_says_each_weeks_cancelled_trips_and_why(tmp_path: Path) -> None:
    from geo.cli.plan import log_group

    f = _csv(
        tmp_path / "l.csv",
        ["2025-12-04;19:00;20:00;Fjugesta;närvaro;;", "2025-12-06;;;;;;väder"],
        header="datum;start;slut;platser;aktivitet;resultat;inställt",
    )
    args = ["import", str(f), "--store", str(tmp_path / "s.gpkg")]
    result = CliRunner().invoke(log_group, args)
    assert result.exit_code == 0, result.output
    assert "2025-W49: 60 min ✗ (1 inställt pass: väder/väglag)" in result.output
    d = json.loads(CliRunner().invoke(log_group, [*args, "--json"]).stdout)
    assert d["weeks"][0]["cancelled"] == ["väder/väglag"]


def test_bad_rows_name_line_column_value_and_fix_in_swedish(tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "logg.csv",
        [
            "2026-10-19;18:00;19:00;Fjugesta;närvaro;",
            "2026-10-20;2026-10-20 abc;21:00;Fjugesta;närvaro;",
            "",  # a blank line is skipped but still counts as a line of the file
            "2026-10-21;22:30;21:30;Lanna badgruva;närvaro;",
            "2026-10-2x;18:00;19:00;Lanna badgruva;närvaro;",
        ],
    )
    result = patrol_log.import_log(f, store_path=tmp_path / "s.gpkg")
    assert (result.read, result.stored, result.quarantined) == (4, 1, 3)
    assert result.reasons == {"ogiltig tid": 1, "sluttid före start": 1, "ogiltigt datum": 1}
    details = {e.line: e.detail for e in result.examples}
    assert details[3] == (
        "ogiltig tid på rad 3, kolumn start: '2026-10-20 abc' — skriv den som 2026-10-20 18:30"
    )
    assert details[5].startswith("sluttiden 21:30 är inte efter starttiden 22:30 på rad 5")
    assert "skriv slut med datum, t.ex. 2026-10-22 01:30" in details[5]
    assert (
        details[6]
        == "ogiltigt datum på rad 6, kolumn datum: '2026-10-2x' — skriv det som 2026-12-05"
    )
    assert "Unknown" not in " ".join(details.values())  # no English parser message
    stored = patrol_log.read_log_quarantine(tmp_path / "s.gpkg")
    assert dict(zip(stored["line"], stored["reason"], strict=True)) == details


def test_a_row_with_a_personnummer_or_registration_number_is_quarantined_without_it(
    tmp_path: Path,
) -> None:
    f = _csv(
        tmp_path / "logg.csv",
        [
            "2026-12-04;20:00;21:10;Storgatan 5;närvaro;3 rapporter, 1 ordningsbot",
            "2026-12-05;18:00;18:45;Fjugesta;fordonskontroll;förare 19850101-1236 rapporterad",
            "2026-12-06;18:00;18:45;Fjugesta;fordonskontroll;ABC 123 och XYZ12A stoppade",
            # lower case without a separator, an en dash: once kept in the quarantine (reviewer)
            "2026-12-07;18:00;18:45;Fjugesta;kontroll;bil abc123 stoppad, förare 850101–1236",
        ],
    )
    store = tmp_path / "s.gpkg"
    result = patrol_log.import_log(f, store_path=store, now=NOW)
    assert (result.read, result.stored, result.quarantined) == (4, 1, 3)
    assert result.read == result.stored + result.quarantined + result.duplicates
    assert result.reasons == {"personuppgift i text": 3}
    assert [(e.file, e.line) for e in result.examples] == [(str(f), n) for n in (3, 4, 5)]
    assert result.examples[0].detail == (
        "texten på rad 3, kolumn resultat ser ut att innehålla ett personnummer — ta bort det ur"
        " filen och importera den igen (antal och slag räcker: ”3 rapporter, 1 ordningsbot”)"
    )
    assert "ett registreringsnummer — ta bort det" in result.examples[1].detail
    assert list(patrol_log.read_log(store)["places"]) == ["Storgatan 5"]  # an address may stay
    with sqlite3.connect(store) as conn:
        kept = "\n".join(str(v) for row in conn.execute("SELECT * FROM patrol_log_quarantine")
                         for v in row)  # fmt: skip
    for detail in ("19850101-1236", "ABC 123", "XYZ12A", "abc123", "850101–1236"):
        assert detail not in kept  # the quarantine does not keep what it refused
    assert "förare [borttaget] rapporterad" in kept
    assert "bil [borttaget] stoppad, förare [borttaget]" in kept


def test_only_the_first_three_rows_per_reason_are_named_and_the_rest_pointed_to(
    tmp_path: Path,
) -> None:
    from geo.cli.plan import log_group

    rows = [f"2026-10-{d:02d};fel;19:00;Fjugesta;;" for d in range(1, 6)]
    f = _csv(tmp_path / "l.csv", rows)
    result = patrol_log.import_log(f, store_path=tmp_path / "s.gpkg")
    assert result.reasons == {"ogiltig tid": 5}
    assert [e.line for e in result.examples] == [2, 3, 4]
    out = CliRunner().invoke(log_group, ["import", str(f), "--store", str(tmp_path / "t.gpkg")])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert "       5  ogiltig tid" in lines
    assert (
        f"          {f} line 2: ogiltig tid — ogiltig tid på rad 2, kolumn start: 'fel'"
        in "\n".join(lines)
    )
    assert "          … and 2 more: table 'patrol_log_quarantine' in the store" in lines


def test_cli_log_import_json_carries_the_first_bad_rows(tmp_path: Path) -> None:
    from geo.cli.plan import log_group

    f = _csv(tmp_path / "l.csv", ["2025-12-04;19:00;21:30;Fjugesta;närvaro;", "2025-12-05;x;;;;"])
    result = CliRunner().invoke(
        log_group, ["import", str(f), "--store", str(tmp_path / "s.gpkg"), "--json"]
    )
    assert result.exit_code == 0, result.output
    (example,) = json.loads(result.stdout)["examples"]
    assert example == {
        "file": str(f),
        "line": 3,
        "reason": "ogiltig tid",
        "detail": "ogiltig tid på rad 3, kolumn start: 'x' — skriv den som 18:30 (eller med datum:"
        " 2026-12-05 18:30)",
    }


def test_a_pass_in_the_future_is_quarantined_and_counted_in_the_summary(tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "logg.csv",
        [
            "2026-12-04;20:00;21:10;Fjugesta centrum;närvaro;",
            "2026-12-11;18:00;19:00;Lanna badgruva;närvaro;",  # next Friday, by mistake
        ],
    )
    now = pd.Timestamp("2026-12-05 09:00", tz=TZ)
    result = patrol_log.import_log(f, store_path=tmp_path / "s.gpkg", now=now)
    assert (result.read, result.stored, result.quarantined) == (2, 1, 1)
    assert result.read == result.stored + result.quarantined + result.duplicates
    assert result.reasons == {"pass i framtiden": 1}
    (example,) = result.examples
    assert example.line == 3
    assert example.detail.startswith(
        "passet på rad 3 börjar 2026-12-11 18:00, efter nu (2026-12-05 09:00), kolumn datum"
    )
    log = patrol_log.read_log(tmp_path / "s.gpkg")
    weeks = patrol_log.minutes_per_week(log, first_week="2026-W49", last_week="2026-W50")
    assert list(weeks["minutes"]) == [70.0, 0.0]  # the week not yet lived gets nothing


def test_cli_log_import_quarantines_a_pass_after_the_clock(tmp_path: Path) -> None:
    from geo.cli.plan import log_group

    soon = pd.Timestamp.now(tz=TZ) + pd.Timedelta(days=7)
    f = _csv(
        tmp_path / "l.csv",
        ["2025-12-04;19:00;21:30;Fjugesta;närvaro;", f"{soon:%Y-%m-%d};18:00;19:00;Gropen;;"],
    )
    out = CliRunner().invoke(log_group, ["import", str(f), "--store", str(tmp_path / "s.gpkg")])
    assert out.exit_code == 0, out.output
    assert "read 2, stored 1, quarantined 1, duplicates 0" in out.output
    assert "       1  pass i framtiden" in out.output.splitlines()
    assert f"passet på rad 3 börjar {soon:%Y-%m-%d} 18:00, efter nu" in out.output


def test_a_column_added_by_another_process_meanwhile_is_no_error(tmp_path):
    """Writers upgrade an old store; two at once raced to 'duplicate column name: logged_by'."""
    import sqlite3

    from geo.patrol_log import ensure_log_schema

    conn = sqlite3.connect(tmp_path / "s.gpkg")
    ensure_log_schema(conn)  # the column is there now, as after the other process's upgrade

    class SawTheOldTable:
        """A connection whose look at the columns came before the other process's ALTER."""

        def executescript(self, sql: str) -> None:
            conn.executescript(sql)

        def execute(self, sql: str, *args: object) -> object:
            if sql.startswith("PRAGMA table_info"):
                return [row for row in conn.execute(sql) if row[1] != "logged_by"]
            return conn.execute(sql, *args)

    ensure_log_schema(SawTheOldTable())  # type: ignore[arg-type]
    columns = [row[1] for row in conn.execute("PRAGMA table_info(patrol_log)")]
    assert columns.count("logged_by") == 1


def test_overlapping_passes_count_their_shared_time_once() -> None:
    # a kommunpolis's W48: the app's pass 21:03–21:32 and the shift's file row 21:03–21:40
    # (the same pass, another end) made the week 66 min for 37 in the kommun
    log = _log(
        ("2026-11-27 21:03", "2026-11-27 21:32"),
        ("2026-11-27 21:03", "2026-11-27 21:40"),
        ("2026-11-28 20:50", "2026-11-28 21:35"),
        ("2026-11-28 21:35", "2026-11-28 21:45"),  # starts as the other ends: 10 more
        ("2026-11-29 23:30", "2026-11-30 00:30"),  # Sunday → Monday, overlapping the next
        ("2026-11-30 00:00", "2026-11-30 00:45"),
    )
    weeks = patrol_log.minutes_per_week(log, first_week="2026-W48", last_week="2026-W49")
    assert list(weeks["minutes"]) == [37.0 + 55.0 + 30.0, 45.0]
    assert [(e - s).total_seconds() / 60 for s, e in patrol_log.merged_spans(log)] == [
        37.0,
        55.0,
        75.0,
    ]


def test_a_csv_row_split_by_its_own_separator_is_quarantined_with_the_fix(tmp_path: Path) -> None:
    # a kommunpolis's shift file: places written "Fjugesta centrum; Vintrosa", as the page
    # Pass asks ("flera med ;"), in a ;-separated file. In the first row it shifted every
    # row a column (all four refused, "kolumn slut: 'Mullhyttan'"); in a later row the
    # whole file was refused ("C error: Expected 6 fields in line 3, saw 7")
    rows = [
        "2026-12-04;20:10;21:25;Fjugesta centrum; Vintrosa;närvaro;2 samtal",
        "2026-12-04;21:30;21:50;Mullhyttan;fordonskontroll;2 mopeder;;",  # trailing ;: fine
        "",
        '2026-12-05;19:00;19:45;"Gropen; Hidinge";hastighetskontroll;"12 kontrollerade,',
        '2 ordningsböter"',
        "2026-12-05;22:00;22:30;Edsberg;närvaro;1 samtal; 0 rapporter",
        "2026-12-06;10:00;10:30;Knista;närvaro",  # no results: read as empty
    ]
    header = "datum;start;slut;platser;aktivitet;resultat"
    for first in (0, 1):  # the split row first, or after a good one
        f = _csv(tmp_path / f"skift{first}.csv", rows[first:] if first else rows, header)
        store = tmp_path / f"s{first}.gpkg"
        result = patrol_log.import_log(f, store_path=store, now=NOW)
        assert result.reasons == {"för många fält": 2 - first}
        log = patrol_log.read_log(store)
        assert list(log["places"]) == ["Mullhyttan", "Gropen; Hidinge", "Knista"]
        assert list(log["minutes"]) == [20.0, 45.0, 30.0]
        assert log["results"].iloc[1] == "12 kontrollerade,\n2 ordningsböter"
        q = patrol_log.read_log_quarantine(store)
        edsberg = 7 - first  # its line in the file, past the blank line and the quoted cell
        assert list(q["line"]) == ([2] if not first else []) + [edsberg]
        assert f"rad {edsberg} har 7 fält men rubrikraden 6" in q["reason"].iloc[-1]
        assert "citattecken" in q["reason"].iloc[-1]


@pytest.mark.parametrize(
    ("encoding", "sep", "end"),
    [("utf-16", "\t", "\r\n"), ("cp1252", ";", "\r"), ("utf-8-sig", ",", "\n")],
    ids=["excel-unicode-text", "cp1252-lone-cr", "utf8-comma"],
)
def test_a_shift_file_saved_as_excel_saves_text_is_read(
    tmp_path: Path, encoding: str, sep: str, end: str
) -> None:
    # Excel's "Unicode-text" is tab-separated UTF-16: it was decoded as Windows-1252 and
    # refused for lacking its columns, though `geo import` reads the same kind of file
    rows = [
        ["datum", "start", "slut", "platser", "aktivitet", "resultat"],
        ["2026-12-04", "20:10", "21:25", "Fjugesta centrum", "närvaro", "2 samtal, 1 rapport"],
        ["2026-12-05", "19:00", "19:45", "Gropen", "hastighetskontroll", "12 kontrollerade"],
    ]
    f = tmp_path / "skift.csv"
    text = end.join(sep.join(f'"{c}"' if sep in c else c for c in r) for r in rows) + end
    f.write_bytes(text.encode(encoding))
    store = tmp_path / "s.gpkg"
    result = patrol_log.import_log(f, store_path=store, now=NOW)
    assert not result.reasons
    log = patrol_log.read_log(store)
    assert list(log["places"]) == ["Fjugesta centrum", "Gropen"]
    assert list(log["minutes"]) == [75.0, 45.0]
    assert list(log["results"]) == ["2 samtal, 1 rapport", "12 kontrollerade"]


def test_next_weeks_plan_avoids_the_places_visited_not_those_cancelled() -> None:
    # a kommunpolis's W48: Friday's trip done, Saturday's cancelled for an emergency call,
    # Vintrosa visited on Sunday instead. The plan's history read the stored plans only, so
    # W49 avoided Saturday's places as if visited and not Vintrosa on Sunday
    from geo.patrol.plan import recent_visits
    from geo.patrol.stored import visited_stops

    def stop(week: str, order: int, cid: str, place: str, at: str) -> dict[str, object]:
        return {"week": week, "stop_order": order, "candidate_id": cid, "place": place,
                "start": pd.Timestamp(at, tz=TZ), "activity": "närvaro"}  # fmt: skip

    planned = pd.DataFrame(
        [
            stop("2026-W47", 1, "plats:gropen", "Gropen", "2026-11-20 20:17"),
            stop("2026-W48", 1, "plats:mullhyttan", "Mullhyttan", "2026-11-27 21:03"),
            stop("2026-W48", 2, "plats:fjugesta", "Fjugesta centrum", "2026-11-27 21:28"),
            stop("2026-W48", 3, "plats:vintrosa", "Vintrosa", "2026-11-28 20:52"),
            stop("2026-W48", 4, "plats:fjugesta", "Fjugesta centrum", "2026-11-28 21:15"),
        ]
    )
    log = _log(("2026-11-27 20:45", "2026-11-27 21:54"), ("2026-11-29 19:00", "2026-11-29 19:40"))
    log["places"] = ["Mullhyttan; Fjugesta centrum", "Vintrosa"]
    log["activity"] = ["fordonskontroll", "närvaro"]
    visited = visited_stops(planned, log)
    assert [
        (c, f"{pd.Timestamp(t):%a %H:%M}")
        for c, t in zip(visited["candidate_id"], visited["start"], strict=True)
    ] == [
        ("plats:gropen", "Fri 20:17"),  # W47: nothing logged yet, its plan stands
        ("plats:mullhyttan", "Fri 21:03"),
        ("plats:fjugesta", "Fri 21:28"),
        ("plats:vintrosa", "Sun 19:00"),  # off the plan, at the pass's start
    ]
    monday = pd.Timestamp("2026-11-30", tz=TZ)
    hours = recent_visits(visited, monday=monday, weeks=4)
    assert ("plats:vintrosa", 6 * 24 + 19) in hours and ("plats:vintrosa", 5 * 24 + 20) not in hours
    assert visited_stops(planned, log.iloc[0:0]).equals(planned)  # no log: the plans


def test_next_weeks_plan_avoids_a_named_place_patrolled_off_every_plan(tmp_path: Path) -> None:
    # W48's Friday evening spent at Gropen (and "Fjugesta", the town's alias) instead of the
    # plan's stops, and W47 logged with no plan stored at all: the history knew only the
    # places some plan of the four weeks had, so W49 could send the car to Gropen on Friday
    # evening again, as if the police had not been there
    from geo.patrol import stored
    from geo.patrol.plan import recent_visits

    # geo plan and geo run read the store's log so: Friday evening's pass at Gropen counts
    store = tmp_path / "s.gpkg"
    f = _csv(tmp_path / "logg.csv", ["2026-11-27;20:15;21:20;Gropen;närvaro;"])
    assert patrol_log.import_log(f, store_path=store, now=NOW).stored == 1
    monday = pd.Timestamp("2026-11-30", tz=TZ)
    inputs = stored.read_plan_inputs("2026-W49", store_path=store, G=nx.MultiDiGraph())
    assert recent_visits(inputs.previous, monday=monday, weeks=4) == [("plats:gropen", 116)]
    # and a pass naming several places, an alias, in a week with no plan stored
    planned = pd.DataFrame(
        [{"week": "2026-W48", "stop_order": 1, "candidate_id": "plats:mullhyttan",
          "place": "Mullhyttan", "start": pd.Timestamp("2026-11-27 21:03", tz=TZ),
          "activity": "fordonskontroll"}]
    )  # fmt: skip
    log = _log(("2026-11-27 20:15", "2026-11-27 21:20"), ("2026-11-18 19:00", "2026-11-18 19:40"))
    log["places"] = ["Gropen; Fjugesta", "Hidinge"]
    log["activity"] = ["närvaro", "hastighetskontroll"]
    weeks = ["2026-W48", "2026-W47", "2026-W46", "2026-W45"]
    visited = stored.visited_stops(planned, log, weeks=weeks, places=load_places())
    assert recent_visits(visited, monday=monday, weeks=4) == [
        ("plats:hidinge", 2 * 24 + 19),  # W47, no plan stored
        ("plats:fjugesta_centrum", 4 * 24 + 20),
        ("plats:gropen", 4 * 24 + 20),
    ]
    assert list(visited["place"]) == ["Gropen", "Fjugesta centrum", "Hidinge"]


def test_a_cancelled_trip_is_imported_with_its_reason_and_counts_no_minutes(tmp_path: Path) -> None:
    # a kommunpolis's W49: Wednesday's trip called off for an emergency call elsewhere; the
    # 0-minute row was refused, so the follow-up could not say why the week fell short
    f = _csv(
        tmp_path / "logg.csv",
        [
            "2026-12-01;19:00;20:10;Fjugesta centrum;nykterhetskontroll;;;40;40;1;;2",
            "2026-12-02;19:00;;Vintrosa;närvaro;larm i Örebro;annat larm;;;;;",
            "2026-12-03;;;;;;personalbrist;;;;;",
            "2026-12-04;;;;;;ja;;;;;",
            "2026-12-05;;;;närvaro;;personalbrist;3;;;;",
        ],
        header="datum;start;slut;platser;aktivitet;resultat;inställt;kontrollerade;blåsta;"
        "rattfylleri;ordningsböter;rapporter",
    )
    store = tmp_path / "s.gpkg"
    result = patrol_log.import_log(f, store_path=store, now=NOW)
    assert (result.stored, result.quarantined) == (3, 2)
    assert result.reasons == {"okänd orsak till inställt pass": 1, "antal på inställt pass": 1}
    details = [e.detail for e in result.examples]
    assert any("kolumn inställt: 'ja'" in d and "personalbrist" in d for d in details)
    assert any("kolumnen kontrollerade" in d for d in details)
    log = patrol_log.read_log(store)
    assert list(log["cancelled"]) == ["", "larm", "personal"]
    assert list(log["minutes"]) == [70.0, 0.0, 0.0]
    assert log["start"].iloc[2] == pd.Timestamp("2026-12-03 00:00", tz=TZ)  # no planned time
    assert (log["checked"].iloc[0], log["breath_tests"].iloc[0]) == (40, 40)
    assert (log["dui_suspected"].iloc[0], log["reports"].iloc[0]) == (1, 2)
    assert pd.isna(log["fines"].iloc[0])  # empty: not given
    week = patrol_log.minutes_per_week(log, first_week="2026-W49", last_week="2026-W49")
    assert week["minutes"].iloc[0] == 70.0
    dosage = patrol_log.dosage_per_place(log)
    assert list(dosage["place"]) == ["Fjugesta centrum"]  # Vintrosa was not visited
    assert patrol_log.import_log(f, store_path=store, now=NOW).stored == 0  # idempotent


def test_a_cancelled_trip_may_be_logged_before_its_planned_start_but_not_a_day_ahead(
    tmp_path: Path,
) -> None:
    now = pd.Timestamp("2026-12-02 14:00", tz=TZ)
    f = _csv(
        tmp_path / "logg.csv",
        ["2026-12-02;19:00;;;;;personalbrist", "2026-12-03;19:00;;;;;personalbrist"],
        header="datum;start;slut;platser;aktivitet;resultat;inställt",
    )
    result = patrol_log.import_log(f, store_path=tmp_path / "s.gpkg", now=now)
    assert (result.stored, result.reasons) == (1, {"pass i framtiden": 1})


def test_control_counts_need_a_control_and_whole_numbers(tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "logg.csv",
        [
            "2026-12-01;19:00;20:00;Fjugesta;närvaro;;12",
            "2026-12-02;19:00;20:00;Fjugesta;hastighetskontroll;;-3",
            "2026-12-03;19:00;20:00;Fjugesta;hastighetskontroll;;40 st",
        ],
        header="datum;start;slut;platser;aktivitet;resultat;kontrollerade",
    )
    result = patrol_log.import_log(f, store_path=tmp_path / "s.gpkg", now=NOW)
    assert result.reasons == {"antal utan kontroll": 1, "ogiltigt antal": 2}
    details = sorted(e.detail for e in result.examples)
    assert "aktiviteten i kolumnen aktivitet nämner ingen kontroll" in details[2]
    assert details[0] == (
        "antalet kontrollerade förare/fordon på rad 3, kolumn kontrollerade: '-3' — skriv ett"
        " heltal från 0, t.ex. 12 (bara siffror, inget minustecken)"
    )


def test_more_breath_tests_than_drivers_checked_is_quarantined_and_mended_in_either(
    tmp_path: Path,
) -> None:
    header = "datum;start;slut;platser;aktivitet;resultat;kontrollerade;blåsta;rattfylleri"
    rows = [
        "2026-12-01;19:00;20:00;Fjugesta;nykterhetskontroll;;12;40;",
        "2026-12-02;19:00;20:00;Fjugesta;nykterhetskontroll;;;40;",  # not counted: no conflict
        "2026-12-03;19:00;20:00;Fjugesta;nykterhetskontroll;;30;0;2",  # drug driving
        "2026-12-04;19:00;20:00;Vintrosa;nykterhetskontroll;;5;9;",
    ]
    store = tmp_path / "s.gpkg"
    result = patrol_log.import_log(_csv(tmp_path / "a.csv", rows, header), store_path=store,
                                   now=NOW)  # fmt: skip
    assert (result.stored, result.reasons) == (2, {"fler blåsta än kontrollerade": 2})
    assert [e.line for e in result.examples] == [2, 5]
    assert result.examples[0].detail == (
        "rad 2 har 40 blåsta (utandningsprov) i kolumnen blåsta men bara 12 kontrollerade"
        " förare/fordon i kolumnen kontrollerade — varje förare som blåst är också kontrollerad:"
        " skriv alla kontrollerade förare/fordon under passet (minst 40), eller rätta antalet"
        " blåsta (utandningsprov); lämna en kolumn tom om antalet inte räknades"
    )
    # the log saved again with kontrollerade set right on one row and blåsta on the other:
    # both quarantined rows are mended, whichever count was wrong
    rows[0] = rows[0].replace(";12;40;", ";42;40;")
    rows[3] = rows[3].replace(";5;9;", ";5;5;")
    again = patrol_log.import_log(_csv(tmp_path / "b.csv", rows, header), store_path=store,
                                  now=NOW)  # fmt: skip
    assert (again.stored, again.quarantined, again.resolved) == (2, 0, 2)
    assert patrol_log.read_log_quarantine(store, open_only=True).empty


def test_an_older_store_gains_the_cancel_and_count_columns(tmp_path: Path) -> None:
    store = tmp_path / "gammal.gpkg"
    with sqlite3.connect(store) as conn:
        conn.execute(
            "CREATE TABLE patrol_log (log_id TEXT PRIMARY KEY, start TEXT NOT NULL, end TEXT NOT"
            " NULL, minutes REAL NOT NULL, places TEXT NOT NULL, activity TEXT, results TEXT,"
            " file TEXT NOT NULL, line INTEGER NOT NULL, imported_at TEXT NOT NULL,"
            " logged_by TEXT)"
        )
        conn.execute(
            "INSERT INTO patrol_log VALUES ('a', '2026-12-02T17:00:00+01:00',"
            " '2026-12-02T18:00:00+01:00', 60, 'Leken', 'hastighetskontroll', '', 'logg.csv',"
            " 2, 'x', NULL)"
        )
    old = patrol_log.read_log(store)  # a reader reads it as it is
    assert (list(old["cancelled"]), list(old["minutes"])) == ([""], [60.0])
    f = _csv(
        tmp_path / "logg.csv",
        ["2026-12-03;19:00;20:00;Leken;hastighetskontroll;;25;;;;3"],
        header="datum;start;slut;platser;aktivitet;resultat;kontrollerade;blåsta;rattfylleri;"
        "ordningsböter;rapporter",
    )
    assert patrol_log.import_log(f, store_path=store, now=NOW).stored == 1
    with sqlite3.connect(store) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(patrol_log)")]
    assert set(patrol_log.ADDED_COLUMNS) <= set(columns)
    log = patrol_log.read_log(store)
    assert list(log["cancelled"]) == ["", ""]
    assert list(log["checked"].fillna(-1)) == [-1, 25]


def test_a_week_whose_trip_was_cancelled_avoids_none_of_its_places_next_week() -> None:
    # W47's only trip called off: its plan's places were never reached, so W48's plan must
    # not avoid them (a week with nothing logged keeps its plan; a cancelled pass is logged)
    from geo.patrol.stored import visited_stops

    def stop(week: str, cid: str, place: str, at: str) -> dict[str, object]:
        return {"week": week, "stop_order": 1, "candidate_id": cid, "place": place,
                "start": pd.Timestamp(at, tz=TZ), "activity": "närvaro"}  # fmt: skip

    planned = pd.DataFrame(
        [
            stop("2026-W47", "plats:gropen", "Gropen", "2026-11-20 20:17"),
            stop("2026-W48", "plats:vintrosa", "Vintrosa", "2026-11-27 20:52"),
        ]
    )
    # each trip logged with its places; W47's cancelled (at the Monday's first minute, no
    # planned time), W48's cancelled at its planned start
    log = _log(("2026-11-16 00:00", "2026-11-16 00:00"), ("2026-11-27 20:40", "2026-11-27 20:40"))
    log["places"] = ["Gropen", "Vintrosa"]
    log["activity"] = ["närvaro", "närvaro"]
    log["cancelled"] = ["personal", "larm"]
    assert visited_stops(planned, log).empty
    log["cancelled"] = ["", ""]  # the same rows done: the stops count (the pass covers them)
    log["end"] = log["start"] + pd.Timedelta(hours=1)
    log.loc[0, "start"] = pd.Timestamp("2026-11-20 20:00", tz=TZ)
    log.loc[0, "end"] = pd.Timestamp("2026-11-20 21:00", tz=TZ)
    assert list(visited_stops(planned, log)["candidate_id"]) == ["plats:gropen", "plats:vintrosa"]
