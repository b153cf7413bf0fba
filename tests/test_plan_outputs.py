"""Tests of the plan on the embedded Lekeberg data and of its outputs (CSV, GeoJSON, .ics, PDF)."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from geo import forecast, network, patrol, roads, store
from geo.errors import GeoError, InfeasiblePatrolError
from geo.model import THEMES
from geo.report import plan as plan_report
from geo.sites import load_boundary, load_places
from geo.weeks import week_monday
from tests._browser import LABEL_OVERLAPS_JS, MAP_JS, open_map, real_errors
from tests._pdf_tags import headings, image_alts, pdf_tags
from tests._table_headers import Cell, table_headers


@pytest.fixture(scope="module")
def lekeberg(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The store of `geo run` (synthetic set ending 2026-12-07), graph and control points."""
    from geo.pipeline import run_main_job

    path = tmp_path_factory.mktemp("plan") / "store.gpkg"
    run_main_job(store_path=path, maps_dir=path.parent / "maps", end=date(2026, 12, 7))
    incidents = store.read_incidents(path)
    places = load_places()
    G = network.load_graph()
    opts = replace(patrol.load_priorities(), forecast_method="count_3m")
    segments = roads.road_segments(G, incidents, checks=opts, places=places)
    cps = roads.control_points(segments, G, checks=opts)
    return {
        "store": path, "incidents": incidents, "places": places, "G": G, "cps": cps,
        "opts": opts, "area": load_boundary().buffer(500),
    }  # fmt: skip


def _plan(
    data: dict[str, object], week: str, previous: pd.DataFrame | None = None, **kw: object
) -> patrol.Plan:
    inc = data["incidents"]
    fc = forecast.forecast_week(inc, week=week, method="count_3m", area=data["area"])  # type: ignore[arg-type]
    opts = replace(data["opts"], **kw)  # type: ignore[arg-type]
    return patrol.make_plan(
        inc, week=week, places=data["places"], G=data["G"], forecast=fc,  # type: ignore[arg-type]
        control_points=data["cps"], previous=previous, options=opts,  # type: ignore[arg-type]
    )  # fmt: skip


def _assert_feasible(plan: patrol.Plan, data: dict[str, object]) -> None:
    opts: patrol.PlanSettings = data["opts"]  # type: ignore[assignment]
    s = plan.stops.sort_values("start")
    # the two hours, and under a minute more: the löfte is at least two hours in the kommun
    assert plan.budget_min <= plan.total_min < plan.budget_min + 1
    # stops last the Koper dwell and share the minutes a further stop would not fit in: up to
    # the curve's 16 min first, past it only when every stop has reached it
    shortest, longest = patrol.priorities.DWELL_RANGE_MIN
    assert (s["dwell_min"] >= shortest).all()
    assert s["dwell_min"].max() <= longest or s["dwell_min"].min() >= longest
    if (s["dwell_min"] < opts.dwell_min).any():
        # only when the drives in whole minutes took the solver's last minutes (121 of 120):
        # stops then give them back, and none is longer than the dwell
        assert plan.total_min == plan.budget_min and s["dwell_min"].max() <= opts.dwell_min
    assert plan.meta["spare_min"] == pytest.approx(0.0)
    assert plan.meta["value"] >= opts.near_optimal * plan.meta["best_value"] - 1e-9
    start_h, end_h = opts.allowed_hours
    for t0, t1 in zip(s["start"], s["end"], strict=True):
        assert start_h <= t0.hour and (t1.hour < end_h or (t1.hour == 0 and t1.minute == 0))
        assert t0.day_of_week in opts.allowed_days
    # no two stops overlap, and the gap between consecutive stops covers the driving
    for (_, a), (_, b) in zip(s.iloc[:-1].iterrows(), s.iloc[1:].iterrows(), strict=True):
        assert b["start"] >= a["end"]
        if a["trip"] == b["trip"]:
            gap_min = (b["start"] - a["end"]).total_seconds() / 60
            assert gap_min == b["drive_min_before"]  # the clock and "körning" agree
    # each trip from leaving the entry to being back out lasts its stops and its driving, and
    # the trips the plan's total: W49 read "120 av 120 min" over trips of 54 and 70 minutes
    trips = patrol.plan_trips(plan)
    spans = [(r.back - r.leave).total_seconds() / 60 for r in trips.itertuples()]
    assert sum(spans) == plan.total_min
    for r, span in zip(trips.itertuples(), spans, strict=True):
        assert span == r.drive_min + s.loc[s["trip"] == r.trip, "dwell_min"].sum()
    # the time planned is the driving on the network, each leg in whole minutes rounded up
    # (the clock, each "körning" and the total agree), plus the stops
    G = data["G"]
    entry = patrol.entry_point(G, opts)
    total = exact = 0.0
    for _trip, stops in s.groupby("trip"):
        stops = stops.sort_values("order")
        pts = [entry, *stops.geometry, entry]
        drives = [network.route_travel_time_s(G, a, b) / 60 for a, b in itertools.pairwise(pts)]
        whole = [math.ceil(d - 1e-9) for d in drives]
        assert list(stops["drive_min_before"]) == whole[:-1]
        total += sum(whole) + stops["dwell_min"].sum()
        exact += sum(drives) + stops["dwell_min"].sum()
    assert total == plan.total_min == plan.budget_min
    assert plan.budget_min - 2 * len(s) < exact <= total
    # two trips are on different days
    days = s.groupby("trip")["start"].min().dt.date
    assert days.nunique() == len(days)


BATHING = {"lanna_badgruva", "leken"}


@pytest.fixture(scope="module")
def july_plan(lekeberg) -> patrol.Plan:
    return _plan(lekeberg, "2026-W28")


def test_july_week_has_a_weekend_afternoon_stop_at_a_bathing_site(lekeberg, july_plan) -> None:
    plan = july_plan
    _assert_feasible(plan, lekeberg)
    hits = plan.stops[
        plan.stops["place_id"].isin(BATHING)
        & plan.stops["start"].map(lambda t: t.day_of_week >= 5 and t.hour >= 12)
    ]
    assert len(hits) >= 1, plan.stops[["place", "start"]]
    assert (hits["theme"] == "B").all()
    reason = hits["reason"].iloc[0]
    assert "händelser" in reason and "Löfte: Badplatser" in reason and "Källor:" in reason


def test_november_week_has_no_bathing_site(lekeberg) -> None:
    plan = _plan(lekeberg, "2026-W46")
    _assert_feasible(plan, lekeberg)
    assert not plan.stops["place_id"].isin(BATHING).any()
    assert (
        not plan.stops["kind"].eq("plats").any()
        or not plan.stops["place"].str.contains("bad", case=False).any()
    )


def test_eight_weeks_fjugesta_evenings_and_plans_vary(lekeberg) -> None:
    previous = None
    plans = []
    for w in range(36, 44):
        plan = _plan(lekeberg, f"2026-W{w}", previous)
        _assert_feasible(plan, lekeberg)
        plans.append(plan)
        previous = plan.stops
    fjugesta_evening = [
        bool(
            (
                (p.stops["place_id"] == "fjugesta_centrum")
                & p.stops["start"].map(lambda t: t.day_of_week in (4, 5) and t.hour >= 18)
            ).any()
        )
        for p in plans
    ]
    assert sum(fjugesta_evening) >= 5, fjugesta_evening
    signatures = {
        tuple((s["candidate_id"], s["start"].isoformat()) for _, s in p.stops.iterrows())
        for p in plans
    }
    assert len(signatures) > 1
    # repeating the last weeks' places and hours is a penalty traded against the expected
    # events (at most 1 - near_optimal lost; _assert_feasible), tested with the stored weeks in
    # test_eight_weeks_with_stored_plans_vary_their_days_hours_and_places


def _busy_hours(data: dict[str, object], week: str) -> dict[str, set[int]]:
    """Return the hours of the week inside each candidate's busy windows."""
    from geo.patrol.windows import busy_windows, window_shares

    opts: patrol.PlanSettings = data["opts"]  # type: ignore[assignment]
    fc = forecast.forecast_week(data["incidents"], week=week, method="count_3m", area=data["area"])  # type: ignore[arg-type]
    cands = patrol.week_candidates(
        fc, data["incidents"], week=week, places=data["places"], G=data["G"],  # type: ignore[arg-type]
        control_points=data["cps"], spots=None, options=opts,  # type: ignore[arg-type]
    )  # fmt: skip
    windows = patrol.trip_windows(opts)
    busy = busy_windows(window_shares(cands, windows), busy_share=opts.busy_share)
    return {
        cid: {int(h) + k for h in windows.how[row] for k in range(windows.length_h)}
        for cid, row in zip(cands["candidate_id"], busy, strict=True)
    }


def test_eight_weeks_with_stored_plans_vary_their_days_hours_and_places(lekeberg) -> None:
    from geo.patrol.plan import same_place_groups
    from geo.patrol.windows import band_hours

    opts: patrol.PlanSettings = lekeberg["opts"]
    plans: list[patrol.Plan] = []
    for w in range(32, 40):  # August–September: bathing sites in season, then not
        stored = pd.concat([p.stops for p in plans]) if plans else None
        plans.append(_plan(lekeberg, f"2026-W{w}", stored))
    patterns, both_trips = set(), 0
    for plan in plans:
        _assert_feasible(plan, lekeberg)
        stops = plan.stops
        patterns.add(frozenset(band_hours(t.day_of_week * 24 + t.hour)[0] for t in stops["start"]))
        # a place (candidates within same_place_m) on both trips is the exception: its second
        # trip earns repeat_factor, so only a place far above the rest is visited twice
        place = same_place_groups(stops, distance_m=opts.same_place_m)
        trips = [set(place[stops["trip"].to_numpy() == k]) for k in stops["trip"].unique()]
        both_trips += len(trips) == 2 and bool(trips[0] & trips[1])
        # every stop, a bathing site's too, lies in its own place's busy hours
        busy = _busy_hours(lekeberg, plan.week)
        for cid, t in zip(stops["candidate_id"], stops["start"], strict=True):
            assert t.day_of_week * 24 + t.hour in busy[cid], (plan.week, cid, t)
    # 4 of 8: until the control points took their traffic hours (2026-11-29) a speed check on
    # väg 204 filled W38's Saturday evening, the town's alcohol hours, and it was 2; a second
    # visit to Leken on a September Sunday is worth more than a check at an hour without traffic
    # (W36-W38); and since checks are timed by the events they are for (the same day), W35's
    # Sunday-afternoon sobriety check on väg 204 400 m from Vintrosa's point counts as Vintrosa,
    # whose mopeds the Saturday-night trip checks. Half the weeks, never more: the second visit
    # keeps repeat_factor of its value
    assert both_trips <= 4, both_trips
    # the weekdays and hour bands of the trips are not the same week after week
    assert len(patterns) >= 3, patterns


def test_same_week_same_plan_and_json_contract(lekeberg, july_plan) -> None:
    again = _plan(lekeberg, "2026-W28")
    assert again.as_dict() == july_plan.as_dict()
    d = json.loads(json.dumps(july_plan.as_dict()))
    assert d["week"] == "2026-W28" and d["budget_min"] == 120
    assert 120 <= d["total_min"] < 121  # the promise's two hours, planned whole
    assert [s["order"] for s in d["stops"]] == list(range(1, len(d["stops"]) + 1))
    for s in d["stops"]:
        assert set(s) == {
            "order", "place", "place_id", "lon", "lat", "start", "dwell_min", "theme",
            "activity", "reason",
        }  # fmt: skip
        assert s["theme"] in "NTBS" and s["activity"] in patrol.ACTIVITIES
        assert 14.5 < s["lon"] < 15.2 and 59.0 < s["lat"] < 59.4
        assert pd.Timestamp(s["start"]).tzinfo is not None and s["start"][-6] in "+-"
        assert s["reason"] and " Tid: " in s["reason"]  # why there, and why then


@pytest.mark.parametrize("week", ["2026-W13", "2026-W43"])
def test_a_sunday_trip_in_a_dst_week_keeps_its_local_hours(lekeberg, week) -> None:
    # the clocks change early on these Sundays (29 March, 25 October 2026): trips were placed
    # at Monday 00:00 + the window's hours of the week, elapsed, so a Sunday evening trip ran
    # an hour late in March (21:00–23:00 for the window 20–22, outside the allowed hours)
    # and an hour early in October, its stops timed for hours the values were not for
    plan = _plan(lekeberg, week, allowed_days=(6,), allowed_hours=(20, 22), max_trips=1)
    sunday = (week_monday(week) + pd.Timedelta(days=6)).date()
    assert len(plan.stops)
    for start, end in zip(plan.stops["start"], plan.stops["end"], strict=True):
        local_start, local_end = pd.Timestamp(start), pd.Timestamp(end)
        assert local_start.date() == sunday
        assert local_start.hour >= 20 and (local_end.hour, local_end.minute) <= (22, 0)


def test_a_week_planned_again_after_it_began_plans_only_the_hours_ahead(
    lekeberg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the plan was sent on Monday; a spot marked on Thursday and the week planned again: trips
    # were put on days gone (W48 planned on its Sunday: the Friday and Saturday before), in
    # the calendar that replaces the week's and on the page Pass
    from geo.cli.plan import plan_cmd

    prio = tmp_path / "prio.toml"
    text = patrol.priorities_path().read_text(encoding="utf-8")
    prio.write_text(text.replace('forecast_method = "default"', 'forecast_method = "count_3m"'))
    args = ["--week", "2026-W49", "--store", str(lekeberg["store"]), "--no-pdf",
            "--out", str(tmp_path / "out"), "--priorities", str(prio)]  # fmt: skip
    thursday = pd.Timestamp("2026-12-03 12:00", tz="Europe/Stockholm")
    monkeypatch.setattr("geo.patrol.stored.local_now", lambda now=None: thursday)
    result = CliRunner().invoke(plan_cmd, args)
    assert result.exit_code == 0, result.output
    assert "Veckan har börjat: turerna planeras från nu (torsdag 3/12 12:00)" in result.output
    assert "redan loggat denna vecka: 0 av 120 min" in result.output
    stored = patrol.read_plan_stops("2026-W49", lekeberg["store"])
    assert len(stored) and (stored["trip_leave"] >= thursday).all()
    assert (stored["start"] >= thursday).all()

    late = pd.Timestamp("2026-12-06 23:30", tz="Europe/Stockholm")  # no window left
    monkeypatch.setattr("geo.patrol.stored.local_now", lambda now=None: late)
    result = CliRunner().invoke(plan_cmd, args)
    assert result.exit_code != 0
    assert "Vecka 49 har inga timmar kvar att planera efter 2026-12-06 23:30" in (
        result.output + str(result.exception)
    )
    assert patrol.replan_not_before("2026-W48", now=thursday) is None  # a week over: whole
    assert patrol.replan_not_before("2026-W50", now=thursday) is None  # not begun: whole


def test_a_week_planned_again_plans_only_the_minutes_its_log_leaves(
    lekeberg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Monday's 66-minute pass was logged; the week planned again on Thursday asked for 120
    # minutes more, so the week's calendar held three hours where two were promised
    from geo import patrol_log
    from geo.cli.plan import plan_cmd

    store_path = tmp_path / "store.gpkg"
    shutil.copy(lekeberg["store"], store_path)  # type: ignore[arg-type]
    thursday = pd.Timestamp("2026-12-03 12:00", tz="Europe/Stockholm")
    monkeypatch.setattr("geo.patrol.stored.local_now", lambda now=None: thursday)
    log = tmp_path / "logg.csv"
    header = "datum;start;slut;platser;aktivitet;resultat"
    log.write_text(f"{header}\n2026-11-30;18:00;19:06;Fjugesta centrum;närvaro/synlighet;\n")
    patrol_log.import_log(log, store_path=store_path, now=thursday)
    args = ["--week", "2026-W49", "--store", str(store_path), "--no-pdf",
            "--out", str(tmp_path / "out")]  # fmt: skip

    result = CliRunner().invoke(plan_cmd, args)
    assert result.exit_code == 0, result.output
    assert "redan loggat denna vecka: 66 av 120 min; planeras: de 54 min som återstår" in (
        result.output
    )
    assert 0 < patrol.read_plan_stops("2026-W49", store_path)["dwell_min"].sum() <= 54
    # the printed page and the map say it too: "Planerat 54 av 54 min" alone read as a week
    # short of the promise to anyone without the command's output
    page = (tmp_path / "out" / "plan-2026-W49-a4.html").read_text(encoding="utf-8")
    assert "Redan loggat denna vecka: 66 av 120 min." in page
    assert "Redan loggat denna vecka: 66 av 120 min" in (
        tmp_path / "out" / "plan-2026-W49.html"
    ).read_text(encoding="utf-8")

    result = CliRunner().invoke(plan_cmd, [*args, "--budget", "90"])
    assert result.exit_code == 0, result.output
    assert "planeras: 90 min enligt --budget." in result.output

    log.write_text(f"{header}\n2026-12-02;18:00;19:00;Vintrosa;närvaro/synlighet;\n")
    patrol_log.import_log(log, store_path=store_path, now=thursday)
    result = CliRunner().invoke(plan_cmd, args)
    assert result.exit_code != 0
    assert "126 av 120 min är redan loggade, inget kvar att planera" in str(result.exception)


def test_a_week_planned_again_after_a_pass_plans_the_trips_it_leaves(
    lekeberg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Thursday morning's 66-minute pass logged, the week planned again at noon (a spot marked):
    # the plan put two more trips in the week, one of them on Thursday evening, so the week
    # had three trips, two on one day, each with its drive from Örebro, for 54 minutes
    from geo import patrol_log
    from geo.cli.plan import plan_cmd

    store_path = tmp_path / "store.gpkg"
    shutil.copy(lekeberg["store"], store_path)  # type: ignore[arg-type]
    thursday = pd.Timestamp("2026-12-03 12:00", tz="Europe/Stockholm")
    monkeypatch.setattr("geo.patrol.stored.local_now", lambda now=None: thursday)
    log = tmp_path / "logg.csv"
    log.write_text(
        "datum;start;slut;platser;aktivitet;resultat;inställt\n"
        "2026-12-03;09:00;10:06;Fjugesta centrum;närvaro/synlighet;;\n"
        "2026-12-01;19:00;;Vintrosa;närvaro/synlighet;;annat larm\n"
    )  # and Tuesday's trip called off: that day was not patrolled
    assert patrol_log.import_log(log, store_path=store_path, now=thursday).stored == 2
    args = ["--week", "2026-W49", "--store", str(store_path), "--no-pdf",
            "--out", str(tmp_path / "out")]  # fmt: skip
    result = CliRunner().invoke(plan_cmd, args)
    assert result.exit_code == 0, result.output
    stops = patrol.read_plan_stops("2026-W49", store_path)
    assert set(stops["trip"]) == {1}  # the pass was one of the week's two trips
    days = {pd.Timestamp(t).date() for t in stops["start"]}
    assert len(days) == 1 and thursday.date() not in days
    assert stops["dwell_min"].sum() <= 54
    # the days patrolled are the passes done: Tuesday's was called off
    from geo.patrol.stored import patrolled_days

    assert patrolled_days("2026-W49", patrol_log.read_log(store_path)) == {3}


def test_a_week_begun_counts_its_logged_minutes_from_the_log_its_inputs_read(
    lekeberg, tmp_path: Path
) -> None:
    # the plan read the patrol log twice, for the earlier weeks' visits and for this week's
    # minutes: a pass logged on Pass between the two reads counted in one and not the other
    from geo import patrol_log
    from geo.patrol.stored import logged_minutes

    store_path = tmp_path / "store.gpkg"
    shutil.copy(lekeberg["store"], store_path)  # type: ignore[arg-type]
    thursday = pd.Timestamp("2026-12-03 12:00", tz="Europe/Stockholm")
    log = tmp_path / "logg.csv"
    header = "datum;start;slut;platser;aktivitet;resultat"
    log.write_text(f"{header}\n2026-11-30;18:00;19:06;Fjugesta centrum;närvaro/synlighet;\n")
    patrol_log.import_log(log, store_path=store_path, now=thursday)
    inputs = patrol.read_plan_inputs(
        "2026-W49", store_path=store_path, incidents=lekeberg["incidents"], G=lekeberg["G"]
    )
    log.write_text(f"{header}\n2026-12-02;18:00;19:00;Vintrosa;närvaro/synlighet;\n")
    patrol_log.import_log(log, store_path=store_path, now=thursday)
    assert logged_minutes("2026-W49", store_path) == 126  # the store holds both now
    begun = patrol.replan("2026-W49", patrol.load_priorities(), log=inputs.log, now=thursday)
    assert begun.logged_min == 66 and begun.options.budget_min == 54


def test_monday_morning_plans_the_coming_week_when_the_budget_is_logged(
    lekeberg, tmp_path: Path
) -> None:
    # before Monday 12:00 the week begun is planned, unless its log leaves less than a stop's
    # time of the budget (110 of 120 minutes: planning it would be refused, and `geo run` fail)
    from geo import patrol_log

    store_path = tmp_path / "store.gpkg"
    shutil.copy(lekeberg["store"], store_path)  # type: ignore[arg-type]
    monday = pd.Timestamp("2026-12-14 08:00", tz="Europe/Stockholm")
    assert patrol.week_to_plan(store_path=store_path, now=monday)[0] == "2026-W51"
    log = tmp_path / "logg.csv"
    log.write_text(
        "datum;start;slut;platser;aktivitet;resultat\n"
        "2026-12-14;00:30;02:20;Fjugesta centrum;nykterhetskontroll;\n"
    )
    patrol_log.import_log(log, store_path=store_path, now=monday)
    week, why = patrol.week_to_plan(store_path=store_path, now=monday)
    assert week == "2026-W52"
    assert why == "kommande vecka: innevarande vecka har redan 110 min loggade"
    with pytest.raises(GeoError, match="110 av 120 min är redan loggade"):
        patrol.replan("2026-W51", patrol.load_priorities(), store_path=store_path, now=monday)


def test_plan_with_impossible_budget_raises(lekeberg) -> None:
    with pytest.raises(InfeasiblePatrolError, match="Raise the budget"):
        _plan(lekeberg, "2026-W49", budget_min=5.0)


def test_cli_plan_json(lekeberg, tmp_path: Path) -> None:
    from geo.cli.plan import plan_cmd

    prio = tmp_path / "prio.toml"
    text = patrol.priorities_path().read_text(encoding="utf-8")
    prio.write_text(text.replace('forecast_method = "default"', 'forecast_method = "count_3m"'))
    result = CliRunner().invoke(
        plan_cmd,
        ["--week", "2026-W49", "--store", str(lekeberg["store"]), "--json", "--no-pdf",
         "--out", str(tmp_path / "out"), "--priorities", str(prio)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["week"] == "2026-W49" and d["stops"]
    assert (tmp_path / "out" / "plan-2026-W49.csv").exists()
    assert (tmp_path / "out" / "plan-2026-W49.html").exists()
    bad = CliRunner().invoke(
        plan_cmd,
        ["--week", "2026-W49", "--store", str(lekeberg["store"]), "--budget", "5", "--no-pdf",
         "--out", str(tmp_path / "out2"), "--priorities", str(prio)],
    )  # fmt: skip
    assert bad.exit_code != 0
    assert "budget" in str(bad.exception) or "budget" in bad.output
    # a mistyped store is named, and not created as an empty one to plan from
    missing = tmp_path / "lagesbld.gpkg"
    typo = CliRunner().invoke(plan_cmd, ["--week", "2026-W49", "--store", str(missing), "--no-pdf"])
    assert typo.exit_code == 2 and "does not exist" in typo.output and "geo run" in typo.output
    assert not missing.exists()
    # a --dwell outside the Koper range points to the option as well as the file
    dwell = CliRunner().invoke(
        plan_cmd, ["--week", "2026-W49", "--store", str(lekeberg["store"]), "--dwell", "30"]
    )
    assert dwell.exit_code != 0 and "--dwell" in str(dwell.exception)


def test_candidates_have_distinct_names_and_reasons_say_their_scope(lekeberg) -> None:
    week = "2026-W49"
    inc = lekeberg["incidents"]
    fc = forecast.forecast_week(inc, week=week, method="count_3m", area=lekeberg["area"])
    cands = patrol.plan_candidates(
        fc, week=week, places=lekeberg["places"], G=lekeberg["G"], control_points=lekeberg["cps"]
    )
    assert cands["name"].is_unique, cands["name"][cands["name"].duplicated()].tolist()
    cp = cands[cands["kind"] == "kontrollpunkt"].iloc[0]
    reason = patrol.explain_stop(cp, inc, week=week, places=lekeberg["places"])
    assert reason.startswith("Inom 300 m: ") and "Hela vägavsnittet: " in reason
    # the period ends where the data do (the store ends 2026-12-07, W49 starts 11-30)
    assert "2025-11-30 – 2026-11-29" in reason
    later = patrol.explain_stop(cp, inc, week="2026-W52", places=lekeberg["places"])
    last = pd.Timestamp(inc["occurred_at"].max()).tz_convert("Europe/Stockholm")
    assert f"– {last:%Y-%m-%d}" in later


def test_a_past_weeks_road_segments_count_its_year_and_say_so(lekeberg) -> None:
    # the segment's "50 trafikhändelser på 1,0 km" counted all the data (2023-04…2026-12),
    # with no period, the same every week, and for a past week the events after it
    from geo.patrol.stored import plan_control_points

    inc, week = lekeberg["incidents"], "2026-W22"
    cps = plan_control_points(
        inc, lekeberg["G"], week=week, places=lekeberg["places"], top=10,
        options=lekeberg["opts"],
    )  # fmt: skip
    assert len(cps)
    t = pd.to_datetime(inc["occurred_at"])
    begin, end, period = patrol.reason_period(t, week)
    # the year before the day after the data's last day before the week (Monday 2026-05-25)
    last = t[t < end].max().tz_convert("Europe/Stockholm")
    assert last >= end - pd.Timedelta(days=2)
    year_end = last.normalize() + pd.Timedelta(days=1)
    assert period == f"{year_end - pd.Timedelta(days=365):%Y-%m-%d} – {last:%Y-%m-%d}"
    assert cps["reason"].str.contains(f"trafikhändelse[r]? {period} på ").all()
    # events after the week change nothing: the same control points, the same reasons
    before = plan_control_points(
        inc[t < end], lekeberg["G"], week=week,
        places=lekeberg["places"], top=10, options=lekeberg["opts"],
    )  # fmt: skip
    pd.testing.assert_frame_equal(before, cps)
    # and the counts are those of the year: at most the traffic events of the year
    n_year = int(((t >= begin) & (t < end) & (inc["theme"] == "T")).sum())
    assert cps["n_events"].sum() <= n_year
    all_data = lekeberg["cps"]
    assert not all_data["reason"].str.contains(period).any()


def test_outputs_csv_geojson_ics_map_and_one_page_pdf(july_plan, tmp_path: Path) -> None:
    plan = july_plan
    paths = plan_report.write_plan_outputs(plan, out_dir=tmp_path, store_path=tmp_path / "s.gpkg")
    assert set(paths) == {"map", "csv", "geojson", "ics", "html", "pdf"}
    assert paths["map"].name == "plan-2026-W28.html"
    # CSV: one row per stop, Swedish headers, UTF-8 with BOM, ";" and decimal commas for a
    # Swedish Excel (a comma file put each row in column A)
    raw = paths["csv"].read_bytes()
    assert raw.startswith("\ufeffnr;plats;dag;".encode())
    csv = pd.read_csv(paths["csv"], encoding="utf-8-sig", sep=";", decimal=",")
    assert csv["lat"].between(59.0, 59.4).all() and csv["lon"].between(14.5, 15.2).all()
    assert f"{csv['lat'].iloc[0]:.6f}".replace(".", ",") in raw.decode("utf-8-sig")
    assert list(csv.columns[:9]) == [
        "nr",
        "plats",
        "dag",
        "start",
        "slut",
        "min",
        "åtgärd",
        "tema",
        "skäl",
    ]
    assert list(csv["plats"]) == list(plan.stops["place"])
    # the theme by name, as the page says it ("T" meant nothing to a planner in Excel)
    assert list(csv["tema"]) == [THEMES[t] for t in plan.stops["theme"]]
    # every row has an id to sort and join on: a place's, else its stop's ("kontroll:seg…")
    assert csv["plats_id"].notna().all()
    placeless = plan.stops["place_id"].isna().to_numpy()
    assert list(csv.loc[placeless, "plats_id"]) == list(plan.stops.loc[placeless, "candidate_id"])
    assert list(csv.loc[~placeless, "plats_id"]) == list(plan.stops.loc[~placeless, "place_id"])
    # GeoJSON: stops as points and routes as lines, in WGS84
    gj = json.loads(paths["geojson"].read_text(encoding="utf-8"))
    kinds = [f["geometry"]["type"] for f in gj["features"]]
    assert kinds.count("Point") == len(plan.stops) and kinds.count("LineString") == len(plan.routes)
    lon, lat = next(f for f in gj["features"] if f["geometry"]["type"] == "Point")["geometry"][
        "coordinates"
    ]
    assert 14.5 < lon < 15.2 and 59.0 < lat < 59.4
    # .ics: one VEVENT per trip, TZID Europe/Stockholm, GEO, LOCATION, DESCRIPTION, stable UIDs
    raw = paths["ics"].read_bytes()
    cal = icalendar.Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    assert len([e for e in events if e["STATUS"] == "CONFIRMED"]) == len(plan.routes)
    assert b"DTSTART;TZID=Europe/Stockholm:" in raw
    assert b"BEGIN:VTIMEZONE" in raw
    first = events[0]
    assert plan.stops["place"].iloc[0] in str(first["LOCATION"])
    assert first["GEO"].latitude == pytest.approx(plan.stops["lat"].iloc[0], abs=1e-5)
    assert "Löfte:" in str(first["DESCRIPTION"])
    assert first.decoded("DTSTART") < plan.stops["start"].iloc[0].to_pydatetime()
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    again = icalendar.Calendar.from_ical(plan_report.plan_calendar(plan).to_ical())
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == uids
    # map: route, numbered stops and the reasons in popups, schematic network said
    html = paths["map"].read_text(encoding="utf-8")
    assert "Tur 1" in html and "Stopp (numrerade)" in html
    reason = plan.stops["reason"].iloc[0][:40]
    assert reason in html or json.dumps(reason)[1:-1] in html
    assert "schematiskt vägnät" in html or json.dumps("schematiskt vägnät")[1:-1] in html
    assert "https://cdn" not in html and "unpkg.com" not in html
    # one-pager: one A4 page with table columns, footer and map image
    one = paths["html"].read_text(encoding="utf-8")
    for word in ("nr", "tur", "plats", "dag", "tid", "min", "åtgärd", "skäl", "tema", "genomförd"):
        assert f"<th>{word}" in one or f"{word}</th>" in one
    assert "Arbetsmaterial – ej för spridning" in one and "Dataperiod:" in one
    assert "data:image/png;base64," in one
    info = subprocess.run(
        ["pdfinfo", str(paths["pdf"])], capture_output=True, text=True, check=True
    )
    assert "Pages:           1" in info.stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(paths["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Patrullplan vecka 28" in text and "Arbetsmaterial" in text
    assert plan.stops["place"].iloc[0].split()[0] in text
    # the stops were stored so next week can avoid their place and hour
    stored = patrol.read_plan_stops("2026-W28", tmp_path / "s.gpkg")
    assert list(stored["candidate_id"]) == list(plan.stops["candidate_id"])


def test_next_week_is_the_coming_week_and_never_one_the_data_covers(lekeberg) -> None:
    path = lekeberg["store"]  # data through Sunday 2026-12-06 (ISO week 49)
    assert patrol.next_week(store_path=path, today=date(2027, 1, 14)) == "2027-W03"
    assert patrol.next_week(store_path=path, today=date(2026, 12, 6)) == "2026-W50"
    assert patrol.next_week(store_path=path, today=date(2026, 11, 27)) == "2026-W50"


def test_plan_map_in_the_browser_shows_route_stops_and_reasons(
    july_plan, tmp_path: Path, offline_page, artifacts_dir
) -> None:
    plan = july_plan
    paths = plan_report.write_plan_outputs(
        plan, out_dir=tmp_path, store_path=tmp_path / "s.gpkg", pdf=False
    )
    page = offline_page
    errors = open_map(page, paths["map"])
    assert real_errors(errors) == []
    labels = page.locator(".leaflet-tooltip").all_inner_texts()
    numbers = [t.strip() for t in labels if t.strip().isdigit()]
    assert sorted(map(int, numbers)) == list(range(1, len(plan.stops) + 1))
    # the stop numbers are badges that never cover a place's name or each other
    found = page.evaluate(LABEL_OVERLAPS_JS)
    assert sum(t.strip().isdigit() for t in found["labels"]) == len(plan.stops)
    assert found["overlaps"] == []
    page.hover(".leaflet-control-layers")  # the layer list is folded into its button
    control = page.locator(".leaflet-control-layers").inner_text()
    assert "Tur 1" in control and "Stopp (numrerade)" in control
    # a trip is named alike in the layer list and the legend (a reviewer read "Tur 1, bred
    # linje" beside "Tur 1 (fredag)")
    legend = page.locator(".geo-legend").inner_text()
    trips = re.findall(r"Tur \d \(\w+\)", control)
    assert len(trips) == len(plan.routes)
    for trip in trips:
        assert trip in legend
    n_routes = page.evaluate(
        f"() => {{ let n = 0; window[{MAP_JS}[0]].eachLayer(l => {{"
        " if (l instanceof L.Polyline && !(l instanceof L.Polygon)"
        " && l.feature && /^Tur /.test(l.feature.properties._tooltip || '')) n++; }); return n; }"
    )
    assert n_routes == len(plan.routes)
    page.evaluate(
        f"() => {{ window[{MAP_JS}[0]].eachLayer(l => {{"
        " if (l.feature && l.feature.properties._tooltip === '1' && l.openPopup) l.openPopup(); });"
        " }"
    )
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    first = plan.stops.iloc[0]
    assert text.startswith(f"1. {first['place']}")
    assert "Skäl" in text and "Löfte:" in text and "Åtgärd" in text
    page.wait_for_timeout(400)  # the popup fades in
    page.screenshot(path=str(artifacts_dir / "plan-karta.png"))


#: JS: hide everything but the route lines (and the map's boxes), so a screenshot shows which
#: route colours can be seen.
_ONLY_ROUTES_JS = f"""() => {{
  const map = window[{MAP_JS}[0]];
  const drop = [];
  map.eachLayer(l => {{
    const tip = l.feature && l.feature.properties && l.feature.properties._tooltip;
    if (l instanceof L.Path && !/^Tur /.test(String(tip || ''))) drop.push(l);
  }});
  drop.forEach(l => map.removeLayer(l));
  document.querySelectorAll('.leaflet-control-container, .leaflet-tooltip-pane')
    .forEach(e => e.style.display = 'none');
}}"""

#: JS: the screen boxes of the stop markers and of their number badges, by stop number.
_STOP_BOXES_JS = f"""() => {{
  const map = window[{MAP_JS}[0]];
  const out = [];
  map.eachLayer(l => {{
    const tip = l.feature && l.feature.properties._tooltip;
    if (!(l instanceof L.CircleMarker) || !/^\\d+$/.test(tip || '')) return;
    const c = l._path.getBoundingClientRect();
    const t = l.getTooltip()._container.getBoundingClientRect();
    out.push([l.feature.properties._tooltip, [c.left, c.top, c.right, c.bottom],
              [t.left, t.top, t.right, t.bottom]]);
  }});
  const boxes = [...document.querySelectorAll('.leaflet-control')]
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0)
    .map(r => [r.left, r.top, r.right, r.bottom]);
  return {{stops: out, controls: boxes}};
}}"""


def _meet(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


@pytest.fixture(scope="module")
def two_trip_plan(lekeberg) -> patrol.Plan:
    """Week 49: both trips leave from the entry point, share roads and visit one place twice."""
    return _plan(lekeberg, "2026-W49")


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 800)])
def test_plan_map_shows_both_routes_and_stops_apart(
    two_trip_plan, tmp_path: Path, browser, artifacts_dir, viewport
) -> None:
    import io

    import geopandas as gpd
    import matplotlib.image as mpimg
    import numpy as np

    from geo import settings
    from geo.maps.plan import _TRIP_COLORS

    plan = two_trip_plan
    routes = plan.routes.set_index("trip").geometry
    shared = routes[1].intersection(routes[2].buffer(1.0))
    assert len(routes) == 2 and shared.length > 1000  # the case: route 2 runs on route 1's roads
    stops = plan.stops.geometry
    assert min(a.distance(b) for a, b in itertools.combinations(stops, 2)) < 50  # one place twice

    paths = plan_report.write_plan_outputs(
        plan, out_dir=tmp_path, store_path=tmp_path / "s.gpkg", pdf=False
    )
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.route("**/*", lambda r: r.abort() if r.request.url.startswith("http") else r.continue_())
    try:
        errors = open_map(page, paths["map"])
        page.wait_for_timeout(300)
        assert real_errors(errors) == []
        found = page.evaluate(_STOP_BOXES_JS)
        page.screenshot(path=str(artifacts_dir / f"plan-karta-tva-turer-{width}.png"))
        assert len(found["stops"]) == len(plan.stops)
        for (a, circle_a, badge_a), (b, circle_b, badge_b) in itertools.combinations(
            found["stops"], 2
        ):
            assert not _meet(circle_a, circle_b), (a, b)  # no marker hides another
            assert not _meet(badge_a, circle_b) and not _meet(badge_b, circle_a), (a, b)
        for number, circle, badge in found["stops"]:  # none under a box, all on the map
            assert circle[0] >= 0 and circle[2] <= width and badge[1] >= 0 and circle[3] <= height
            assert not [c for c in found["controls"] if _meet(circle, c) or _meet(badge, c)], number
        if width < 600:  # a phone: the legend folds into its title
            assert not page.locator(".geo-legend .geo-line").first.is_visible()
        # where the routes share roads both colours show (the first, wider, under the second)
        parts = [g for g in getattr(shared, "geoms", [shared]) if g.length > 200]
        fractions = np.linspace(0.1, 0.9, 9)
        samples = [g.interpolate(f, normalized=True) for g in parts for f in fractions]
        lonlat = gpd.GeoSeries(samples, crs=plan.routes.crs).to_crs(settings.display_crs)
        page.evaluate(_ONLY_ROUTES_JS)
        page.wait_for_timeout(100)
        img = mpimg.imread(io.BytesIO(page.screenshot()), format="png")[..., :3] * 255
        points = page.evaluate(
            f"ps => ps.map(p => {{ const m = window[{MAP_JS}[0]];"
            " const c = m.latLngToContainerPoint(p); const r = m.getContainer()"
            ".getBoundingClientRect(); return [c.x + r.left, c.y + r.top]; })",
            [[p.y, p.x] for p in lonlat],
        )
        seen = []
        for x, y in points:
            if not (8 <= x < width - 8 and 8 <= y < height - 8):
                continue
            patch = img[int(y) - 7 : int(y) + 8, int(x) - 7 : int(x) + 8].reshape(-1, 3)
            colours = []
            for hexcolor in _TRIP_COLORS:
                rgb = np.array([int(hexcolor[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
                colours.append(bool((np.abs(patch - rgb).max(axis=1) < 45).sum() >= 3))
            seen.append(colours)
        assert len(seen) >= 5
        assert all(c == [True, True] for c in seen), seen
    finally:
        context.close()


#: The longest reason the plan writes: a road control point with every part said (the
#: check's own comparison with last year, the segment's period and peak, a marked spot's note,
#: "Åtgärd efter …"), commas, semicolons and Swedish letters (1,099 characters).
LONG_REASON = (
    "Inom 300 m: 14 händelser 2025-11-30 – 2026-11-22 (6 hastighet, 5 rattfylleri, 3 "
    "vårdslös körning); senaste 2026-10-31; flest händelser lör 14–17 (oftast fre och lör); "
    "hastighet och vårdslös körning: fler än samma 90 dagar i fjol (9 mot 4); andra teman på "
    "platsen: 12 händelser (8 ordningsstörning, 4 skadegörelse); prognos vecka 49: 1,3 "
    "händelser, varav 0,9 trafik. Hela vägavsnittet: 50 trafikhändelser på 1,0 km (51,3 per "
    "km) 2025-11-30 – 2026-11-22; varav 32 hastighet/vårdslös körning, 17 motorburen "
    "problematik/buller och 1 rattfylleri; flest händelser på sträckan tis 15–18. Plats: rak "
    "sträcka utan korsning inom 100 m, vägren på båda sidor; bra uppställningsplats vid "
    "busshållplatsen söder om Åsbro–Ölmbrotorp-vägen. Obs: schematiskt vägnät, kontrollera "
    "platsen. Löfte: Trafik. Källor: syntetiska exempeldata (7), polisen (5), kommunen (2), "
    "markerad plats (kommunen). Åtgärd efter de senaste 90 dagarna: 6 hastighet, 3 vårdslös "
    "körning, 2 rattfylleri. Tid: 13 % av platsens prognos för veckan infaller under "
    "stoppets timme, fre 20–21 (mest lör 14–15: 21 %; tiden väljs för alla turens stopp)."
)


def _long_reason_plan(plan: patrol.Plan, n: int) -> patrol.Plan:
    """The plan's stops and copies of them, ``n`` in all, each with :data:`LONG_REASON`."""
    stops = pd.concat([plan.stops] * n, ignore_index=True).iloc[:n].copy()
    stops["order"] = range(1, n + 1)
    stops["reason"] = LONG_REASON
    stops["place"] = [f"{p} vid Ölmbrotorps skola och Lanna–Hidinge-vägen" for p in stops["place"]]
    return replace(plan, stops=stops)


def _word_heights(pdf: Path, word: str) -> list[float]:
    """Heights in points of each ``word`` printed in ``pdf`` (poppler's word boxes)."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pattern = rf'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">{word}</word>'
    return [float(y1) - float(y0) for y0, y1 in re.findall(pattern, boxes)]


def test_the_printed_plan_is_an_accessible_pdf(lekeberg) -> None:
    # DOS-lagen (EN 301 549) covers a PDF handed out as well as a web page: the one-pager
    # `geo run` prints is tagged, says it is in Swedish and shows its title, and a screen
    # reader gets the page's heading, the stop table's column heads and the map's alt text
    pdf = next((lekeberg["store"].parent / "maps").glob("plan-*.pdf"))
    page = pdf.with_name(f"{pdf.stem}-a4.html").read_text(encoding="utf-8")
    tags = pdf_tags(pdf)
    year, num = pdf.stem.removeprefix("plan-").split("-W")
    assert tags.tagged and tags.lang == "sv"
    assert tags.title == f"Patrullplan vecka {int(num)} {year}" and tags.display_title
    assert tags.structure.count("H1") == 1 and tags.structure.count("Table") == 1
    assert tags.bookmarks == headings(page) and len(tags.bookmarks) == 1
    assert tags.structure.count("TH") == len(re.findall(r"<th[\s>]", page))
    alts = image_alts(page)
    assert len(alts) == 1
    assert tags.figure_alts == alts
    # the map's alt says what it shows, its stops being the table's (one a row of the CSV)
    n_stops = len(pd.read_csv(pdf.with_suffix(".csv"), sep=";", encoding="utf-8-sig"))
    assert f"Lekebergs kommun: veckans {n_stops} stopp numrerade som i tabellen" in alts[0]
    # every element is of a type a PDF 1.7 reader knows: poppler drops an unknown one (a
    # <strong> printed as PDF 2.0's Strong) with its text, and says so
    assert tags.warnings == []


def test_each_cell_of_the_stop_table_has_its_own_column_head_only(two_trip_plan) -> None:
    # a screen reader names a cell by its column head: the "skäl" head, a second header row
    # under "tur" … "✓ genomförd", was read with every cell from "tur" on ("skäl, tur: 2"),
    # and a stop's reason and a trip's line with all nine heads
    cells = table_headers(plan_report.one_pager_html(two_trip_plan))
    heads = [c.text for c in cells if c.is_header]
    columns = ["nr", "tur", "plats", "dag", "tid", "min", "åtgärd", "tema", "✓ genomförd"]
    assert heads == [*columns, "skäl"]
    data = [c for c in cells if not c.is_header]
    trips = [c for c in data if c.attrs.get("class") == "trip"]
    stops = [c for c in data if c.attrs.get("class") != "trip"]
    assert len(trips) == two_trip_plan.stops["trip"].nunique() >= 2
    assert all(c.headers == [] for c in trips)  # a trip's line stands under no column
    rows: dict[int, list[Cell]] = {}
    for c in stops:
        rows.setdefault(c.y, []).append(c)
    got = [[[h.text for h in c.headers] for c in row] for row in rows.values()]
    stop_row = [[h] for h in columns]
    assert got == [stop_row, [["skäl"]]] * len(two_trip_plan.stops)


@pytest.mark.parametrize("n_stops", [5, 8])
def test_long_reasons_stay_whole_and_readable_on_the_one_pager(
    two_trip_plan, tmp_path, n_stops
) -> None:
    plan = _long_reason_plan(two_trip_plan, n_stops)
    paths = plan_report.write_plan_outputs(plan, out_dir=tmp_path, store_path=tmp_path / "s.gpkg")
    info = subprocess.run(
        ["pdfinfo", str(paths["pdf"])], capture_output=True, text=True, check=True
    )
    as_planned = plan_report.write_plan_outputs(
        two_trip_plan, out_dir=tmp_path / "as_planned", store_path=tmp_path / "s.gpkg"
    )
    # the tick box's word, printed at 8 pt on a sheet at full size
    full, printed = (_word_heights(p["pdf"], "genomförd") for p in (as_planned, paths))
    assert len(printed) >= n_stops  # and the table's head, on each page
    assert max(full) == pytest.approx(min(full))
    scale = max(printed) / full[0]
    if n_stops == 5:  # a full week of the longest reasons fits on one page, a little smaller
        assert "Pages:           1" in info.stdout
        assert plan_report.ONE_PAGE_SCALE - 0.01 <= scale < 0.99
    else:  # more than a sheet holds: full size on two pages
        assert "Pages:           2" in info.stdout
        assert scale == pytest.approx(1.0, abs=0.01)
    text = subprocess.run(
        ["pdftotext", str(paths["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [" ".join(page.split()) for page in text.split("\f") if page.strip()]
    reason = " ".join(LONG_REASON.split())
    # every stop's reason whole, on one page, never cut at a page's end or its right edge
    assert sum(page.count(reason) for page in pages) == n_stops
    assert sum(page.count("☐ genomförd") for page in pages) == n_stops
    for i, page in enumerate(pages, 1):  # each page says what it is and how it may be shared
        assert "Patrullplan vecka 49" in page and "Arbetsmaterial – ej för spridning" in page
        assert f"sida {i} av {len(pages)}" in page


def test_one_page_scale_takes_the_largest_step_that_fits() -> None:
    from geo.report._pdf import _PRINTABLE_PX, one_page_scale

    page = _PRINTABLE_PX[1]

    def reflowing(height: float) -> Any:  # wider at a smaller scale: a tenth shorter a step
        return lambda s: height * (1 - 2 * (1 - s))

    assert one_page_scale(lambda s: page * 0.5, 0.85) == 1.0
    assert one_page_scale(reflowing(page * 1.1), 0.85) == pytest.approx(0.95)
    assert one_page_scale(reflowing(page * 1.3), 0.85) == pytest.approx(0.9)
    assert one_page_scale(reflowing(page * 1.5), 0.85) == pytest.approx(0.85)
    # needs less than 85 %: printed at full size (on two pages), never smaller than allowed
    assert one_page_scale(reflowing(page * 1.8), 0.85) == 1.0
    assert one_page_scale(lambda s: page * 1.2, 0.5) == pytest.approx(0.8)
    assert one_page_scale(reflowing(page * 1.5), 0.87) == 1.0  # 0.85 is below 0.87


#: A phone's screen in CSS px (width, height).
_PHONE = (390, 844)


@pytest.fixture
def phone_page(browser) -> Iterator[Any]:
    """Yield a page on a phone's screen (touch, 3 device px a CSS px), http(s) requests aborted."""
    context = browser.new_context(
        viewport={"width": _PHONE[0], "height": _PHONE[1]}, device_scale_factor=3,
        is_mobile=True, has_touch=True,
    )  # fmt: skip
    page = context.new_page()
    page.route("**/*", lambda r: r.abort() if r.request.url.startswith("http") else r.continue_())
    yield page
    context.close()


#: JS: the labels (place names, other stops' badges) whose words cover a stop's marker, as
#: [label, stop number].
_LABELS_ON_STOPS_JS = f"""() => {{
  const out = [];
  window[{MAP_JS}[0]].eachLayer(l => {{
    if (!(l instanceof L.CircleMarker) || !l.getTooltip()) return;
    const c = l._path.getBoundingClientRect();
    document.querySelectorAll('.leaflet-tooltip.geo-label').forEach(e => {{
      if (e === l.getTooltip()._container) return;
      const b = (e.firstElementChild || e).getBoundingClientRect();
      const w = Math.min(b.right, c.right) - Math.max(b.left, c.left);
      const h = Math.min(b.bottom, c.bottom) - Math.max(b.top, c.top);
      if (w > 0 && h > 0 && w * h > 4) out.push([e.textContent, l.feature.properties._tooltip]);
    }});
  }});
  return out;
}}"""

#: JS: open stop ``n``'s popup; return its box and the boxes of the map's controls.
_OPEN_POPUP_JS = f"""n => {{
  window[{MAP_JS}[0]].eachLayer(l => {{
    if (l.feature && l.feature.properties._tooltip === n && l.openPopup) l.openPopup();
  }});
}}"""
_POPUP_BOX_JS = """() => {
  const r = document.querySelector('.leaflet-popup').getBoundingClientRect();
  const boxes = [...document.querySelectorAll('.leaflet-control')]
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0)
    .map(r => [r.left, r.top, r.right, r.bottom]);
  return {popup: [r.left, r.top, r.right, r.bottom], controls: boxes};
}"""


def test_on_a_phone_every_stop_label_and_popup_is_whole_and_clear(
    two_trip_plan, tmp_path: Path, phone_page, artifacts_dir
) -> None:
    """At 390 × 844 (a phone) the planner sees every stop, its number and its whole reason."""
    plan = two_trip_plan
    paths = plan_report.write_plan_outputs(
        plan, out_dir=tmp_path, store_path=tmp_path / "s.gpkg", pdf=False
    )
    width, height = _PHONE
    page = phone_page
    errors = open_map(page, paths["map"])
    page.wait_for_timeout(300)
    assert real_errors(errors) == []
    page.screenshot(path=str(artifacts_dir / "plan-karta-telefon.png"))
    found = page.evaluate(_STOP_BOXES_JS)
    assert len(found["stops"]) == len(plan.stops)
    for number, circle, badge in found["stops"]:  # every number whole on the screen
        assert badge[0] >= 0 and badge[1] >= 0, number
        assert badge[2] <= width and badge[3] <= height, number
        assert circle[0] >= 0 and circle[2] <= width and circle[3] <= height, number
    assert page.evaluate(LABEL_OVERLAPS_JS)["overlaps"] == []  # no label on another
    # no stop's number on another stop's marker (a crowded place name may still touch one)
    assert not [p for p in page.evaluate(_LABELS_ON_STOPS_JS) if p[0].isdigit()]
    for number in sorted(str(n) for n in plan.stops["order"]):
        page.evaluate(_OPEN_POPUP_JS, number)
        page.locator(".leaflet-popup-content").wait_for()
        page.wait_for_timeout(400)  # the popup fades in, the map pans
        boxes = page.evaluate(_POPUP_BOX_JS)
        left, top, right, bottom = boxes["popup"]
        assert left >= 0 and top >= 0 and right <= width and bottom <= height, number
        assert not [c for c in boxes["controls"] if _meet(boxes["popup"], c)], number
        if number == "1":
            page.screenshot(path=str(artifacts_dir / "plan-karta-telefon-popup.png"))
        content = page.locator(".leaflet-popup-content")  # the whole reason, by scrolling
        assert "Löfte:" in content.inner_text()
        page.evaluate(f"() => window[{MAP_JS}[0]].closePopup()")
        page.locator(".leaflet-popup").wait_for(state="detached")


#: JS: the labels shown (place names, stop numbers) that are not whole inside the map or lie
#: partly under one of its boxes, as [text, where]; a label not shown is display: none.
_CUT_LABELS_JS = """() => {
  const map = document.querySelector('.leaflet-container');
  const frame = map.getBoundingClientRect();
  const boxes = [...map.querySelectorAll('.leaflet-control')].map(e => e.getBoundingClientRect())
    .filter(r => r.width > 0);
  const meets = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  const out = [];
  document.querySelectorAll('.leaflet-tooltip.geo-label').forEach(e => {
    if (getComputedStyle(e).display === 'none') return;
    const r = (e.className.includes('geo-badge') ? e : e.firstElementChild).getBoundingClientRect();
    if (!r.width || !meets(r, frame)) return;  // wholly off the map: nothing of it shows
    if (r.left < frame.left || r.right > frame.right || r.top < frame.top
        || r.bottom > frame.bottom) out.push([e.textContent, 'edge']);
    else if (boxes.some(b => meets(r, b))) out.push([e.textContent, 'box']);
  });
  return out;
}"""


def test_on_a_phone_no_label_is_cut_at_the_map_edge(
    two_trip_plan, tmp_path: Path, phone_page
) -> None:
    """At 390 × 844 a name is shown whole, inside the map and clear of its boxes, or not at all.

    Zoomed in on the stops, places at or beyond the edge had their names cut by it (`geo
    run`'s week 49 opened with "Lillsjöns badplats" cut at the left, "Tångeråsa" under the
    info box; here five names after panning); checked at the first view and after zooming and
    panning, as the names are placed again each time.
    """
    paths = plan_report.write_plan_outputs(
        two_trip_plan, out_dir=tmp_path, store_path=tmp_path / "s.gpkg", pdf=False
    )
    page = phone_page
    errors = open_map(page, paths["map"])
    page.wait_for_timeout(300)
    assert page.evaluate(_CUT_LABELS_JS) == []
    shown = page.evaluate(  # every stop's number, as the stops are fitted clear of the boxes
        "() => [...document.querySelectorAll('.geo-badge')]"
        ".filter(e => getComputedStyle(e).display !== 'none').length"
    )
    assert shown == len(two_trip_plan.stops)
    for move in ("m.setZoom(m.getZoom() - 1)", "m.panBy([120, 0])", "m.panBy([0, -200])"):
        page.evaluate(f"() => {{ const m = window[{MAP_JS}[0]]; {move}; }}")
        page.wait_for_timeout(700)
        assert page.evaluate(_CUT_LABELS_JS) == [], move
    assert real_errors(errors) == []


def test_on_a_phone_the_one_pager_is_a_card_per_stop_within_the_screen(
    two_trip_plan, tmp_path, phone_page
) -> None:
    """A planner's review: at 390 px the theme, the tick box and the reasons were cut off."""
    paths = plan_report.write_plan_outputs(
        two_trip_plan, out_dir=tmp_path, store_path=tmp_path / "s.gpkg", pdf=False
    )
    page = phone_page
    page.goto(paths["html"].as_uri())
    seen = page.evaluate(
        """() => ({
          page: document.documentElement.scrollWidth, screen: innerWidth,
          right: Math.max(...[...document.querySelectorAll('td')]
            .map(e => e.getBoundingClientRect().right)),
          reasons: [...document.querySelectorAll('td.why')].map(e => e.innerText),
          labels: [...document.querySelectorAll('tbody.stop')].map(b =>
            [...b.querySelectorAll('td[data-label]')].map(
              td => getComputedStyle(td, '::before').content)),
        })"""
    )
    assert seen["page"] <= seen["screen"]  # no sideways scrolling
    assert seen["right"] <= seen["screen"]  # every cell, the reasons too, within the screen
    assert [r.removeprefix("skäl: ") for r in seen["reasons"]] == list(
        two_trip_plan.stops["reason"]
    )
    # each line says what it is, as the printed table's headers do
    assert all(c[:3] == ['"Stopp: "', '"tur: "', '"dag: "'] for c in seen["labels"])


def _unfold(raw: bytes) -> list[str]:
    """RFC 5545 §3.1: a line break followed by one space or tab is removed; then decode."""
    return raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").decode("utf-8").split("\r\n")


def _unescape(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT: ``\\n``/``\\N`` a new line, ``\\,`` ``\\;`` ``\\\\`` themselves."""
    return re.sub(r"\\([nN,;\\])", lambda m: "\n" if m[1] in "nN" else m[1], value)


@hsettings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reason=st.text(st.characters(codec="utf-8"), max_size=900))
@example(reason=LONG_REASON)
@example(reason="å" * 200 + "😀" * 40 + "\\,;\r\n" * 5)
def test_ics_lines_fold_at_75_octets_and_unfold_to_the_description(july_plan, reason) -> None:
    stops = july_plan.stops.iloc[:1].copy()
    stops["reason"] = reason
    raw = plan_report.plan_calendar(replace(july_plan, stops=stops)).to_ical()
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""  # every line ends with CRLF, no bare CR or LF inside one
    for line in lines:
        assert len(line) <= 75 and b"\r" not in line and b"\n" not in line
        line.decode("utf-8")  # a fold never splits a character
    found = [x for x in _unfold(raw) if x.startswith("DESCRIPTION:")]
    expected = plan_report.event_description(reason, str(stops["theme"].iloc[0]))
    assert len(found) == 1  # the trip's one event holds its stop's reason, whole
    assert expected in _unescape(found[0].removeprefix("DESCRIPTION:"))
    assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", expected.replace("\n", ""))
    said = " ".join(re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", reason).split())
    for part in expected.split("\n")[:-1]:  # what the stop's reason said, word for word
        assert " ".join(part.split()) in said


def test_ics_description_puts_each_part_of_a_reason_on_a_line() -> None:
    text = plan_report.event_description(LONG_REASON, "T")
    lines = text.split("\n")
    assert lines[0].startswith("Inom 300 m:") and lines[0].endswith("varav 0,9 trafik.")
    assert [x.split(":")[0] for x in lines[1:]] == [
        "Hela vägavsnittet", "Plats", "Obs", "Löfte", "Källor",
        "Åtgärd efter de senaste 90 dagarna", "Tid", "Tema",
    ]  # fmt: skip
    assert " ".join(lines[:-1]) == LONG_REASON


def test_a_plan_from_synthetic_data_says_so_on_its_page_map_and_calendar(july_plan) -> None:
    # a planner's review: the A4 page, the map's box and the calendar looked like real data;
    # only the reasons' "Källor: syntetiska exempeldata (7)" told
    from geo.maps.plan import plan_map

    note = july_plan.meta["synthetic_note"]
    assert "syntetiska exempeldata" in note and "inga verkliga händelser" in note
    html = plan_report.one_pager_html(july_plan)
    top = html[html.index("<h1>") : html.index("<img")]
    # at the top of the page, above its map and stops
    assert f"<b class='synthetic'>{note}</b>" in top
    page = plan_map(july_plan, G=network.load_graph()).get_root().render()
    assert json.dumps(note)[1:-1] in page  # in the info box (folium writes it \\u-escaped)
    for _, trip in patrol.plan_trips(july_plan).iterrows():
        assert note in plan_report.trip_description(july_plan, trip)
    # a week repeating the last one says so under its stops (patrol.plan.repeat_note)
    assert "Samma platser" not in html
    again = replace(july_plan, meta={**july_plan.meta, "repeat_note": "Samma platser, x."})
    assert "<p class='note'>Samma platser, x.</p>" in plan_report.one_pager_html(again)
    # a plan from real data only says nothing of the kind
    real = replace(july_plan, meta={**july_plan.meta, "synthetic_note": ""})
    assert "<b class='synthetic'>" not in plan_report.one_pager_html(real)
    trip = patrol.plan_trips(real).iloc[0]
    assert "syntetiska" not in plan_report.trip_description(real, trip).split("\n1. ")[0]


def _at(plan: patrol.Plan, generated: str, trips: tuple[int, ...] | None = None) -> patrol.Plan:
    """The plan as generated at ``generated`` (a fixed time, not today), keeping ``trips``."""
    stops, routes = plan.stops, plan.routes
    if trips is not None:
        stops = stops[stops["trip"].isin(trips)]
        routes = routes[routes["trip"].isin(trips)]
    meta = {**plan.meta, "generated_at": pd.Timestamp(generated, tz="Europe/Stockholm").isoformat()}
    return replace(plan, stops=stops, routes=routes, meta=meta)


def test_each_trip_says_when_to_leave_the_entry_and_when_out(two_trip_plan, tmp_path) -> None:
    """Finding 4: the times were the stops' only; the drive from and back to the entry hidden."""
    plan = two_trip_plan
    trips = plan_report.plan_trips(plan)
    assert list(trips["trip"]) == sorted(plan.routes["trip"]) == [1, 2]
    for _, t in trips.iterrows():
        s = plan.stops[plan.stops["trip"] == t["trip"]].sort_values("start")
        route = plan.routes.loc[plan.routes["trip"] == t["trip"]].iloc[0]
        assert t["drive_min"] == pytest.approx(route["drive_min"])
        assert t["drive_min"] == pytest.approx(
            s["drive_min_before"].sum() + t["drive_back_min"], abs=0.01
        )
        assert t["drive_out_min"] == s["drive_min_before"].iloc[0] > 0
        leave, back = t["leave"], t["back"]
        assert leave <= s["start"].iloc[0] - pd.Timedelta(minutes=t["drive_out_min"])
        assert leave > s["start"].iloc[0] - pd.Timedelta(minutes=t["drive_out_min"] + 1)
        assert back >= s["end"].iloc[-1] + pd.Timedelta(minutes=t["drive_back_min"])
        assert back < s["end"].iloc[-1] + pd.Timedelta(minutes=t["drive_back_min"] + 1)
        assert (leave.second, back.second) == (0, 0)
        line = plan_report.trip_line(plan, t)
        stops = " → ".join(f"{o} {x:%H:%M}" for o, x in zip(s["order"], s["start"], strict=True))
        assert line == (
            f"Tur {t['trip']} {('fredag', 'lördag')[t['trip'] - 1]} {leave.day}/{leave.month}: "
            f"start vid infart från Örebro {leave:%H:%M} → {stops} → tillbaka vid infarten "
            f"{back:%H:%M} "
            f"(körning {round(t['drive_min'])} min)"
        )
    # the table (CSV and one-pager): each stop's trip, the drive to it and its trip's times
    table = plan_report.plan_table(plan)
    by_trip = trips.set_index("trip")
    for _, r in table.iterrows():
        t = by_trip.loc[r["tur"]]
        assert (r["tur_avfärd"], r["tur_åter"]) == (f"{t['leave']:%H:%M}", f"{t['back']:%H:%M}")
        assert r["tur_körning"] == round(t["drive_min"])
    assert list(table["körning_före"]) == [round(x) for x in plan.stops["drive_min_before"]]
    html = plan_report.one_pager_html(plan)
    assert "tur" in [c.text for c in table_headers(html) if c.is_header]
    # the page says how much of the time is driving, and on which network (a planner's
    # review: 42 of 120 minutes were driving on the schematic network, not said)
    driving = round(trips["drive_min"].sum())
    top = " ".join(html[html.index("<h1>") : html.index("<img")].split())
    assert (
        f"Planerat {int(plan.total_min)} av 120 min, varav {driving} min körning från och till "
        "infart från Örebro."
    ) in top
    said = f"vägarna är raka linjer mellan orter, så körningens {driving} min är ungefärliga."
    assert (said in html) == bool(plan.meta["schematic"])
    assert "geo network fetch" not in html  # the planner's command, not the patrol's
    for _, t in trips.iterrows():  # the trip's line stands before its first stop
        first = plan.stops.loc[plan.stops["trip"] == t["trip"], "place"].iloc[0]
        at = html.index(plan_report.trip_line(plan, t))
        assert at < html.index(first, at)
    # the web map marks and names the entry point, where every route starts and ends
    from geo.maps.plan import plan_map

    page = plan_map(plan, G=network.load_graph()).get_root().render()
    assert "Infart (start och slut)" in page
    for _, t in trips.iterrows():  # "tillbaka" as on the page ("ut" read as a third time)
        said = f"tillbaka {t['back']:%H:%M}, körning {round(t['drive_min'])} min"
        assert json.dumps(said)[1:-1] in page  # folium writes it \\u-escaped
    start = plan.routes.to_crs("EPSG:4326").geometry.iloc[0].coords[0]
    assert f"[{start[0]:.6f}"[:9] in page  # its point, at the routes' first vertex


def test_ics_has_one_event_per_trip_with_its_driving_and_a_replan_revises_it(two_trip_plan) -> None:
    """Finding 4 and 2: per-stop events left the drive free, kept stale events and no SEQUENCE."""
    first = _at(two_trip_plan, "2026-11-27 09:00")
    again = _at(two_trip_plan, "2026-11-28 07:30")
    shrunk = _at(two_trip_plan, "2026-11-28 08:00", trips=(1,))

    def events(plan: patrol.Plan) -> tuple[icalendar.Calendar, dict[str, Any]]:
        cal = icalendar.Calendar.from_ical(plan_report.plan_calendar(plan).to_ical())
        return cal, {str(e["UID"]): e for e in cal.walk("VEVENT")}

    cal, ev1 = events(first)
    assert str(cal["METHOD"]) == "PUBLISH"
    name = str(cal["X-WR-CALNAME"])
    assert name == "Medborgarlöftet – polisens närvaro v49 2026"
    assert "trygghetsvandring" not in name
    uids = [f"2026-W49-tur-{k}@trygghetskartan.1814" for k in (1, 2)]
    assert list(ev1) == uids  # one event per trip, not per stop
    trips = plan_report.plan_trips(first).set_index("trip")
    for k, uid in enumerate(uids, 1):
        e = ev1[uid]
        assert e.decoded("DTSTART") == trips.at[k, "leave"].to_pydatetime()  # driving included
        assert e.decoded("DTEND") == trips.at[k, "back"].to_pydatetime()
        assert str(e["STATUS"]) == "CONFIRMED" and str(e["TRANSP"]) == "OPAQUE"
        text = str(e["DESCRIPTION"])
        assert text.startswith(f"Start vid infart från Örebro {trips.at[k, 'leave']:%H:%M}")
        for _, s in first.stops[first.stops["trip"] == k].iterrows():  # every stop listed
            assert f"{s['order']}. {s['start']:%H:%M}–{s['end']:%H:%M} {s['place']}" in text
            assert plan_report.event_description(s["reason"], s["theme"]) in text
        assert f"Tillbaka vid infart från Örebro {trips.at[k, 'back']:%H:%M}" in text
        assert e.decoded("DTSTAMP") == pd.Timestamp("2026-11-27 08:00", tz="UTC")
    # planned again: the same UIDs, a higher SEQUENCE and a later DTSTAMP (RFC 5545 §3.8.7.4)
    _, ev2 = events(again)
    assert list(ev2) == uids
    for uid in uids:
        assert int(ev2[uid]["SEQUENCE"]) > int(ev1[uid]["SEQUENCE"]) >= 0
        assert ev2[uid].decoded("DTSTAMP") > ev1[uid].decoded("DTSTAMP")
    # planned again with one trip: trip 2's event is cancelled, not left standing
    _, ev3 = events(shrunk)
    assert list(ev3) == uids
    assert str(ev3[uids[0]]["STATUS"]) == "CONFIRMED"
    gone = ev3[uids[1]]
    assert str(gone["STATUS"]) == "CANCELLED" and str(gone["TRANSP"]) == "TRANSPARENT"
    assert int(gone["SEQUENCE"]) > int(ev2[uids[1]]["SEQUENCE"])
    assert gone.decoded("DTSTART") == date(2026, 11, 30)  # the week's Monday, all day


@given(
    st.lists(
        st.tuples(st.floats(0, 60), st.floats(0, 60)).map(lambda p: (round(p[0]), round(p[1]))),
        min_size=1,
        max_size=9,
    )
)
def test_spread_markers_never_meet_and_lone_markers_stay(points) -> None:
    from geo.report._spread import spread_markers

    drawn = spread_markers(points, diameter=14.5, gap=1.5)
    assert len(drawn) == len(points)
    for a, b in itertools.combinations(drawn, 2):
        assert ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 >= 14.5 - 1e-6
    for p, d in zip(points, drawn, strict=True):  # a marker that met none is where it belongs
        if all(
            ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5 >= 14.5 + 40
            for q in points
            if q is not p
        ):
            assert d == pytest.approx(p)


def _close_stops_plan(offsets_m: list[tuple[float, float]]) -> patrol.Plan:
    """A one-trip plan in Fjugesta whose stops are the given metres from one point."""
    import geopandas as gpd
    import shapely

    x0, y0 = load_places().set_index("place_id").loc["fjugesta_centrum"].geometry.centroid.coords[0]
    pts = [shapely.Point(x0 + dx, y0 + dy) for dx, dy in offsets_m]
    start = pd.Timestamp("2026-12-04 20:00", tz="Europe/Stockholm")
    stops = gpd.GeoDataFrame(
        {
            "order": range(1, len(pts) + 1),
            "trip": [1] * len(pts),
            "start": [start + pd.Timedelta(minutes=15 * i) for i in range(len(pts))],
        },
        geometry=pts,
        crs="EPSG:3006",
    )
    route = shapely.LineString([(x0 - 5000, y0 + 8000), *[(p.x, p.y) for p in pts]])
    routes = gpd.GeoDataFrame({"trip": [1], "drive_min": [20.0]}, geometry=[route], crs="EPSG:3006")
    return patrol.Plan("2026-W49", 120.0, 120.0, stops, routes, {})


@pytest.mark.parametrize(
    "offsets_m",
    [
        [(0, 0), (3, 2), (0, 0), (-4, 1)],  # a few metres apart, one place twice
        [(0, 0), (0, 0), (250, -120), (250, -120), (6, 0), (-9000, 0)],
    ],
)
def test_printed_map_sets_close_stops_apart_with_a_line_to_their_true_point(offsets_m) -> None:
    import matplotlib.pyplot as plt
    import numpy as np

    plan = _close_stops_plan(offsets_m)
    fig, markers = plan_report.plan_figure(plan)
    try:
        ax = fig.axes[0]
        to_pt = ax.transData.transform
        assert [m.order for m in markers] == list(plan.stops["order"])
        for a, b in itertools.combinations(markers, 2):  # no number covers another
            assert np.hypot(*np.subtract(a.drawn_pt, b.drawn_pt)) >= plan_report.MARKER_PT, (a, b)
        moved = [m for m in markers if m.leader is not None]
        assert len(moved) >= len(markers) - 1
        for m, s in zip(markers, plan.stops.geometry, strict=True):
            true_px = to_pt((s.x, s.y))
            assert np.allclose(np.multiply(m.true_pt, fig.dpi / 72), true_px, atol=0.01)
            if m.leader is None:  # not moved: drawn on its true point
                assert np.allclose(m.drawn_pt, m.true_pt)
                continue
            assert m.leader in ax.lines and m.leader.get_gid() == f"leader-{m.order}"
            (x0, x1), (y0, y1) = m.leader.get_xdata(), m.leader.get_ydata()
            assert np.allclose((x0, y0), (s.x, s.y))  # from the true point, where the route goes
            end_pt = to_pt((x1, y1)) * 72 / fig.dpi
            assert np.allclose(end_pt, m.drawn_pt, atol=0.01)  # to the marker
            # set apart, not far off: within a few markers of its place
            assert np.hypot(*np.subtract(m.drawn_pt, m.true_pt)) < 3 * plan_report.MARKER_PT
        lone = markers[-1] if len(markers) == 6 else None  # 9 km off: left where it is
        assert lone is None or lone.leader is None
    finally:
        plt.close(fig)


def test_every_plan_file_gets_the_same_permissions_from_the_umask(
    two_trip_plan, tmp_path: Path
) -> None:
    """The map was 0600 and the tables 0644 whatever the umask; now all follow it."""
    old = os.umask(0o027)
    try:
        paths = plan_report.write_outputs(two_trip_plan, out_dir=tmp_path, pdf=False)
    finally:
        os.umask(old)
    modes = {key: stat.S_IMODE(path.stat().st_mode) for key, path in paths.items()}
    assert modes == dict.fromkeys(["map", "csv", "geojson", "ics", "html"], 0o640)


def test_real_week_prints_its_fjugesta_stops_apart_on_one_page(two_trip_plan, tmp_path) -> None:
    """Week 49 of `geo run`: stops 1, 2, 4 and 5 in Fjugesta each readable, still one page."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, markers = plan_report.plan_figure(two_trip_plan)
    plt.close(fig)
    for a, b in itertools.combinations(markers, 2):
        assert np.hypot(*np.subtract(a.drawn_pt, b.drawn_pt)) >= plan_report.MARKER_PT, (a, b)
    assert sum(m.leader is not None for m in markers) >= 2
    paths = plan_report.write_outputs(two_trip_plan, out_dir=tmp_path)
    info = subprocess.run(
        ["pdfinfo", str(paths["pdf"])], capture_output=True, text=True, check=True
    )
    assert "Pages:           1" in info.stdout


@pytest.mark.parametrize(
    ("now", "week", "why"),
    [
        # Monday 30 Nov (W49) in the morning: this week's Friday and Saturday are ahead
        ("2026-11-30 07:45", "2026-W49", "innevarande vecka"),
        ("2026-11-30 11:59", "2026-W49", "innevarande vecka"),
        ("2026-11-30 12:00", "2026-W50", "kommande vecka"),
        ("2026-12-04 16:00", "2026-W50", "kommande vecka"),  # a Friday plans Monday's week
        ("2026-12-06 23:30", "2026-W50", "kommande vecka"),
    ],
)
def test_a_monday_morning_plans_the_week_begun(
    monkeypatch: pytest.MonkeyPatch, now: str, week: str, why: str
) -> None:
    last = {"t": pd.Timestamp("2026-11-22 20:00", tz="Europe/Stockholm")}  # the review's store
    monkeypatch.setattr(store, "last_occurred", lambda path=None: last["t"])
    t = pd.Timestamp(now, tz="Europe/Stockholm").to_pydatetime()
    got, reason = patrol.week_to_plan(now=t)
    assert (got, reason.split(":")[0]) == (week, why)
    assert patrol.next_week(now=t) == week
    # data past the week chosen (a test set): the week after the data's last whole week
    last["t"] = pd.Timestamp("2026-12-13 20:00", tz="Europe/Stockholm")
    got, reason = patrol.week_to_plan(now=t)
    assert got == "2026-W51" and "data till 2026-12-13" in reason


def test_geo_plan_says_which_week_it_planned_and_why(lekeberg, tmp_path: Path) -> None:
    from geo.cli.plan import plan_cmd
    from geo.weeks import week_sentence

    assert week_sentence("2026-W49", "innevarande vecka: x") == (
        "Planerad vecka: 49 (2026-11-30 – 2026-12-06), innevarande vecka: x"
    )
    result = CliRunner().invoke(
        plan_cmd,
        ["--store", str(lekeberg["store"]), "--no-pdf", "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()[:2]
    week = second.split()[1].rstrip(":")  # "Plan 2027-W03: 5 stopp, …", whatever today is
    assert first.startswith(f"Planerad vecka: {int(week[-2:])} (")
    assert any(why in first for why in ("innevarande vecka", "kommande vecka", "data till"))


def _text_boxes(ax: Any) -> dict[str, Any]:
    """The boxes (points) of an axes' place names, by gid."""
    import shapely

    fig = ax.get_figure()
    renderer = fig.canvas.get_renderer()
    k = 72 / fig.dpi
    boxes = {}
    for t in ax.texts:
        if str(t.get_gid()).startswith("label-"):
            x0, y0, x1, y1 = t.get_window_extent(renderer).extents
            boxes[t.get_gid()] = shapely.box(x0 * k, y0 * k, x1 * k, y1 * k)
    return boxes


@pytest.mark.parametrize("which", ["W49", "W28", "fjugesta"])
def test_printed_map_names_places_clear_of_stops_routes_and_each_other(
    which, two_trip_plan, july_plan
) -> None:
    """Finding 5: numbers sat on names, a route ran through Hidinge, Kvistbro on Gropen."""
    import matplotlib.pyplot as plt
    import numpy as np
    import shapely

    from geo.maps.plan import _trip_weight

    plan = {
        "W49": two_trip_plan,
        "W28": july_plan,
        # the reviewer's week: a road control by the centre and the centre visited twice
        "fjugesta": _close_stops_plan(
            [(0, 0), (0, 0), (250, -120), (250, -120), (6, 0), (-9e3, 0)]
        ),
    }[which]
    fig, _ = plan_report.plan_figure(plan)
    try:
        fig.canvas.draw()
        k = 72 / fig.dpi
        named: set[str] = set()
        for ax in fig.axes:
            boxes = _text_boxes(ax)
            named |= set(boxes)
            for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
                assert not box_a.intersects(box_b), (which, a, b)  # no name on another
            to_pt = ax.transData.transform
            things = {}  # stop markers, the entry point and the routes, as drawn (points)
            for line in ax.lines:
                gid = str(line.get_gid())
                if gid.startswith("stop-") or gid == "entry":
                    (x,), (y,) = line.get_xdata(), line.get_ydata()
                    r = (line.get_markersize() + line.get_markeredgewidth()) / 2
                    things[gid] = shapely.Point(np.multiply(to_pt((x, y)), k)).buffer(r)
            for _, r in plan.routes.iterrows():
                width = 0.5 * _trip_weight(int(r["trip"]), len(plan.routes))
                pts = np.multiply(to_pt(np.asarray(r.geometry.coords)), k)
                things[f"route-{r['trip']}"] = shapely.LineString(pts).buffer(width / 2)
            assert any(g.startswith("stop-") for g in things)
            for name, box in boxes.items():
                for thing, shape in things.items():
                    assert not box.intersects(shape), (which, name, thing)
        if which != "fjugesta":  # a real week: the entry and the bathing sites are named
            assert "label-entry" in named
            assert len({g for g in named if g.startswith(("label-leken", "label-lillsjon",
                        "label-multen", "label-lanna"))}) >= 4  # fmt: skip
        # the crowded stops get a zoom, framed on the kommun panel, where they stand apart
        # (a real week's plan decides whether its stops crowd; the made-up one's always do)
        zoom = [ax for ax in fig.axes if ax.get_gid() == "zoom"]
        assert len(zoom) <= 1
        if which == "fjugesta" or zoom:
            (zoomed,) = zoom
            assert any(p.get_gid() == "zoom-frame" for p in fig.axes[0].patches)
            drawn = {
                line.get_gid(): np.multiply(
                    zoomed.transData.transform((line.get_xdata()[0], line.get_ydata()[0])), k
                )
                for line in zoomed.lines
                if str(line.get_gid()).startswith("stop-")
            }
            assert len(drawn) >= 2
            if which == "fjugesta":  # 250 m apart: far apart in the zoom, not a blob
                assert set(drawn) == {f"stop-{n}" for n in range(1, 6)}
                assert np.hypot(*np.subtract(drawn["stop-1"], drawn["stop-3"])) > 2 * 14.5
                assert "label-fjugesta_centrum" in _text_boxes(zoomed)
    finally:
        plt.close(fig)


def test_the_zoom_is_named_after_the_places_of_its_stops_not_the_nearest_to_its_middle() -> None:
    """Three stops in Fjugesta and one in Gropen were titled 'Utsnitt: Kvistbro' (W49)."""
    import matplotlib.pyplot as plt

    places = load_places().set_index("place_id")
    fx, fy = places.loc["fjugesta_centrum"].geometry.centroid.coords[0]
    gx, gy = places.loc["gropen"].geometry.representative_point().coords[0]
    plan = _close_stops_plan([(0, 0), (250, -120), (gx - fx, gy - fy), (-120, 80), (-9e3, 0)])
    fig, _ = plan_report.plan_figure(plan)
    try:
        (zoomed,) = [ax for ax in fig.axes if ax.get_gid() == "zoom"]
        assert zoomed.get_title(loc="left") == "Utsnitt: Fjugesta centrum och Gropen"
    finally:
        plt.close(fig)


def test_a_trip_on_a_holiday_names_it_on_the_page_and_in_the_calendar(two_trip_plan) -> None:
    # a planner's review: W52 planned Friday 25 and Saturday 26 December without a word
    trip = plan_report.plan_trips(two_trip_plan).iloc[0].copy()
    assert "(" not in plan_report.trip_line(two_trip_plan, trip).split(":")[0]  # 4 December
    trip["leave"] = pd.Timestamp("2026-12-25 20:10", tz="Europe/Stockholm")
    assert plan_report.trip_line(two_trip_plan, trip).startswith(
        f"Tur {trip['trip']} fredag 25/12 (juldagen): start vid infart från Örebro 20:10"
    )
    assert plan_report.trip_description(two_trip_plan, trip).startswith("Juldagen.\nStart vid ")
    moved = two_trip_plan.stops.copy()  # the calendar's week view shows it in the summary
    first = moved["trip"] == trip["trip"]
    moved.loc[first, ["start", "end"]] = moved.loc[first, ["start", "end"]] + pd.Timedelta(days=21)
    cal = icalendar.Calendar.from_ical(
        plan_report.plan_calendar(replace(two_trip_plan, stops=moved)).to_ical()
    )
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    assert any(s.startswith(f"Medborgarlöftet tur {trip['trip']} (juldagen): ") for s in summaries)
