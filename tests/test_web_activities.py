"""The activity page and ``/api/aktiviteter…`` on a real ``geo serve``: who logs what, the audit."""

from __future__ import annotations

import json
import re

import httpx
import pandas as pd
import pytest
from _web_fixtures import PASSWORD, client, make_store, running_server
from click.testing import CliRunner

from geo import (
    activity_entries,
    activity_log,
    activity_log_rows,
    activity_plan,
    activity_words,
    months,
    patrol_log,
    users,
)
from geo.cli import main
from geo.cli.report import activity_group
from geo.errors import EntryError
from geo.report import monthly
from geo.report.monthly.police import police_presence
from geo.web.activities import month_view
from geo.weeks import shift_week, week_monday
from tests._pass_fixtures import add_police

#: Editors whose names the other organisation must not be told (design §8).
POLICE_NAME, KOMMUN_NAME = "kalle.qvist", "stina.qvarn"
#: A month that is over whenever the tests run (its statuses do not depend on the clock).
MONTH = months.previous_month(months.today_month())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("aktiviteter")
    path = make_store(folder)
    add_police(path)
    # names found nowhere else on the page ("per" is in "perioden", "olle" in "kontroller")
    for name, org in ((POLICE_NAME, "polis"), (KOMMUN_NAME, "kommun")):
        users.add_user(name, org=org, role="editor", password=PASSWORD, path=path)
    with running_server(path, folder / "server.log") as base:
        yield base, path


@pytest.fixture
def anna(server):
    with client(server[0], "anna") as c:
        yield c


@pytest.fixture
def per(server):
    with client(server[0], "per") as c:
        yield c


def put(c: httpx.Client, aid: str, executor: str, month: str = MONTH, **body) -> httpx.Response:
    return c.put(f"/api/aktiviteter/{month}/{aid}/{executor}", json=body)


def line_of(view: dict, aid: str) -> dict:
    return next(line for line in view["lines"] if line["id"] == aid)


def cli_status(path, month: str = MONTH) -> list[dict]:
    result = CliRunner().invoke(
        main, ["activity", "status", "--month", month, "--store", str(path), "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["activities"]


def test_a_kommun_editor_sets_n2_and_a_retry_changes_nothing(server, anna):
    _base, path = server
    r = put(anna, "N2", "kommun", times=3, comment="Fältgruppen ute tre kvällar")
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["created"] and data["changed"]
    assert data["logged"] == {
        "activity_id": "N2", "month": MONTH, "executor": "kommun", "times": 3,
        "comment": "Fältgruppen ute tre kvällar",
    }  # fmt: skip
    cell = data["line"]["executors"][0]
    assert (cell["done"], cell["logged"], cell["status"]) == (3, 3, "partly")
    again = put(anna, "N2", "kommun", times=3, comment="Fältgruppen ute tre kvällar")
    assert again.status_code == 200 and again.json()["changed"] is False
    log = activity_log.read_activity_log(path, month=MONTH)
    assert log[log["activity_id"] == "N2"]["times"].tolist() == [3]  # a set, not an add
    changes = activity_entries.read_entry_changes(MONTH, path=path)
    assert changes[changes["activity_id"] == "N2"]["action"].tolist() == ["skapad"]


def test_every_change_is_audited_with_who_and_old_and_new(server, anna):
    _base, path = server
    assert put(anna, "T3", "kommun", times=1).status_code == 201
    assert put(anna, "T3", "kommun", times=0, comment="inställt").json()["changed"]
    changes = activity_entries.read_entry_changes(MONTH, path=path)
    t3 = changes[changes["activity_id"] == "T3"].to_dict("records")
    assert [c["action"] for c in t3] == ["skapad", "ändrad"]
    assert [c["changed_by"] for c in t3] == ["anna", "anna"]
    assert json.loads(t3[1]["before"]) == {"times": 1, "comment": ""}
    assert json.loads(t3[1]["after"]) == {"times": 0, "comment": "inställt"}
    history = line_of(anna.get(f"/api/aktiviteter?manad={MONTH}").json(), "T3")
    told = history["executors"][0]["changes"]
    assert told[-1]["who"] == "anna" and told[-1]["what"] == "Ändrad"
    assert ("Antal", "1", "0") in [tuple(f) for f in told[-1]["fields"]]


def test_each_party_logs_only_its_own_column(server, anna, per):
    assert put(anna, "T1", "polis", times=2).status_code == 403  # polis's line
    r = put(anna, "S1", "polis", times=1)  # a joint line: the police's column
    assert r.status_code == 403
    assert "polisen loggar sina egna" in r.json()["detail"]
    r = put(per, "N2", "kommun", times=9)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"  # the outbox gives up
    assert put(anna, "S1", "kommun", times=1).status_code == 201
    assert put(per, "S1", "polis", times=1).status_code == 201
    s1 = line_of(per.get(f"/api/aktiviteter?manad={MONTH}").json(), "S1")
    assert [(e["executor"], e["may_log"]) for e in s1["executors"]] == [
        ("polis", True), ("kommun", False),
    ]  # fmt: skip
    assert s1["status"] == "done"


def test_viewers_and_logged_out_clients_and_missing_csrf_are_refused(server, anna):
    base, path = server
    with client(base, "ulla") as ulla:
        assert ulla.get(f"/api/aktiviteter?manad={MONTH}").status_code == 200
        r = put(ulla, "N2", "kommun", times=1)
        assert r.status_code == 403 and "bara läsa" in r.json()["detail"]
        page = ulla.get(f"/aktiviteter?manad={MONTH}").text
        assert "aktivitetsform" not in page
    with client(base) as nobody:
        assert put(nobody, "N2", "kommun", times=1).status_code == 401
        assert nobody.get("/aktiviteter").status_code == 303
    del anna.headers["X-CSRF-Token"]
    r = put(anna, "N3", "kommun", times=1)
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert r.json()["code"] == "csrf"  # the outbox fetches a new token and sends again
    anna.headers["X-CSRF-Token"] = "fel"
    assert put(anna, "N3", "kommun", times=1).status_code == 403
    log = activity_log.read_activity_log(path, month=MONTH)
    assert "N3" not in set(log["activity_id"])


@pytest.mark.parametrize(
    ("aid", "executor", "body", "field", "needle"),
    [
        ("N2", "kommun", {"times": -1}, "times", "heltal från 0 till 1000"),
        ("N2", "kommun", {"times": "tre"}, "times", "heltal från 0 till 1000"),
        ("N2", "kommun", {"times": 1, "comment": "gäller 19900101-1239"}, "comment",
         "personnummer"),
        ("N2", "kommun", {"times": 1, "comment": "x" * 501}, "comment", "högst 500"),
        ("X1", "polis", {"times": 4}, "activity_id", "patrulloggen"),
        ("Z9", "kommun", {"times": 1}, "activity_id", "finns inte i planen"),
        ("T1", "kommun", {"times": 1}, "executor", "Kommunen utför inte T1"),
    ],
)  # fmt: skip
def test_validation_says_the_field_and_the_fix_in_swedish(
    server, anna, per, aid, executor, body, field, needle
):
    who = per if executor == "polis" else anna
    r = put(who, aid, executor, **body)
    assert r.status_code == 422, r.text
    assert field in r.json()["errors"]
    assert needle in r.json()["errors"][field]


def test_a_row_from_the_command_line_shows_its_history_on_the_page(server, anna):
    """``geo activity log`` writes the audit row the page tells, naming the command line."""
    _base, path = server
    args = ["log", "S3", "--month", MONTH, "--executor", "kommun", "--store", str(path)]
    for times in ("2", "1"):
        assert CliRunner().invoke(activity_group, [*args, "--times", times]).exit_code == 0
    told = line_of(anna.get(f"/api/aktiviteter?manad={MONTH}").json(), "S3")
    kommun = next(e for e in told["executors"] if e["executor"] == "kommun")
    assert [(c["who"], c["what"]) for c in kommun["changes"]] == [
        (activity_log.CLI_CHANGED_BY, "Skapad"),
        (activity_log.CLI_CHANGED_BY, "Ändrad"),
    ]
    assert kommun["logged"] == 1


def test_a_month_not_begun_is_neither_shown_nor_logged(anna):
    later = str(months.parse_month(months.today_month()) + 1)
    with pytest.raises(EntryError) as rule:  # the rule of geo activity log and import
        activity_log_rows.check_month_begun(later)
    assert anna.get(f"/aktiviteter?manad={later}").status_code == 400
    shown = anna.get(f"/api/aktiviteter?manad={later}")
    assert shown.status_code == 400 and shown.json()["detail"] == rule.value.form_message
    r = put(anna, "N2", "kommun", month=later, times=1)
    assert r.status_code == 422 and r.json()["errors"] == {"month": rule.value.form_message}
    assert anna.get("/aktiviteter?manad=2026-13").status_code == 400


def test_comments_are_shown_to_the_own_organisation_only(server, anna, per):
    assert put(per, "N3", "polis", times=1, comment="polisens anteckning").status_code == 201
    assert put(per, "N3", "polis", times=1, comment="ny anteckning").status_code == 200
    seen_by_police = line_of(per.get(f"/api/aktiviteter?manad={MONTH}").json(), "N3")
    seen_by_kommun = line_of(anna.get(f"/api/aktiviteter?manad={MONTH}").json(), "N3")
    assert seen_by_police["executors"][0]["comment"] == "ny anteckning"
    assert "comment" not in seen_by_kommun["executors"][0]
    assert len(seen_by_police["executors"][0]["changes"]) == 2
    assert len(seen_by_kommun["executors"][0]["changes"]) == 1  # the comment-only change
    assert "anteckning" not in json.dumps(seen_by_kommun, ensure_ascii=False)
    assert "anteckning" not in anna.get(f"/aktiviteter?manad={MONTH}").text
    assert "ny anteckning" in per.get(f"/aktiviteter?manad={MONTH}").text


def test_the_page_and_api_show_the_status_the_cli_says(server, anna, per):
    _base, path = server
    put(per, "N1", "polis", times=1)
    put(anna, "B1", "kommun", times=2)
    view = anna.get(f"/api/aktiviteter?manad={MONTH}").json()
    shown = [
        (line["id"], e["executor"], e["done"], line["planned"], e["status"])
        for line in view["lines"]
        for e in line["executors"]
    ]
    cli = [(r["activity_id"], r["executor"], r["done"], r["planned"], r["status"]) for r in
           cli_status(path)]  # fmt: skip
    assert shown == cli
    x1 = line_of(view, "X1")
    assert x1["automatic"] and not x1["executors"][0]["may_log"]
    assert [w["week"] for w in x1["weeks"]] == months.iso_weeks_of_month(MONTH)
    html = anna.get(f"/aktiviteter?manad={MONTH}").text
    assert "Räknas automatiskt ur patrulloggen" in html
    b1 = line_of(view, "B1")
    if not b1["planned_now"]:  # outside May–September: the season note
        assert "(planerad maj–september)" in html


def test_the_current_month_is_the_default_and_there_is_no_later_link(server, anna):
    html = anna.get("/aktiviteter").text
    label = month_view(
        months.today_month(), users.User("anna", "kommun", "editor"),
        plan=activity_plan.load_plan(), path=server[1],
    )["label"]  # fmt: skip
    assert f"Aktivitetsplanen – {label}" in html
    assert 'id="nasta-manaden"' not in html
    assert f'href="/aktiviteter?manad={MONTH}"' in html
    assert 'href="/aktiviteter">Aktiviteter</a>' in html  # the menu, for both parties


def test_in_a_month_not_over_the_page_says_pagar_as_the_cli_does(server):
    _base, path = server
    start, _end = months.month_bounds(MONTH)
    mid = start + pd.Timedelta(days=15)  # the 16th at midnight
    view = month_view(
        MONTH, users.User("anna", "kommun", "editor"), plan=activity_plan.load_plan(), path=path,
        now=mid,
    )  # fmt: skip
    cli = CliRunner().invoke(
        main,
        ["activity", "status", "--month", MONTH, "--store", str(path), "--json",
         "--as-of", (mid - pd.Timedelta(days=1)).strftime("%Y-%m-%d")],
    )  # fmt: skip
    rows = json.loads(cli.output)["activities"]
    shown = [(e["status"], line["planned_label"]) for line in view["lines"] for e in
             line["executors"]]  # fmt: skip
    assert shown == [(r["status"], r["planned_label"]) for r in rows]
    assert "not_done" not in {s for s, _ in shown}
    weeks = line_of(view, "X1")["weeks"]
    assert [w["days"] for w in weeks] == [  # as the report's Dagar
        months.week_days_label(w["week"]) for w in weeks
    ] and all(w["days"][0].isdigit() for w in weeks)
    assert [w["over"] for w in weeks] == [
        mid >= week_monday(shift_week(w["week"], 1)) for w in weeks
    ]
    assert not weeks[-1]["over"]
    # each week says what the report's police table says that day: never "nej" before it ends
    table = police_presence(
        pd.DataFrame({"iso_week": [w["week"] for w in weeks],
                      "minutes": [w["minutes"] for w in weeks],
                      "met": [w["met"] for w in weeks]}),
        month=MONTH, now=mid,
    ).frame  # fmt: skip
    assert [w["verdict"] for w in weeks] == list(table["Uppfyllt"])
    assert weeks[-1]["verdict"] == "ej påbörjad"


def test_the_other_organisation_is_told_the_organisation_not_the_account(server):
    """Design §8: no names to the shared audience; each organisation still sees its own."""
    base, _path = server
    with client(base, POLICE_NAME) as police, client(base, KOMMUN_NAME) as kommun:
        assert put(police, "S2", "polis", times=1).status_code == 201
        assert put(police, "S2", "polis", times=2).status_code == 200
        assert put(kommun, "S2", "kommun", times=1).status_code == 201
        answer = put(kommun, "S2", "kommun", times=3)  # its line holds the police's history
        assert POLICE_NAME not in answer.text
    for viewer, (own, own_name), (other, other_name, other_label) in (
        ("ulla", ("kommun", KOMMUN_NAME), ("polis", POLICE_NAME, "Polisen")),
        ("vera", ("polis", POLICE_NAME), ("kommun", KOMMUN_NAME, "Kommunen")),
    ):
        with client(base, viewer) as c:
            api = c.get(f"/api/aktiviteter?manad={MONTH}")
            page = c.get(f"/aktiviteter?manad={MONTH}").text
            assert other_name not in api.text and other_name not in page
            s2 = {e["executor"]: e for e in line_of(api.json(), "S2")["executors"]}
            assert [c["who"] for c in s2[other]["changes"]] == [other_label, other_label]
            assert f"{other_label}: Skapad" in page
            # its own organisation's names may stay
            assert [c["who"] for c in s2[own]["changes"]] == [own_name, own_name]
            assert f"{own_name}: Skapad" in page


def test_a_zero_is_not_done_and_nothing_logged_is_not_recorded(server, per):
    """Two months back (no other test logs it): the police log S3 as not done, the kommun nothing.

    The page says "ej registrerat" for nothing logged, as the report and the CLI do.
    """
    _base, path = server
    month = months.previous_month(MONTH)
    assert put(per, "S3", "polis", month=month, times=0).status_code == 201
    view = per.get(f"/api/aktiviteter?manad={month}").json()
    s3 = line_of(view, "S3")
    assert [(e["executor"], e["logged"], e["status_label"]) for e in s3["executors"]] == [
        ("polis", 0, "ej genomförd"), ("kommun", None, "ej registrerat"),
    ]  # fmt: skip
    assert s3["status_label"] == "delvis registrerat"
    cli = [r["status"] for r in cli_status(path, month) if r["activity_id"] == "S3"]
    assert cli == ["not_done", "not_logged"]
    html = per.get(f"/aktiviteter?manad={month}").text
    assert "en som inte loggat något som ”ej registrerat”" in html


def test_gjort_says_the_unit_as_the_report_does(server, per, tmp_path):
    """Two months back: "Gjort: 0 av 5" left the unit to guess; the report says "5 gånger".

    S3 (the police's 0, as the test above logs it; the kommun nothing) and X1, counted in
    weeks met (no pass, then one). The kommun's column, nothing logged, read "0 av 1 gång" as
    if a 0 had been entered: it says "ej registrerat", as the report's Genomfört does.
    """
    _base, path = server
    month = months.previous_month(MONTH)
    assert put(per, "S3", "polis", month=month, times=0).status_code in (200, 201)
    view = per.get(f"/api/aktiviteter?manad={month}").json()
    html = per.get(f"/aktiviteter?manad={month}").text

    def said(aid: str) -> str:
        article = html.split(f'id="rad-{aid}"', 1)[1].split("</article>", 1)[0]
        return " ".join(re.sub(r"<[^>]+>", " ", article).split())

    s3 = line_of(view, "S3")
    planned = activity_words.count_text(s3["planned"], "times")
    assert planned.endswith(("gång", "gånger"))  # as the report's Planerat
    police, kommun = s3["executors"]
    assert (police["logged"], kommun["logged"]) == (0, None)
    assert police["done_label"] == f"0 av {planned}"
    assert f"Polisen Gjort: 0 av {planned} · ej genomförd" in said("S3")
    assert kommun["done_label"] == "ej registrerat"
    assert "Kommunen Gjort: ej registrerat · ej registrerat" in said("S3")
    assert said("S3").count(f"0 av {planned}") == 1  # the police's 0 only
    assert "inget loggat" not in said("S3")  # said once, not a third time
    # the words the report's Genomfört uses for the same line and month
    report = monthly.compute_report(
        monthly.collect_inputs(month=month, store_path=path),
        month=month,
        emerging_cell_size_m=1000.0,
        forecast_method="count_3m",
    )
    genomfort = report.tables["aktivitetsplan"].frame.set_index("Id").loc["S3", "Genomfört"]
    assert genomfort.replace("\u00a0", " ") == "Polisen 0 gånger, Kommunen ej registrerat"
    # X1 with no pass in the month's weeks: "ej registrerat", as the report says of them
    assert "Polisen Gjort: ej registrerat · ej registrerat" in said("X1")
    assert report.tables["aktivitetsplan"].frame.set_index("Id").loc["X1", "Genomfört"] == (
        "ej registrerat"
    )
    # with a pass of 130 minutes, one week kept the promise: said in weeks
    log = tmp_path / "logg.csv"
    log.write_text(
        f"datum,start,slut,plats,åtgärd\n{month}-10,18:00,20:10,Fjugesta,närvaro\n",
        encoding="utf-8",
    )
    patrol_log.import_log(log, store_path=path)
    x1 = line_of(per.get(f"/api/aktiviteter?manad={month}").json(), "X1")
    html = per.get(f"/aktiviteter?manad={month}").text
    weeks = activity_words.done_of_text(1, x1["planned"], "weeks")
    assert weeks.startswith("1 av ") and weeks.endswith("veckor")
    assert x1["executors"][0]["done_label"] == weeks
    assert f"Gjort: {weeks} ·" in said("X1")


def test_more_controls_than_planned_read_as_a_count_and_the_plan(server, per, tmp_path):
    """Three months back: three nykterhet controls in the patrol log for T1's two a month.

    The hint beside a logged 1 read "patrulloggens kontroller räknas: 3 av 2 gånger".
    """
    _base, path = server
    month = months.previous_month(months.previous_month(MONTH))
    log = tmp_path / "logg.csv"
    log.write_text(
        "datum,start,slut,plats,åtgärd\n"
        + "".join(f"{month}-{d},21:00,22:00,Mullhyttan,nykterhetskontroll\n" for d in (10, 12, 19)),
        encoding="utf-8",
    )
    patrol_log.import_log(log, store_path=path)
    assert put(per, "T1", "polis", month=month, times=1).status_code == 201
    t1 = line_of(per.get(f"/api/aktiviteter?manad={month}").json(), "T1")["executors"][0]
    assert (t1["done"], t1["logged"], t1["status"]) == (3, 1, "done")
    assert t1["done_label"] == "3 gånger (2 planerade)"
    html = per.get(f"/aktiviteter?manad={month}").text
    card = " ".join(re.sub(r"<[^>]+>", " ", html.split('id="rad-T1"', 1)[1]).split())
    assert "(loggat 1 gång; patrulloggens kontroller räknas: 3 gånger (2 planerade))" in card
    assert "3 av 2" not in html


def test_in_the_current_month_a_line_nothing_is_logged_for_says_so(server, anna):
    """No test logs N1 this month: "pågår, inget registrerat ännu", as the CLI says.

    Nothing entered is no shortfall: "pågår, ligger efter" on a line no one had logged
    claimed one (a review); the page's help says which is which.
    """
    _base, path = server
    n1 = line_of(anna.get("/api/aktiviteter").json(), "N1")
    assert (n1["status"], n1["status_label"]) == ("not_logged_yet", "pågår, inget registrerat ännu")
    assert n1["executors"][0]["logged"] is None
    cli = [r["status"] for r in cli_status(path, months.today_month()) if r["activity_id"] == "N1"]
    assert cli == ["not_logged_yet"]
    html = anna.get("/aktiviteter").text
    said = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Status: pågår, inget registrerat ännu" in said.split("N1", 1)[1]
    # what was done in the report's words, not "0 av 2 gånger" as if a 0 had been entered
    assert n1["executors"][0]["done_label"] == "inget registrerat ännu"
    article = html.split('id="rad-N1"', 1)[1].split("</article>", 1)[0]
    card = " ".join(re.sub(r"<[^>]+>", " ", article).split())
    assert "Polisen Gjort: inget registrerat ännu · pågår, inget registrerat ännu" in card
    assert "inget loggat" not in card  # said once, not a third time
    assert (
        "”pågår, inget registrerat ännu” när utföraren inte har loggat något för den, ”pågår, "
        "ligger efter” när det som är loggat är mindre än veckorna hittills kräver"
    ) in said
