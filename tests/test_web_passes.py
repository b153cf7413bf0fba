"""The pass page and ``/api/pass…`` on a real ``geo serve``: who may do what, retries, mistakes."""

from __future__ import annotations

import sqlite3
import uuid

import pandas as pd
import pytest
from _web_fixtures import PASSWORD, client, make_store, running_server

from geo import patrol_log, patrol_passes, users
from geo.web.passes import this_week
from geo.weeks import local_now, shift_week
from tests._pass_fixtures import add_police, pass_payload, store_plan

#: A police editor whose name is found nowhere else on the page ("per" is in "perioden").
POLICE_NAME = "kalle.qvist"
WEEK = "2025-W49"  # 2025-12-01 – 2025-12-07, a week lived; pass_payload() is on its Tuesday


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pass")
    path = make_store(folder)
    add_police(path)
    users.add_user(POLICE_NAME, org="polis", role="editor", password=PASSWORD, path=path)
    store_plan(path, WEEK)
    with running_server(path, folder / "server.log") as base:
        yield base, path


@pytest.fixture
def per(server):
    with client(server[0], "per") as c:
        yield c


def new_id() -> str:
    return str(uuid.uuid4())


def week_minutes(path, week=WEEK) -> float:
    log = patrol_log.read_log(path)
    return float(patrol_log.minutes_per_week(log, first_week=week, last_week=week)["minutes"][0])


def test_a_police_editor_logs_a_pass_and_a_retry_adds_nothing(server, per):
    _base, path = server
    pid = new_id()
    before = week_minutes(path, "2025-W50")
    body = pass_payload(date="2025-12-09", results="retry-test")
    r = per.put(f"/api/pass/{pid}", json=body)
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["created"] and data["week"] == "2025-W50"
    assert data["pass"]["minutes"] == 45 and data["pass"]["own"]
    again = per.put(f"/api/pass/{pid}", json=body)  # the answer was lost: the browser resends
    assert again.status_code == 200 and again.json()["changed"] is False
    assert week_minutes(path, "2025-W50") == before + 45
    stored = patrol_passes.read_pass(pid, path=path)
    assert stored is not None
    assert (stored["file"], stored["logged_by"]) == (patrol_log.WEB_FILE, "per")
    changes = patrol_passes.read_pass_changes(pid, path=path)
    assert list(changes["action"]) == ["skapad"]


def test_the_author_corrects_and_removes_a_pass_and_the_audit_keeps_both(server, per):
    _base, path = server
    pid = new_id()
    body = pass_payload(date="2025-12-16", start="19:00", end="19:30")
    assert per.put(f"/api/pass/{pid}", json=body).status_code == 201
    r = per.put(f"/api/pass/{pid}", json={**body, "end": "20:10", "results": "1 ordningsbot"})
    assert r.status_code == 200 and r.json()["changed"] is True
    assert r.json()["pass"]["minutes"] == 70
    assert week_minutes(path, "2025-W51") == 70
    shown = per.get(f"/api/pass/{pid}").json()
    assert [c["what"] for c in shown["changes"]] == ["Skapad", "Ändrad"]
    assert ("Slut", "2025-12-16 19:30", "2025-12-16 20:10") in [
        tuple(f) for f in shown["changes"][1]["fields"]
    ]
    assert per.delete(f"/api/pass/{pid}").json() == {"removed": True}
    assert per.delete(f"/api/pass/{pid}").json() == {"removed": False}  # a retry
    assert week_minutes(path, "2025-W51") == 0
    assert patrol_passes.read_pass(pid, path=path) is None
    assert list(patrol_passes.read_pass_changes(pid, path=path)["action"]) == [
        "skapad",
        "ändrad",
        "borttagen",
    ]
    # a late retry of the first save does not bring the removed pass back
    r = per.put(f"/api/pass/{pid}", json=body)
    assert r.status_code == 409 and "borttaget" in r.json()["detail"]
    assert week_minutes(path, "2025-W51") == 0


def test_only_police_editors_write_and_only_their_own_passes(server, per):
    base, _path = server
    pid = new_id()
    assert per.put(f"/api/pass/{pid}", json=pass_payload(date="2025-12-03")).status_code == 201
    for name in ("anna", "ulla", "vera"):  # kommun editor, kommun viewer, police viewer
        with client(base, name) as c:
            r = c.put(f"/api/pass/{new_id()}", json=pass_payload())
            assert r.status_code == 403, name
            assert "polisens redigerare" in r.json()["detail"]
            assert c.delete(f"/api/pass/{pid}").status_code == 403
    with client(base, "olle") as olle:  # another police editor
        r = olle.put(f"/api/pass/{pid}", json=pass_payload(date="2025-12-03", end="19:00"))
        assert r.status_code == 403 and "någon annan" in r.json()["detail"]
        assert olle.delete(f"/api/pass/{pid}").status_code == 403
    with client(base) as anon:
        assert anon.put(f"/api/pass/{new_id()}", json=pass_payload()).status_code == 401
        assert anon.get("/api/pass").status_code == 401
        assert anon.get("/pass").status_code == 303


def test_writes_need_the_csrf_token(server, per):
    per.headers["X-CSRF-Token"] = "fel"
    assert per.put(f"/api/pass/{new_id()}", json=pass_payload()).status_code == 403
    assert per.delete(f"/api/pass/{new_id()}").status_code == 403


def test_a_permission_403_says_forbidden_and_a_csrf_403_says_csrf(server, per):
    """The browser's outbox gives up on a permission (it moves the report to the refused ones)
    and fetches a new token after a CSRF refusal: the two 403s must differ in ``code``."""
    base, _path = server
    pid = new_id()
    body = pass_payload(date="2025-12-03")
    assert per.put(f"/api/pass/{pid}", json=body).status_code == 201
    with client(base, "olle") as olle:  # another officer's pass
        for r in (olle.put(f"/api/pass/{pid}", json=body), olle.delete(f"/api/pass/{pid}")):
            assert r.status_code == 403
            assert r.json()["code"] == "forbidden" and "någon annan" in r.json()["detail"]
        olle.headers["X-CSRF-Token"] = "fel"
        r = olle.put(f"/api/pass/{pid}", json=body)  # a stale token is told before permission
        assert r.status_code == 403 and r.json()["code"] == "csrf"
        assert "CSRF" in r.json()["detail"]
    with client(base, "anna") as anna:  # a kommun editor
        r = anna.put(f"/api/pass/{new_id()}", json=body)
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
        assert anna.get(f"/api/pass/{pid}").json()["code"] == "forbidden"


def test_refusals_name_the_field_and_the_fix_in_swedish(server, per):
    cases = {
        "end": (pass_payload(start="19:00", end="18:00"), "ange slutdatum 2025-12-03"),
        "date": (pass_payload(date="igår"), "skriv det som 2026-12-05"),
        "start": (pass_payload(start="sju"), "skriv den som 18:30"),
        "results": (pass_payload(results="x" * 2001), "högst 2000 tecken"),
        "places": (pass_payload(places="ABC 123 vid Fjugesta"), "ett registreringsnummer"),
        "activity": (pass_payload(activity="samtal 850101-1236"), "ett personnummer; ta bort"),
    }
    for field, (body, fix) in cases.items():
        r = per.put(f"/api/pass/{new_id()}", json=body)
        assert r.status_code == 422, field
        errors = r.json()["errors"]
        assert list(errors) == [field] and fix in errors[field], errors
    r = per.put(f"/api/pass/{new_id()}", json=pass_payload(results="förare 19850101-1236"))
    assert r.json()["errors"] == {
        "results": "Texten ser ut att innehålla ett personnummer; ta bort det. Antal och slag"
        " räcker: ”3 rapporter, 1 ordningsbot”."
    }
    # an address names the place the police were at: not refused in a pass
    r = per.put(f"/api/pass/{new_id()}", json=pass_payload(places="Storgatan 5", start="17:00"))
    assert r.status_code == 201, r.text
    r = per.put("/api/pass/inte-ett-uuid", json=pass_payload())
    assert r.status_code == 422 and "pass_id" in r.json()["errors"]
    r = per.put(f"/api/pass/{new_id()}", json={**pass_payload(), "places": ["a", "b"]})
    assert r.json()["errors"] == {"places": "Fältet ska vara text."}
    # a day not yet lived (next week, picked by mistake): refused as a file's row would be
    later = pd.Timestamp.now(tz="Europe/Stockholm") + pd.Timedelta(days=7)
    before = len(patrol_log.read_log(server[1]))
    r = per.put(f"/api/pass/{new_id()}", json=pass_payload(date=f"{later:%Y-%m-%d}"))
    assert r.status_code == 422
    (message,) = r.json()["errors"].values()
    assert list(r.json()["errors"]) == ["date"]
    assert message.startswith(f"Passet börjar {later:%Y-%m-%d} 18:00, efter nu (")
    assert "välj dagen då passet gjordes" in message
    assert len(patrol_log.read_log(server[1])) == before
    # a pass over midnight: the end with its date, as in a file
    r = per.put(f"/api/pass/{new_id()}", json=pass_payload(start="23:30", end="2025-12-03 00:15"))
    assert r.status_code == 201 and r.json()["pass"]["minutes"] == 45


def test_police_see_plan_and_notes_kommun_only_the_minutes(server, per):
    base, _path = server
    per.put(f"/api/pass/{new_id()}", json=pass_payload(results="hemlig-anteckning"))
    police = per.get("/api/pass", params={"vecka": WEEK}).json()
    assert [s["place"] for s in police["stops"]] == ["Fjugesta centrum", "Lanna badgruva"]
    assert police["stops"][0]["done"] is True  # a pass at Fjugesta centrum that Tuesday
    assert any(p["results"] == "hemlig-anteckning" for p in police["passes"])
    page = per.get("/pass", params={"vecka": WEEK}).text
    assert f"{police['minutes']} av 120 min" in page
    assert "hemlig-anteckning" in page and "Lanna badgruva" in page
    with client(base, "anna") as anna:
        kommun = anna.get("/api/pass", params={"vecka": WEEK}).json()
        assert kommun["minutes"] == police["minutes"] and kommun["stops"] == []
        kommun_fields = {"date", "day", "minutes", "cancelled", "week_minutes", "overlaps"}
        assert all(set(p) == kommun_fields for p in kommun["passes"])
        page = anna.get("/pass", params={"vecka": WEEK}).text
        assert f"{police['minutes']} av 120 min" in page
        assert "hemlig-anteckning" not in page and "Lanna badgruva" not in page
        assert 'id="passform"' not in page
        assert anna.get(f"/api/pass/{new_id()}").status_code == 403
    with client(base, "vera") as vera:  # police viewer: reads everything, logs nothing
        page = vera.get("/pass", params={"vecka": WEEK}).text
        assert "hemlig-anteckning" in page and 'id="passform"' not in page


def test_the_page_steps_through_weeks(server, per):
    now = this_week()
    page = per.get("/pass").text
    assert f"Polisens pass vecka {int(now[-2:])}" in page
    assert 'id="nasta-veckan"' not in page and 'id="forra-veckan"' in page
    assert 'href="/pass"' in page  # the menu
    old = per.get("/pass", params={"vecka": "2026-W01"}).text
    assert "Vecka 2 →" in old and "← Vecka 52" in old
    assert "← Vecka 53" in per.get("/pass", params={"vecka": "2027-W01"}).text  # 2026 has 53
    assert per.get("/pass", params={"vecka": "2026-W54"}).status_code == 400


def test_the_date_picker_offers_no_day_not_yet_lived(server, per):
    """A pass after now is refused; the form neither offers nor fills in such a day."""
    today = local_now().date()
    page = per.get("/pass").text
    assert f'max="{today.isoformat()}"' in page
    ahead = per.get("/pass", params={"vecka": shift_week(this_week(), 1)}).text
    assert f'value="{today.isoformat()}"' in ahead  # not next week's Monday


def test_kommun_accounts_are_not_told_who_logged_a_pass(server):
    """Design §8: a pass's author and its history are the police's; the kommun sees minutes."""
    base, _path = server
    with client(base, POLICE_NAME) as police:
        pid = new_id()
        r = police.put(f"/api/pass/{pid}", json=pass_payload(start="12:00", end="12:30"))
        assert r.status_code == 201, r.text
        r = police.put(f"/api/pass/{pid}", json=pass_payload(start="12:00", end="12:40"))
        assert r.status_code == 200 and r.json()["changed"]
        changes = police.get(f"/api/pass/{pid}").json()["changes"]
        assert [c["who"] for c in changes] == [POLICE_NAME, POLICE_NAME]
        assert POLICE_NAME in police.get("/pass", params={"vecka": WEEK}).text
    for kommun in ("anna", "ulla"):
        with client(base, kommun) as c:
            assert POLICE_NAME not in c.get("/api/pass", params={"vecka": WEEK}).text
            assert POLICE_NAME not in c.get("/pass", params={"vecka": WEEK}).text
            assert c.get(f"/api/pass/{pid}").status_code == 403


def test_a_store_made_before_trips_were_stored_reads_and_gets_them(tmp_path):
    # patrol_plan had no trip columns: an older store's plan still lists its stops (filled
    # with their own times, a trip per day), and the next plan stored adds the columns
    import sqlite3

    from geo.patrol.stored import read_plan_stops
    from geo.web.passes import week_view
    from tests._pass_fixtures import store_trip_plan

    path = make_store(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE patrol_plan (week TEXT NOT NULL, stop_order INTEGER NOT NULL,"
            " candidate_id TEXT NOT NULL, place TEXT NOT NULL, start TEXT NOT NULL,"
            " dwell_min REAL NOT NULL, theme TEXT NOT NULL, activity TEXT NOT NULL,"
            " generated_at TEXT NOT NULL, PRIMARY KEY (week, stop_order))"
        )
        conn.execute(
            "INSERT INTO patrol_plan VALUES ('2025-W47', 1, 'plats:x', 'Gropen',"
            " '2025-11-18T18:00:00+01:00', 15.0, 'N', 'närvaro', '2025-11-17T12:00:00')"
        )
    police = users.User("per", "polis", "editor")
    old = week_view("2025-W47", police, path=path)["stops"]
    assert [(s["trip_date"], s["trip_start"], s["trip_end"]) for s in old] == [
        ("2025-11-18", "18:00", "18:15")
    ]
    assert old[0]["trip_number"] is None
    store_trip_plan(path, WEEK)
    stored = read_plan_stops(WEEK, path)
    assert list(stored["trip"]) == [1, 1, 2]
    stops = week_view(WEEK, police, path=path)["stops"]
    assert [(s["trip_number"], s["trip_start"], s["trip_end"], s["trip_min"]) for s in stops] == [
        (1, "20:11", "21:21", 70),
        (1, "20:11", "21:21", 70),
        (2, "20:50", "21:35", 45),
    ]
    assert len(read_plan_stops("2025-W47", path)) == 1  # the older week is kept


def test_a_week_short_by_seconds_is_not_met_on_the_page_as_in_the_report(tmp_path):
    # a file's pass logged to the second, 18:00:40–20:00:10, is 119.5 minutes: the page read
    # "120 av 120 min – löftet … är uppfyllt" while the monthly report said the week "nej"
    from geo.web.passes import week_view

    path = make_store(tmp_path)
    f = tmp_path / "skift.csv"
    f.write_text(
        "datum;start;slut;plats;aktivitet\n2025-11-11;18:00:40;20:00:10;Fjugesta centrum;närvaro\n",
        encoding="utf-8",
    )
    assert patrol_log.import_log(f, store_path=path).stored == 1
    view = week_view("2025-W46", users.User("per", "polis", "editor"), path=path)
    assert (view["minutes"], view["met"]) == (119, False)
    log = patrol_log.read_log(path)
    weeks = patrol_log.minutes_per_week(log, first_week="2025-W46", last_week="2025-W46")
    assert not weeks["met"].iloc[0]  # as the report and X1 count it


def test_a_pass_logged_in_the_app_and_in_a_file_with_another_end_counts_once(server, per, tmp_path):
    # a kommunpolis's week: the app's pass 18:00–18:45 and the shift's file, 18:00–19:00
    # (the same pass, its end written otherwise) made the page and the monthly report
    # count 105 minutes for 60 in the kommun
    _base, path = server
    week, day = "2025-W46", "2025-11-11"
    r = per.put(f"/api/pass/{new_id()}", json=pass_payload(date=day, results="app"))
    assert r.status_code == 201, r.text
    f = tmp_path / "skift.csv"
    f.write_text(
        f"datum;start;slut;plats;aktivitet\n{day};18:00;19:00;Fjugesta centrum;närvaro\n",
        encoding="utf-8",
    )
    assert patrol_log.import_log(f, store_path=path).stored == 1
    view = per.get("/api/pass", params={"vecka": week}).json()
    assert sorted(p["minutes"] for p in view["passes"]) == [45, 60]
    assert view["minutes"] == 60 == week_minutes(path, week)
    assert all(p["overlaps"] for p in view["passes"])
    page = per.get("/pass", params={"vecka": week}).text
    assert "60 av 120 min" in page and "tiden räknas en gång" in page


def test_a_stop_is_logged_by_a_pass_naming_it_also_past_midnight_and_only_it(server, per):
    # W49's sample plan has "Mullhyttan" and "lokalväg vid Mullhyttan" on one trip: a pass at
    # the road alone showed the village "loggad" too (its name is in the road's), and a
    # stop after midnight on a trip that left before was never "loggad"
    from types import SimpleNamespace

    from geo.patrol.stored import save_plan

    _base, path = server
    week = "2025-W45"
    start = pd.to_datetime(["2025-11-07 23:20", "2025-11-08 00:10"]).tz_localize("Europe/Stockholm")
    stops = pd.DataFrame(
        {
            "order": [1, 2],
            "trip": [1, 1],
            "candidate_id": ["plats:mullhyttan", "kontroll:seg00002"],
            "place": ["Mullhyttan", "lokalväg vid Mullhyttan"],
            "start": start,
            "end": start + pd.Timedelta(minutes=15),
            "dwell_min": [15.0, 15.0],
            "drive_min_before": [20.0, 35.0],
            "theme": ["T", "T"],
            "activity": ["närvaro/synlighet", "nykterhetskontroll"],
        }
    )
    routes = pd.DataFrame({"trip": [1], "drive_min": [75.0]})
    plan = SimpleNamespace(week=week, stops=stops, routes=routes, meta={"generated_at": "x"})
    save_plan(plan, path)  # type: ignore[arg-type]
    view = per.get("/api/pass", params={"vecka": week}).json()
    trip = view["stops"][0]
    assert (trip["trip_date"], trip["trip_start"]) == ("2025-11-07", "23:00")
    assert (trip["trip_end_date"], trip["trip_end"]) == ("2025-11-08", "00:45")
    body = pass_payload(
        date="2025-11-07",
        start="23:00",
        end="2025-11-08 00:45",
        places="lokalväg vid Mullhyttan",
        activity="nykterhetskontroll",
        results="30 blåsta",
    )
    assert per.put(f"/api/pass/{new_id()}", json=body).status_code == 201
    view = per.get("/api/pass", params={"vecka": week}).json()
    assert {s["place"]: s["done"] for s in view["stops"]} == {
        "Mullhyttan": False,
        "lokalväg vid Mullhyttan": True,
    }


def test_a_pass_over_sunday_midnight_shows_each_weeks_part(server, per):
    # a pass 23:30–00:30 from Sunday to Monday: both weeks listed it with 60 min above
    # totals of 30, the part of each week (as the monthly report splits it)
    _base, path = server
    body = pass_payload(date="2025-11-02", start="23:30", end="2025-11-03 00:30", places="Gropen")
    assert per.put(f"/api/pass/{new_id()}", json=body).status_code == 201
    for week in ("2025-W44", "2025-W45"):
        view = per.get("/api/pass", params={"vecka": week}).json()
        crossing = [p for p in view["passes"] if p["places"] == "Gropen"]
        assert [(p["minutes"], p["week_minutes"]) for p in crossing] == [(60, 30)]
        assert week_minutes(path, week) >= 30
        page = per.get("/pass", params={"vecka": week}).text
        assert f"varav 30 vecka {int(week[-2:])}" in page


def test_a_cancelled_trip_is_logged_with_its_reason_and_marks_no_stop(server, per):
    # a kommunpolis's week: Tuesday's trip called off for staff shortage. A 0-minute pass was
    # refused, so the week showed nothing and the follow-up could not say why it fell short
    base, path = server
    week = "2025-W40"  # Tuesday 2025-09-30: stops at Fjugesta centrum 18:00, Lanna 18:30
    store_plan(path, week)
    pid = new_id()
    body = pass_payload(
        date="2025-09-30", start="", end="", places="Fjugesta centrum; Lanna badgruva",
        activity="hastighetskontroll", results="Olle sjuk", cancelled="personal",
    )  # fmt: skip
    r = per.put(f"/api/pass/{pid}", json=body)
    assert r.status_code == 201, r.text
    logged = r.json()["pass"]
    assert (logged["minutes"], logged["cancelled"], logged["cancel_reason"]) == (
        0, "personalbrist", "personal"
    )  # fmt: skip
    view = per.get("/api/pass", params={"vecka": week}).json()
    assert view["minutes"] == 0 and not view["met"]
    assert [s["done"] for s in view["stops"]] == [False, False]  # the places were not reached
    page = per.get("/pass", params={"vecka": week}).text
    assert "inställt: personalbrist" in page and "loggad – logga igen" not in page
    # the trip made after all, at Fjugesta only: that stop is logged, the cancelled pass no
    # overlap of it
    done = pass_payload(date="2025-09-30", start="18:00", end="18:20")
    assert per.put(f"/api/pass/{new_id()}", json=done).status_code == 201
    view = per.get("/api/pass", params={"vecka": week}).json()
    assert [s["done"] for s in view["stops"]] == [True, False]
    assert view["minutes"] == 20 and not any(p["overlaps"] for p in view["passes"])
    with client(base, "anna") as anna:  # the kommun: the reason from the list, not the text
        kommun = anna.get("/api/pass", params={"vecka": week}).json()
        assert sorted(p["cancelled"] for p in kommun["passes"]) == ["", "personalbrist"]
        assert "Olle sjuk" not in anna.get("/pass", params={"vecka": week}).text
    # corrected into a pass done: the audit says what it was
    fixed = {**body, "cancelled": "", "start": "18:30", "end": "18:50"}
    assert per.put(f"/api/pass/{pid}", json=fixed).json()["pass"]["minutes"] == 20
    changes = per.get(f"/api/pass/{pid}").json()["changes"]
    assert ["Inställt", "personalbrist", "–"] in changes[-1]["fields"]


def test_control_counts_are_stored_and_refused_with_the_field_and_the_fix(per):
    body = pass_payload(
        date="2025-09-23", activity="nykterhetskontroll", checked="40", breath_tests=38,
        dui_suspected="",
    )  # fmt: skip
    r = per.put(f"/api/pass/{new_id()}", json=body)
    assert r.status_code == 201, r.text
    logged = r.json()["pass"]
    assert logged["counts"] == {
        "checked": 40, "breath_tests": 38, "dui_suspected": None, "fines": None, "reports": None
    }  # fmt: skip
    assert logged["counts_text"] == "40 kontrollerade förare/fordon, 38 blåsta (utandningsprov)"
    page = per.get("/pass", params={"vecka": "2025-W39"}).text
    assert "38 blåsta (utandningsprov)" in page
    cases = {
        "checked": (
            {**body, "checked": "-3"},
            "Kontrollerade förare/fordon: '-3' — skriv ett heltal från 0, t.ex. 12 (bara siffror,"
            " inget minustecken).",
        ),
        "fines": ({**body, "fines": "två"}, "Ordningsböter: 'två' — skriv ett heltal"),
        "activity": ({**body, "activity": "närvaro"}, "skriv kontrollen i Aktivitet"),
        "cancelled": ({**body, "cancelled": "ja"}, "välj en av orsakerna i listan"),
        # counts that cannot both be true: the message names both fields and the fix
        "breath_tests": (
            {**body, "checked": "12", "breath_tests": "40"},
            "40 blåsta (utandningsprov) men bara 12 kontrollerade förare/fordon — varje förare"
            " som blåst är också kontrollerad: skriv alla kontrollerade förare/fordon under"
            " passet (minst 40), eller rätta antalet blåsta (utandningsprov).",
        ),
    }
    for field, (bad, fix) in cases.items():
        r = per.put(f"/api/pass/{new_id()}", json=bad)
        assert r.status_code == 422, field
        errors = r.json()["errors"]
        assert list(errors) == [field] and fix in errors[field], errors
    r = per.put(f"/api/pass/{new_id()}", json={**body, "cancelled": "larm"})
    assert r.json()["errors"] == {
        "checked": "Ett inställt pass har inga kontroller — töm antalen, eller svara att passet"
        " genomfördes under ”Blev passet av?”."
    }


def test_a_pass_on_the_page_mends_the_row_an_import_quarantined_and_says_so(server, per, tmp_path):
    # the row `geo log import` refused (an end before its start), logged set right on Pass,
    # stayed in patrol_log_quarantine_open for good
    _base, path = server
    f = tmp_path / "skift.csv"
    f.write_text(
        "datum;start;slut;plats;aktivitet;resultat\n"
        "2025-11-04;20:00;19:00;Lanna badgruva;närvaro/synlighet;mended-test\n",
        encoding="utf-8",
    )
    assert patrol_log.import_log(f, store_path=path).quarantined == 1
    body = pass_payload(date="2025-11-04", start="20:00", end="20:40", places="Lanna badgruva",
                        results="mended-test")  # fmt: skip
    r = per.put(f"/api/pass/{(pid := new_id())}", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["mended"] == [{"file": "skift.csv", "line": 2}]
    q = patrol_log.read_log_quarantine(path)
    assert list(q.loc[q["file"] == str(f), "resolved_by"]) == [pid]
    assert str(f) not in set(patrol_log.read_log_quarantine(path, open_only=True)["file"])
    page = per.get("/pass", params={"vecka": "2025-W45", "sparad": "1", "rattade": "1"}).text
    assert "Det rättar en rad som en import av patrulloggen lade i karantän" in page


def test_a_pass_in_octobers_repeated_hour_is_logged_by_choosing_which_time(server, per):
    # 2025-10-26 02:00–03:00 came twice; a file can say which by an offset, the page's time
    # fields cannot, so such a pass was refused with a fix the page could not follow
    _base, path = server
    body = pass_payload(date="2025-10-26", start="02:10", end="02:50", results="dst-test")
    r = per.put(f"/api/pass/{new_id()}", json=body)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert set(errors) == {"start_offset", "end_offset"}  # both asked for at once
    assert errors["start_offset"] == (
        "Tiden '02:10' finns två gånger den 2025-10-26 (klockan ställs tillbaka från 03:00 till"
        " 02:00) — välj om det var första gången (sommartid) eller andra gången (normaltid)."
    )
    chosen = {**body, "start_offset": "+02:00", "end_offset": "+01:00"}
    r = per.put(f"/api/pass/{(pid := new_id())}", json=chosen)
    assert r.status_code == 201, r.text
    assert r.json()["pass"]["minutes"] == 100  # 02:10 summer time to 02:50 normal time
    stored = patrol_passes.read_pass(pid, path=path)
    assert stored is not None
    assert stored["start"] == pd.Timestamp("2025-10-26 00:10", tz="UTC")
    assert stored["end"] == pd.Timestamp("2025-10-26 01:50", tz="UTC")
    shown = per.get(f"/api/pass/{pid}").json()["pass"]
    assert (shown["start_offset"], shown["end_offset"]) == ("+02:00", "+01:00")
    page = per.get("/pass", params={"vecka": "2025-W43"}).text
    assert "02:10 sommartid–02:50 normaltid" in page
    # corrected to the second 02:10: the history tells the two apart
    r = per.put(f"/api/pass/{pid}", json={**chosen, "start_offset": "+01:00"})
    assert r.json()["pass"]["minutes"] == 40
    fields = per.get(f"/api/pass/{pid}").json()["changes"][1]["fields"]
    assert ["Start", "2025-10-26 02:10 sommartid", "2025-10-26 02:10 normaltid"] in fields
    # a time that comes once needs no choice, and a choice does not move it
    once = {**body, "start": "01:30", "end": "01:55", "start_offset": "+01:00"}
    r = per.put(f"/api/pass/{new_id()}", json=once)
    assert r.status_code == 201 and r.json()["pass"]["minutes"] == 25
    bad = per.put(f"/api/pass/{new_id()}", json={**chosen, "start_offset": "+03:00"})
    assert bad.json()["errors"] == {
        "start_offset": "Välj första gången (sommartid) eller andra gången (normaltid)."
    }


def test_the_hour_spring_skips_is_refused_with_its_fix_whatever_is_chosen(server, per):
    for choice in ("", "+01:00", "+02:00"):
        body = pass_payload(date="2025-03-30", start="02:10", end="03:20", start_offset=choice)
        r = per.put(f"/api/pass/{new_id()}", json=body)
        assert r.status_code == 422, choice
        assert r.json()["errors"] == {
            "start": "Ogiltig tid: '02:10' finns inte den 2025-03-30 (sommartid börjar) — välj en"
            " tid som finns (klockan ställs fram från 02:00 till 03:00)."
        }


def test_a_pass_stored_before_the_count_check_is_marked_and_set_right_in_one_go(server, per):
    # a pass with 45 blåsta of 40 kontrollerade, stored before the rule: nothing said so, and
    # its author's correction of its place was refused for counts he had not touched
    base, path = server
    body = pass_payload(date="2025-09-09", activity="nykterhetskontroll", checked="40",
                        breath_tests="38", results="count-check")  # fmt: skip
    pid = new_id()
    assert per.put(f"/api/pass/{pid}", json=body).status_code == 201
    with sqlite3.connect(path) as conn:  # as the version before the rule stored it
        conn.execute("UPDATE patrol_log SET breath_tests = 45 WHERE log_id = ?", (pid,))
    said = (
        "45 blåsta (utandningsprov) men bara 40 kontrollerade förare/fordon — varje förare som"
        " blåst är också kontrollerad: skriv alla kontrollerade förare/fordon under passet"
        " (minst 45), eller rätta antalet blåsta (utandningsprov)."
    )
    week = {"vecka": "2025-W37"}
    assert (
        f"Antalen går inte ihop: {said} Tryck Rätta och ändra antalen."
        in per.get("/pass", params=week).text
    )
    with client(base, "olle") as olle:
        assert (
            f"{said} Den som loggade passet kan rätta det." in olle.get("/pass", params=week).text
        )
    with client(base, "anna") as anna:  # the kommun sees no counts
        assert "Antalen går inte ihop" not in anna.get("/pass", params=week).text
    # corrected as the page's form holds it, the counts as stored: both named, and the fix
    stored = {**body, "breath_tests": "45", "places": "Lanna badgruva"}
    r = per.put(f"/api/pass/{pid}", json=stored)
    assert r.status_code == 422 and r.json()["errors"] == {"breath_tests": said}
    assert per.put(f"/api/pass/{pid}", json={**stored, "checked": "45"}).status_code == 200
    assert "Antalen går inte ihop" not in per.get("/pass", params=week).text
    with sqlite3.connect(path) as conn:
        counts = conn.execute("SELECT checked, breath_tests FROM patrol_log WHERE log_id = ?",
                              (pid,)).fetchone()  # fmt: skip
    assert counts == (45, 45)


def test_a_file_pass_whose_counts_cannot_be_true_says_to_set_its_row_right(server, per, tmp_path):
    # the mark said the pass "kan inte rättas här" and nowhere else either: the file's row
    # set right and imported again was a duplicate of it
    _base, path = server
    week = {"vecka": "2025-W36"}
    header = "datum;start;slut;platser;aktivitet;resultat;kontrollerade;blåsta\n"
    row = "2025-09-02;19:00;21:00;Vintrosa;nykterhetskontroll;file-count-check;40;{}\n"
    f, fixed = tmp_path / "skift.csv", tmp_path / "skift-rattad.csv"
    f.write_text(header + row.format(38), encoding="utf-8")
    fixed.write_text(header + row.format(30), encoding="utf-8")
    assert patrol_log.import_log(f, store_path=path).stored == 1
    with sqlite3.connect(path) as conn:  # as the version before the rule stored it
        conn.execute("UPDATE patrol_log SET breath_tests = 45 WHERE results = 'file-count-check'")
    page = per.get("/pass", params=week).text
    assert (
        "Passet importerades från filen skift.csv: rätta raden i filen och läs in den igen"
        " (geo log import)."
    ) in page
    assert patrol_log.import_log(fixed, store_path=path).corrected == 1
    page = per.get("/pass", params=week).text
    assert "Antalen går inte ihop" not in page
    # the correction is in the pass's history, naming the file
    assert "Ändrat 1 gång" in page and "fil skift-rattad.csv (geo log import)" in page
    assert "Blåsta (utandningsprov): 45 → 30" in page
