"""Tests of the weekly patrol plan: solver exactness, feasibility, scenarios and bad input."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from geo import forecast, network, patrol, patrol_solver
from geo.errors import DataError, InfeasiblePatrolError
from geo.patrol_instances import random_instance, week_instance
from geo.patrol_solver import Instance, check_solution, plan_value, solve_heuristic, solve_milp
from geo.sites import load_places
from geo.weeks import week_monday

if TYPE_CHECKING:
    import geopandas as gpd

# ----------------------------------------------------------------------------- solver


@pytest.mark.timeout(240)
def test_heuristic_reaches_98_percent_of_the_milp_on_50_instances() -> None:
    ratios = []
    for seed in range(50):
        inst = random_instance(seed)
        heur = solve_heuristic(inst)
        exact = solve_milp(inst, start=heur, gap_rel=0.01, time_limit_s=60)
        assert not check_solution(inst, exact.trips)
        assert not check_solution(inst, heur.trips)
        assert exact.value > 0
        ratios.append(heur.value / exact.value)
    assert min(ratios) >= 0.98, sorted(ratios)[:5]


def test_milp_finds_the_optimum_a_greedy_misses() -> None:
    # candidate 0 is near the entry and worth most alone; 1 + 2 lie together far away and are
    # worth more as a pair, so value-per-minute greedy alone picks 0 and misses the optimum
    travel = np.array([[0, 2, 10, 10], [2, 0, 20, 20], [10, 20, 0, 1], [10, 20, 1, 0]], dtype=float)
    inst = Instance(
        values=np.array([[3.0], [2.5], [2.5]]),
        travel_min=travel,
        window_day=np.array([0]),
        window_len_min=60,
        dwell_min=10,
        budget_min=45,
        max_trips=1,
    )
    exact = solve_milp(inst)
    assert exact.optimal
    assert sorted(exact.trips[0].stops) == [1, 2]
    assert exact.value == pytest.approx(5.0)
    assert solve_heuristic(inst).value == pytest.approx(5.0)


def test_second_visit_in_the_week_earns_the_repeat_share() -> None:
    inst = random_instance(3)
    inst = replace(inst, max_trips=2, window_day=np.arange(inst.n_windows))
    trips = (patrol_solver.Trip(0, (0,)), patrol_solver.Trip(1, (0,)))
    v = sorted([inst.values[0, 0], inst.values[0, 1]])
    assert plan_value(inst, trips) == pytest.approx(v[1] + inst.repeat_factor * v[0])


def test_heuristic_plans_are_feasible_on_large_instances() -> None:
    inst = week_instance(7)
    sol = solve_heuristic(inst)
    assert sol.trips
    assert check_solution(inst, sol.trips) == []
    assert sol.total_min <= 120 + 1e-6


def test_impossible_budget_is_a_clear_error() -> None:
    inst = replace(random_instance(1), budget_min=5.0)
    with pytest.raises(InfeasiblePatrolError, match="budget of 5 min"):
        solve_heuristic(inst)
    with pytest.raises(InfeasiblePatrolError, match="Raise the budget"):
        solve_milp(inst)


def test_dwell_outside_koper_range_is_rejected() -> None:
    with pytest.raises(DataError, match="10-16"):
        replace(patrol.PlanSettings(), dwell_min=25).validated()


def test_priorities_file_reads_the_lofte_order(tmp_path: Path) -> None:
    opts = patrol.load_priorities()
    prio = opts.theme_priority
    assert prio["N"] > prio["T"] > opts.category_priority.get("inbrott", prio["S"]) >= prio["S"]
    bad = tmp_path / "p.toml"
    bad.write_text("[plan]\ndwell_min = 30\n", encoding="utf-8")
    with pytest.raises(DataError, match="dwell_min"):
        patrol.load_priorities(bad)
    # which traffic categories call for which control is the kommun's and police's to edit
    assert opts.traffic_activity("motorburen").startswith("fordonskontroll")
    edited = tmp_path / "edited.toml"
    edited.write_text('[aktiviteter]\nfordonskontroll = ["buller"]\n', encoding="utf-8")
    mine = patrol.load_priorities(edited)
    assert mine.traffic_activity("motorburen") == "hastighetskontroll"
    assert mine.traffic_activity("buller").startswith("fordonskontroll")
    # and a check is for the categories that call for it
    assert mine.activity_categories("hastighetskontroll") >= {"motorburen", "hastighet"}
    assert "buller" not in mine.activity_categories("hastighetskontroll")
    assert patrol.load_priorities().activity_categories(patrol.ACTIVITIES[4]) == {
        "motorburen",
        "buller",
    }
    # a trafikfarlig plats (a blind exit, a crossing) calls for presence there, not a speed
    # check, and an accident alone is no evidence of speeding; "narvaro" edits which
    assert patrol.load_priorities().activity_categories("närvaro/synlighet") == {
        "trafikfarlig_plats",
        "trafikolycka",
    }
    assert "trafikolycka" not in patrol.load_priorities().activity_categories("hastighetskontroll")
    edited.write_text("[aktiviteter]\nnarvaro = []\n", encoding="utf-8")
    assert patrol.load_priorities(edited).traffic_activity("trafikfarlig_plats") == (
        "hastighetskontroll"
    )
    assert patrol.load_priorities().category_activity("alkohol") == patrol.ALCOHOL_ACTION
    assert mine.category_activity("alkohol") == patrol.ALCOHOL_ACTION  # the default kept
    assert patrol.load_priorities().category_activity("narkotika") == "riktad narkotikainsats"
    assert patrol.load_priorities().category_activity("stold") == "närvaro/synlighet"


def _traffic_events(categories: list[str], days_before: list[int]):
    """Traffic incidents at one point in Vintrosa, ``days_before`` the Monday of 2026-W49."""
    import geopandas as gpd
    import shapely

    monday = pd.Timestamp("2026-11-30", tz="Europe/Stockholm")
    n = len(categories)
    return gpd.GeoDataFrame(
        {
            "occurred_at": [monday - pd.Timedelta(days=d, hours=3) for d in days_before],
            "theme": ["T"] * n,
            "category": categories,
            "location_precision_m": [10.0] * n,
            "place_id": [None] * n,
        },
        geometry=[shapely.Point(497000, 6571000)] * n,
        crs="EPSG:3006",
    )


def _with_stream(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``events`` in a store imported to Sunday 29 November: a daily event elsewhere.

    The data's end is then the Sunday before 2026-W49, as in a real store, however few the
    events at the stop (a handful alone may end the data months before the week).
    """
    import shapely

    stream = _traffic_events(["stold"] * 400, list(range(1, 401))).assign(theme="S")
    stream["geometry"] = shapely.Point(480000, 6560000)
    return pd.concat([stream, events], ignore_index=True)


@pytest.mark.parametrize(
    ("categories", "days_before", "want"),
    [
        # A-traktorer, EPA and loud cars lead: a vehicle check, not a speed check
        (["motorburen"] * 3 + ["buller", "hastighet", "hastighet"], [5] * 6, "fordonskontroll"),
        (["rattfylleri"] * 2 + ["hastighet"], [5] * 3, "nykterhetskontroll"),
        (["motorburen", "hastighet"], [5, 5], "hastighetskontroll"),  # a tie keeps the theme's
        # last spring's mopeds (200 days back) do not choose this week's control
        (["motorburen"] * 4 + ["hastighet"], [200] * 4 + [5], "hastighetskontroll"),
        # none in 90 days: the year's decide; none in the year: the older ones (W49's Gropen,
        # planned on last autumn's loud cars, was a speed check)
        (["motorburen"] * 4 + ["hastighet"], [500] * 4 + [200], "hastighetskontroll"),
        (["motorburen"] * 3 + ["buller"], [400, 410, 420, 430], "fordonskontroll"),
        (["rattfylleri"] * 2 + ["hastighet"], [200, 210, 700], "nykterhetskontroll"),
    ],
)
@pytest.mark.parametrize("kind", ["plats", "kontrollpunkt"])
def test_a_traffic_stop_gets_the_control_its_events_call_for(
    categories, days_before, want, kind
) -> None:
    import shapely

    from geo.patrol.activities import stop_activity
    from geo.patrol.priorities import PlanSettings

    events = _with_stream(_traffic_events(categories, days_before))
    place = pd.Series(
        {"kind": kind, "theme": "T", "activity": "hastighetskontroll", "place_id": None,
         "area": shapely.Point(497000, 6571000).buffer(300)}
    )  # fmt: skip
    got = stop_activity(place, events, week="2026-W49", options=PlanSettings())
    assert got.startswith(want) and got in patrol.ACTIVITIES
    # a narcotics stop stays a narcotics operation whatever traffic passes by
    narcotics = place.copy()
    narcotics[["theme", "activity"]] = ["N", "riktad narkotikainsats"]
    assert stop_activity(narcotics, events, week="2026-W49", options=PlanSettings()) == (
        "riktad narkotikainsats"
    )


def test_a_dangerous_place_calls_for_presence_but_a_road_check_stays_a_check() -> None:
    import shapely

    from geo.patrol.activities import stop_activity
    from geo.patrol.priorities import PlanSettings

    # "Skymd sikt vid utfart" three times, speeding once: it was a speed check
    events = _traffic_events(["trafikfarlig_plats"] * 3 + ["hastighet"], [5] * 4)
    stop = pd.Series(
        {"kind": "plats", "theme": "T", "activity": "hastighetskontroll", "place_id": None,
         "area": shapely.Point(497000, 6571000).buffer(300)}
    )  # fmt: skip
    assert stop_activity(stop, events, week="2026-W49", options=PlanSettings()) == (
        "närvaro/synlighet"
    )
    # a control point stands on a straight stretch away from the junction: it checks the
    # speeding, and without any events a check answers it keeps its own check
    stop["kind"] = "kontrollpunkt"
    assert stop_activity(stop, events, week="2026-W49", options=PlanSettings()) == (
        "hastighetskontroll"
    )
    stop["activity"] = "nykterhetskontroll"
    assert stop_activity(stop, events.iloc[:3], week="2026-W49", options=PlanSettings()) == (
        "nykterhetskontroll"
    )


@pytest.mark.parametrize(
    ("categories", "want"),
    [
        # Fjugesta centrum: 61 alcohol and 49 narcotics events were a "riktad narkotikainsats"
        (["alkohol"] * 6 + ["narkotika"] * 4, "riktad alkoholinsats (langning/ungdomar)"),
        (["alkohol"] * 4 + ["narkotika"] * 6, "riktad narkotikainsats"),
        (["alkohol"] * 5 + ["narkotika"] * 5, "riktad narkotikainsats"),  # a tie: the theme's
    ],
)
def test_a_narcotics_and_alcohol_place_gets_the_operation_its_events_call_for(
    categories, want
) -> None:
    import shapely

    from geo.patrol.activities import stop_activity
    from geo.patrol.priorities import PlanSettings

    events = _traffic_events(categories, [5] * len(categories)).assign(theme="N")
    place = pd.Series(
        {"kind": "plats", "theme": "N", "activity": "riktad narkotikainsats", "place_id": None,
         "area": shapely.Point(497000, 6571000).buffer(300)}
    )  # fmt: skip
    assert stop_activity(place, events, week="2026-W49", options=PlanSettings()) == want
    assert want in patrol.ACTIVITIES
    # and the reason says which events chose it (the reason's own counts are the year's)
    from geo.patrol.activities import activity_basis

    said = activity_basis(place, events, week="2026-W49")
    assert said.startswith("Åtgärd efter de senaste 90 dagarna: ")
    assert set(
        said.removeprefix("Åtgärd efter de senaste 90 dagarna: ").rstrip(".").split(", ")
    ) == {f"{categories.count('alkohol')} alkohol", f"{categories.count('narkotika')} narkotika"}
    assert activity_basis(place, events.iloc[:0], week="2026-W49") == ""


def test_a_week_planned_ahead_of_the_data_keeps_the_activity_of_the_data_s_last_90_days() -> None:
    import shapely

    from geo.patrol.activities import activity_basis, stop_activity
    from geo.patrol.priorities import PlanSettings
    from geo.patrol.reasons import data_end, vs_last_year

    # a store imported to Sunday 29 November, at the place 4 narcotics events in September
    # and 3 alcohol events last week
    place_events = _traffic_events(["narkotika"] * 4 + ["alkohol"] * 3, [80] * 4 + [5] * 3)
    events = _with_stream(place_events.assign(theme="N"))
    place = pd.Series(
        {"kind": "plats", "theme": "N", "activity": "riktad narkotikainsats", "place_id": None,
         "area": shapely.Point(497000, 6571000).buffer(300)}
    )  # fmt: skip
    opts = PlanSettings()
    said = "Åtgärd efter de senaste 90 dagarna: 4 narkotika, 3 alkohol."
    # W49 follows the data; W53 and 2027-W01 are planned on the same data weeks ahead (geo
    # plan --week): their "last 90 days" are the data's, as the reason's comparison with last
    # year counts them, not 90 days back from a Monday a month after the data end (2027-W01
    # read "3 alkohol" and turned the stop into an alcohol operation with no new event)
    for week in ("2026-W49", "2026-W53", "2027-W01"):
        assert stop_activity(place, events, week=week, options=opts) == "riktad narkotikainsats"
        assert activity_basis(place, events, week=week) == said
        end = data_end(events["occurred_at"], week_monday(week))
        assert "(7 mot 0)" in vs_last_year(place_events["occurred_at"], end)


def test_open_spot_becomes_a_candidate_with_kommun_reason() -> None:
    import geopandas as gpd
    import shapely

    from geo.model import INCIDENT_COLUMNS

    places = load_places()
    G = network.load_graph()
    spot_pt = places.set_index("place_id").geometry["hidinge"].centroid
    spots = gpd.GeoDataFrame(
        {
            "spot_id": ["s1", "s2", "s3"],
            "category": ["rattfylleri", "hastighet", "motorburen"],
            "category_label": [
                "Misstänkt rattfylleri",
                "Hastighet",
                "Motorburen trafik (buskörning/EPA/A-traktor/moped)",
            ],
            "status": ["bedomd", "atgardad", "ny"],
            "weekdays": [[5, 6], [], []],
            "time_bands": [["kvall"], [], []],
            "since": [None, None, None],
            "created_at": [pd.Timestamp("2026-10-01", tz="Europe/Stockholm")] * 3,
            "description": ["Bilar  från\nkrogen kör iväg sent", "", "x" * 400],
        },
        geometry=[
            spot_pt,
            shapely.Point(spot_pt.x + 500, spot_pt.y),
            shapely.Point(spot_pt.x, spot_pt.y + 2000),
        ],
        crs="EPSG:3006",
    )
    empty = gpd.GeoDataFrame(
        {c: [] for c in INCIDENT_COLUMNS if c != "geometry"},
        geometry=gpd.GeoSeries([], crs="EPSG:3006"),
    )
    fc = forecast.forecast_week(empty, week="2026-W49", method="count_3m")
    cands = patrol.plan_candidates(fc, week="2026-W49", places=places, G=G, spots=spots)
    marked = cands[cands["kind"] == "markerad plats"]
    # the closed spot is no candidate; a spot of mopeds and A-traktorer calls for a vehicle check
    assert list(marked["candidate_id"]) == ["markering:s1", "markering:s3"]
    assert list(marked["activity"]) == [
        "nykterhetskontroll",
        "fordonskontroll (A-traktor/EPA/moped)",
    ]
    # done and logged, it counts as a control of motorburen problematik in the monthly report
    from geo.patrol_log_controls import control_type

    assert control_type(marked["activity"].iloc[1]) == "motorburen"
    row = marked.iloc[0]
    assert "Hidinge" in row["name"]
    prof = np.asarray(row["how_profile"])
    assert prof[4 * 24 + 18 : 4 * 24 + 22].sum() == pytest.approx(0.5)  # fredag kväll
    assert prof[: 4 * 24].sum() == 0
    # no bathing site in December, and places still are candidates without any incident
    assert not cands["place_id"].isin(["lanna_badgruva", "leken"]).any()
    assert "plats:fjugesta_centrum" in set(cands["candidate_id"])
    reason = patrol.explain_stop(row, empty, week="2026-W49", places=places)
    # the status in words (it read "status: bedomd", and "atgard_planerad")
    assert "Markerad av kommunen 2026-10-01: misstänkt rattfylleri" in reason
    assert "(status: bedömd)" in reason
    assert "markerad plats (kommunen)" in reason and "Löfte: Trafik" in reason
    # what the kommun saw, in its words, so the officer knows what to look for
    assert "Kommunen skriver: ”Bilar från krogen kör iväg sent”" in reason
    long_note = marked.iloc[1]["source_note"]
    # a label keeps its abbreviations' capitals inside the sentence (it read "epa/a-traktor")
    assert ": motorburen trafik (buskörning/EPA/A-traktor/moped) (status: ny)." in long_note
    assert f"”{'x' * (patrol.candidates.SPOT_WORDS - 1)}…”" in long_note


def test_a_parking_spot_is_no_stop_and_a_careless_driving_spot_a_speed_check() -> None:
    # parking is the kommun's parkeringsövervakning: the police plan gives it no stop (it was
    # marked "Olämplig körning/parkering", vardslos_korning, and answered with a speed check)
    import geopandas as gpd
    import shapely

    from geo.model import INCIDENT_COLUMNS
    from geo.spots import SPOT_CATEGORIES

    places = load_places()
    spot_pt = places.set_index("place_id").geometry["hidinge"].centroid
    categories = ["parkering", "vardslos_korning"]
    spots = gpd.GeoDataFrame(
        {
            "spot_id": ["p", "v"],
            "category": categories,
            "category_label": [SPOT_CATEGORIES[c] for c in categories],
            "status": ["ny", "ny"],
            "weekdays": [[], []],
            "time_bands": [[], []],
            "since": [None, None],
            "created_at": [pd.Timestamp("2026-10-01", tz="Europe/Stockholm")] * 2,
            "description": ["", ""],
        },
        geometry=[spot_pt, shapely.Point(spot_pt.x, spot_pt.y + 2000)],
        crs="EPSG:3006",
    )
    empty = gpd.GeoDataFrame(
        {c: [] for c in INCIDENT_COLUMNS if c != "geometry"},
        geometry=gpd.GeoSeries([], crs="EPSG:3006"),
    )
    fc = forecast.forecast_week(empty, week="2026-W49", method="count_3m")
    cands = patrol.plan_candidates(
        fc, week="2026-W49", places=places, G=network.load_graph(), spots=spots
    )
    marked = cands[cands["kind"] == "markerad plats"]
    assert list(marked["candidate_id"]) == ["markering:v"]
    assert list(marked["activity"]) == ["hastighetskontroll"]
    assert ": vårdslös körning (status: ny)." in marked.iloc[0]["source_note"]


#: What a kommun-marked spot of each category becomes in the plan: (activity, theme), or
#: None for no stop. A blind exit or a dangerous crossing and "övrigt" were speed checks.
SPOT_STOPS: dict[str, tuple[str, str] | None] = {
    "hastighet": ("hastighetskontroll", "T"),
    "vardslos_korning": ("hastighetskontroll", "T"),
    "motorburen": ("fordonskontroll (A-traktor/EPA/moped)", "T"),
    "buller": ("fordonskontroll (A-traktor/EPA/moped)", "T"),
    "rattfylleri": ("nykterhetskontroll", "T"),
    "trafikfarlig_plats": ("närvaro/synlighet", "T"),
    "ovrigt": ("närvaro/synlighet", "S"),
    "parkering": None,
}


def test_each_spot_category_becomes_the_stop_it_calls_for() -> None:
    import geopandas as gpd
    import shapely

    from geo.model import INCIDENT_COLUMNS
    from geo.spots import SPOT_CATEGORIES

    assert set(SPOT_STOPS) == set(SPOT_CATEGORIES)
    places = load_places()
    x0, y0 = places.set_index("place_id").geometry["hidinge"].centroid.coords[0]
    categories = list(SPOT_STOPS)
    n = len(categories)
    spots = gpd.GeoDataFrame(
        {
            "spot_id": categories,
            "category": categories,
            "category_label": [SPOT_CATEGORIES[c] for c in categories],
            "status": ["ny"] * n,
            "weekdays": [[]] * n,
            "time_bands": [[]] * n,
            "since": [None] * n,
            "created_at": [pd.Timestamp("2026-10-01", tz="Europe/Stockholm")] * n,
            "description": ["Skymd sikt vid utfart"] * n,
        },
        geometry=[shapely.Point(x0 + 1500 * i, y0) for i in range(n)],
        crs="EPSG:3006",
    )
    # a theft 100 m from every spot, and a speeding car
    incidents = gpd.GeoDataFrame(
        {c: [None] * 2 * n for c in INCIDENT_COLUMNS if c != "geometry"},
        geometry=[shapely.Point(x0 + 1500 * i + 100, y0) for i in range(n) for _ in range(2)],
        crs="EPSG:3006",
    )
    incidents["category"] = ["stold", "hastighet"] * n
    incidents["theme"] = ["S", "T"] * n
    incidents["source"] = "polisen_api"
    incidents["location_precision_m"] = 10.0
    incidents["occurred_at"] = pd.Timestamp("2026-11-20 18:00", tz="Europe/Stockholm")
    empty = incidents.iloc[:0]
    fc = forecast.forecast_week(empty, week="2026-W49", method="count_3m")
    cands = patrol.plan_candidates(
        fc, week="2026-W49", places=places, G=network.load_graph(), spots=spots
    )
    marked = cands[cands["kind"] == "markerad plats"]
    got = {
        cid.removeprefix("markering:"): (activity, theme)
        for cid, activity, theme in zip(
            marked["candidate_id"], marked["activity"], marked["theme"], strict=True
        )
    }
    assert got == {c: want for c, want in SPOT_STOPS.items() if want is not None}
    # the reason counts the events of the spot's theme and names it: "övrigt" is no traffic
    said = {
        row["candidate_id"].removeprefix("markering:"): patrol.explain_stop(
            row, incidents, week="2026-W49", places=places
        )
        for _, row in marked.iterrows()
    }
    assert said["ovrigt"].startswith("Inom 300 m: 1 händelse") and "(1 stöld)" in said["ovrigt"]
    assert "Löfte: Samverkan och övrigt." in said["ovrigt"]
    assert "(1 hastighet)" in said["trafikfarlig_plats"]
    assert "Löfte: Trafik." in said["trafikfarlig_plats"]


def test_a_village_is_not_credited_with_the_bathing_site_inside_its_circle() -> None:
    # Vintrosa's 1.2 km circle holds most of Lanna badgruva (1.1 km away): litter at the
    # bathing site must neither make Vintrosa a stop nor appear in Vintrosa's reason
    import geopandas as gpd

    from geo.model import INCIDENT_COLUMNS

    places = load_places()
    G = network.load_graph()
    by_id = places.set_index("place_id").geometry
    lanna = by_id["lanna_badgruva"].centroid
    village = by_id["vintrosa"].centroid
    n_lanna, n_village = 40, 6
    pts = [lanna] * n_lanna + [village] * n_village
    t = pd.Timestamp("2026-04-10 15:00", tz="Europe/Stockholm")
    rows = {c: [None] * len(pts) for c in INCIDENT_COLUMNS if c != "geometry"}
    rows.update(
        occurred_at=[t + pd.Timedelta(days=i) for i in range(len(pts))],
        category=["nedskrapning"] * n_lanna + ["buller"] * n_village,
        theme=["B"] * n_lanna + ["S"] * n_village,
        source=["kommun"] * len(pts),
        location_precision_m=[10.0] * len(pts),
        place_id=[None] * len(pts),
    )
    incidents = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(pts, crs="EPSG:3006"))
    fc = forecast.forecast_week(incidents, week="2026-W27", method="count_3m", places=places)
    cands = patrol.plan_candidates(fc, week="2026-W27", places=places, G=G).set_index(
        "candidate_id"
    )
    vintrosa, bath = cands.loc["plats:vintrosa"], cands.loc["plats:lanna_badgruva"]
    # a village is no bathing site: its stop is for its own events' theme, not B
    assert vintrosa["theme"] == "S" and vintrosa["risk_B"] == 0
    assert not vintrosa["area"].contains(lanna)  # the bathing site is cut out of the village
    assert vintrosa["area"].contains(village)
    # the forecast at the bathing site goes to the bathing site alone
    assert bath["risk_week"] > 5 * vintrosa["risk_week"] > 0
    reason = patrol.explain_stop(vintrosa, incidents, week="2026-W27", places=places)
    assert reason.startswith(f"Samverkan och övrigt: {n_village} händelser")
    assert "nedskräpning" not in reason
    bath_reason = patrol.explain_stop(bath, incidents, week="2026-W27", places=places)
    assert bath_reason.startswith(f"Badplatser: {n_lanna} händelser")


@pytest.mark.parametrize(
    ("recent", "last_year", "words"),
    [
        (22, 66, "färre än samma 90 dagar i fjol (22 mot 66)"),
        (25, 12, "fler än samma 90 dagar i fjol (25 mot 12)"),
        (10, 11, "ungefär lika många som samma 90 dagar i fjol (10 mot 11)"),
        (2, 1, "för få händelser för att jämföra med i fjol"),
    ],
)
def test_a_reason_compares_the_last_90_days_with_the_same_days_a_year_before(
    recent: int, last_year: int, words: str
) -> None:
    end = pd.Timestamp("2026-11-30", tz="Europe/Stockholm")
    ly = end - pd.DateOffset(years=1)
    times = pd.Series(
        [end - pd.Timedelta(days=1 + i % 89) for i in range(recent)]
        + [ly - pd.Timedelta(days=1 + i % 89) for i in range(last_year)]
        + [end - pd.Timedelta(days=200)] * 7  # between the two windows: not counted
    )
    assert patrol.vs_last_year(times, end) == words


def test_a_stop_says_how_much_of_its_forecast_falls_in_its_own_hour() -> None:
    opts = patrol.load_priorities()
    windows = patrol.trip_windows(opts)
    profile = np.full(168, 0.2 / 166)
    sat_afternoon = 5 * 24 + 14  # lör 14–16 holds 80 % of the place's week
    profile[sat_afternoon : sat_afternoon + 2] = 0.4
    assert sat_afternoon in set(windows.how.tolist())
    friday = pd.Timestamp("2026-12-04 20:28", tz="Europe/Stockholm")
    text = patrol.explain_time(profile, friday, friday + pd.Timedelta(minutes=16), windows)
    # the hour of the 16-minute stop, not its trip's nor the window it was chosen in
    assert text.startswith(
        "Tid: 0 % av platsens prognos för veckan infaller under stoppets timme, fre 20–21"
    )
    assert "(mest lör 14–15: 40 %; tiden väljs för alla turens stopp)" in text
    # a stop over the full hour counts the hour its middle is in (20:53–21:09 is 21–22), not
    # both: "fre 20–22" gave the same 16 minutes twice the share of a week before
    saturday = pd.Timestamp("2026-12-05 14:53", tz="Europe/Stockholm")
    assert (
        patrol.explain_time(profile, saturday, saturday + pd.Timedelta(minutes=16), windows)
        == "Tid: 40 % av platsens prognos för veckan infaller under stoppets timme, lör 15–16, "
        "67 gånger en genomsnittlig timme."
    )
    # "5 %" read small to a planner: it is said against an average hour (1/168 of the week)
    # from twice that; an hour at 1.7 times the average is not singled out
    flat = np.full(168, 1 / 168)
    flat[4 * 24 + 20] = 0.01
    assert patrol.explain_time(flat, friday, friday + pd.Timedelta(minutes=16), windows) == (
        "Tid: 1 % av platsens prognos för veckan infaller under stoppets timme, fre 20–21."
    )
    # a time hardly better is no advice: beside 6 %, "(mest fre 20–21: 8 %)"
    close = np.full(168, 0.0)
    close[4 * 24 + 20], close[5 * 24 + 21] = 0.08, 0.06
    close[close == 0] = (1 - 0.14) / 166
    late = pd.Timestamp("2026-12-05 21:30", tz="Europe/Stockholm")
    assert patrol.explain_time(close, late, late + pd.Timedelta(minutes=16), windows) == (
        "Tid: 6 % av platsens prognos för veckan infaller under stoppets timme, lör 21–22, "
        "10 gånger en genomsnittlig timme."
    )


def _incidents(points: list, times: list, **columns: list):  # type: ignore[no-untyped-def]
    import geopandas as gpd

    from geo.model import INCIDENT_COLUMNS

    rows: dict[str, list] = {c: [None] * len(points) for c in INCIDENT_COLUMNS if c != "geometry"}
    rows.update(occurred_at=times, source=["kommun"] * len(points), place_id=[None] * len(points))
    rows.update(columns)
    return gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(points, crs="EPSG:3006"))


def _centre_and_check_point():  # type: ignore[no-untyped-def]
    """Fjugesta centrum's centroid and a point on väg 204 200 m east of it (EPSG:3006)."""
    import shapely

    centre = load_places().set_index("place_id").geometry["fjugesta_centrum"].centroid
    return centre, shapely.Point(centre.x + 200, centre.y)


def _control_point(point, note: str = "") -> pd.Series:  # type: ignore[no-untyped-def]
    return pd.Series(
        {
            "candidate_id": "kontroll:seg00045", "name": "väg 204 vid Fjugesta centrum",
            "kind": "kontrollpunkt", "place_id": None, "theme": "T",
            "activity": "hastighetskontroll", "risk_week": 2.0, "source_note": note,
            "area": point.buffer(300.0), "geometry": point,
        }
    )  # fmt: skip


def test_inom_300_m_leaves_out_events_placed_less_precisely_and_says_so() -> None:
    # police rattfylleri placed on Fjugesta centrum's point (700 m) lay within 300 m of a
    # control point on väg 204, and its "inom 300 m" had more rattfylleri than the segment
    centre, cp = _centre_and_check_point()
    t0 = pd.Timestamp("2026-10-02 21:00", tz="Europe/Stockholm")
    incidents = _incidents(
        [cp] * 4 + [centre] * 2,
        [t0 + pd.Timedelta(days=i) for i in range(6)],
        category=["hastighet"] * 4 + ["rattfylleri"] * 2,
        theme=["T"] * 6,
        location_precision_m=[10.0] * 4 + [700.0] * 2,
        source=["kommun"] * 4 + ["polisen_api"] * 2,
    )
    reason = patrol.explain_stop(
        _control_point(cp), incidents, week="2026-W49", places=load_places()
    )
    assert reason.startswith("Inom 300 m: 4 händelser 2025-10-08 – 2026-10-07 (4 hastighet)")
    assert "2 händelser med läge osäkrare än 300 m" in reason and "rattfylleri" not in reason
    assert "Källor: kommunen (4)." in reason
    # the busiest hours say what they count (a bare "flest fre 21–24" read unclear)
    assert "; flest händelser " in reason


def test_a_reports_date_alone_says_nothing_of_the_busiest_hours() -> None:
    # reports dated only are stored at midnight; "flest händelser" counted them at 00–03
    _centre, cp = _centre_and_check_point()
    t0 = pd.Timestamp("2026-10-02 21:00", tz="Europe/Stockholm")  # a Friday
    timed = [t0 + pd.Timedelta(weeks=i) for i in range(3)]
    dated = [
        pd.Timestamp("2026-10-05", tz="Europe/Stockholm") + pd.Timedelta(weeks=i) for i in range(6)
    ]
    incidents = _incidents(
        [cp] * 9,
        timed + dated,
        category=["hastighet"] * 9,
        theme=["T"] * 9,
        location_precision_m=[10.0] * 9,
        time_precision=["exact"] * 3 + ["day"] * 6,
    )
    reason = patrol.explain_stop(
        _control_point(cp), incidents, week="2026-W49", places=load_places()
    )
    assert reason.startswith("Inom 300 m: 9 händelser")  # each report counts
    # the three timed ones' evening, not the dated ones' Monday midnight
    assert "flest händelser fre " in reason and "mån 00" not in reason, reason


def test_a_later_week_on_the_same_data_counts_the_same_year() -> None:
    # W49 read "110 händelser 2025-11-30 – 2026-11-22" and W52, planned on the same data,
    # "95 händelser 2025-12-21 – 2026-11-22": the year was anchored on the week's Monday
    days = pd.date_range("2025-01-01 12:00", "2026-11-22 12:00", freq="D", tz="Europe/Stockholm")
    periods = {
        w: patrol.reason_period(pd.Series(days), w) for w in ("2026-W48", "2026-W49", "2026-W52")
    }
    assert {p[2] for p in periods.values()} == {"2025-11-23 – 2026-11-22"}
    assert {p[0] for p in periods.values()} == {pd.Timestamp("2025-11-23", tz="Europe/Stockholm")}
    # data going on past a week's Monday: the year before it, from the data before it alone
    begin, end, text = patrol.reason_period(pd.Series(days), "2026-W22")
    assert (begin, end) == (
        pd.Timestamp("2025-05-25", tz="Europe/Stockholm"),
        pd.Timestamp("2026-05-25", tz="Europe/Stockholm"),
    )
    assert text == "2025-05-25 – 2026-05-24"


def test_a_place_stop_counts_the_events_of_its_own_theme_and_names_the_others_apart() -> None:
    # W49 planned a speed check at Gropen "justified" by "1 händelse (1 stöld)": the reason
    # counted every event at the place, whatever the stop was for
    gropen = load_places().set_index("place_id").loc["gropen"]
    centre = gropen.geometry.centroid
    speeding = pd.date_range("2025-09-01 17:00", periods=13, freq="5D", tz="Europe/Stockholm")
    theft = pd.Timestamp("2026-11-22 12:00", tz="Europe/Stockholm")  # the data's last day
    incidents = _incidents(
        [centre] * 14, [*speeding, theft],
        category=["hastighet"] * 13 + ["stold"], theme=["T"] * 13 + ["S"],
        location_precision_m=[10.0] * 14,
    )  # fmt: skip
    stop = pd.Series(
        {
            "candidate_id": "plats:gropen", "name": "Gropen", "kind": "plats",
            "place_id": "gropen", "theme": "T", "activity": "hastighetskontroll",
            "risk_week": 0.26, "risk_N": 0.01, "risk_T": 0.17, "risk_B": 0.0, "risk_S": 0.08,
            "source_note": "", "area": gropen.geometry.buffer(500.0), "geometry": centre,
        }
    )  # fmt: skip
    reason = patrol.explain_stop(stop, incidents, week="2026-W49", places=load_places())
    assert reason.startswith("Trafik: inga registrerade händelser 2025-11-23 – 2026-11-22")
    # the year before had the traffic; the theft is said apart, not as the stop's grounds
    assert "färre än samma 90 dagar i fjol (0 mot 13)" in reason
    assert "andra teman på platsen: 1 händelse (1 stöld)" in reason
    # the stop's value counts every theme's forecast: how much is traffic is said
    assert "prognos vecka 49: 0,3 händelser, varav 0,2 trafik." in reason
    assert "Källor:" not in reason  # no event of the stop's theme to source


def test_a_stops_reason_says_when_its_events_stopped() -> None:
    # W49 sent vehicle checks to Mullhyttan, whose mopeds and loud cars ran April-October and
    # stopped on 31 October; "fler än samma 90 dagar i fjol (18 mot 0)" read as rising
    import shapely

    cp = shapely.Point(497000, 6571000)
    summer = pd.date_range("2026-04-03 21:00", "2026-10-31 21:00", freq="7D", tz="Europe/Stockholm")
    elsewhere = pd.Timestamp("2026-11-22 12:00", tz="Europe/Stockholm")  # the data's end
    n = len(summer) + 1
    incidents = _incidents(
        [cp] * len(summer) + [shapely.Point(480000, 6560000)], [*summer, elsewhere],
        category=["motorburen"] * n, theme=["T"] * n, location_precision_m=[10.0] * n,
    )  # fmt: skip
    point = _control_point(cp)
    reason = patrol.explain_stop(point, incidents, week="2026-W49", places=load_places())
    assert f"senaste {summer[-1]:%Y-%m-%d};" in reason
    # events up to the data's last weeks need no such word
    recent = incidents.copy()
    recent.loc[len(summer) - 1, "occurred_at"] = elsewhere - pd.Timedelta(days=3)
    assert "senaste" not in patrol.explain_stop(
        point, recent, week="2026-W49", places=load_places()
    )


def test_a_control_point_is_timed_by_the_traffic_around_it_not_its_cells_other_themes() -> None:
    # W49 planned the speed checks on väg 204 on Friday 20-22 and Saturday 21-23, the hours of
    # the town's alcohol and narcotics, while its traffic events fell in the afternoons
    import geopandas as gpd

    centre, cp = _centre_and_check_point()
    sat_15 = pd.date_range("2026-06-06 15:10", periods=12, freq="14D", tz="Europe/Stockholm")
    fri_21 = pd.date_range("2026-06-05 21:10", periods=60, freq="3D", tz="Europe/Stockholm")
    incidents = _incidents(
        [cp] * 12 + [centre] * 60, [*sat_15, *fri_21],
        category=["hastighet"] * 12 + ["alkohol"] * 60, theme=["T"] * 12 + ["N"] * 60,
        location_precision_m=[10.0] * 72,
    )  # fmt: skip
    cells = np.zeros(168)
    cells[4 * 24 + 21] = 1.0  # the forecast cells' hours: Friday 21, the alcohol
    point = _control_point(cp)
    point["how_profile"] = cells.tolist()
    place = point.copy()
    place["kind"], place["candidate_id"] = "plats", "plats:fjugesta_centrum"
    cands = gpd.GeoDataFrame([point, place], geometry="geometry", crs="EPSG:3006")
    timed = patrol.timed_by_traffic(cands, incidents, week="2026-W49")
    check = np.asarray(timed.iloc[0]["how_profile"])
    assert check.sum() == pytest.approx(1.0)
    assert int(np.argmax(check)) == 5 * 24 + 15  # Saturday 15, its speeding
    assert check[5 * 24 + 14 : 5 * 24 + 17].sum() > 5 * check[4 * 24 + 20 : 4 * 24 + 23].sum()
    assert timed.iloc[1]["how_profile"] == cells.tolist()  # a place keeps its cells' hours


def test_a_speed_check_with_few_events_keeps_the_kommuns_speeding_hours_not_its_loud_cars() -> None:
    # W49's speed check on väg 204 (7 events within 300 m) was set Friday 20:19: shrunk toward
    # all the kommun's traffic, whose loud cars and mopeds fill Friday evenings, while speeding
    # (here and in the kommun) happens on the way home from work
    import geopandas as gpd
    import shapely

    centre, cp = _centre_and_check_point()
    far = shapely.Point(centre.x + 5000, centre.y + 5000)
    own = pd.date_range("2026-09-01 16:20", periods=3, freq="7D", tz="Europe/Stockholm")  # tue
    speeding = pd.date_range("2026-06-01 16:30", periods=40, freq="D", tz="Europe/Stockholm")
    loud = pd.date_range("2026-06-05 21:10", periods=60, freq="3D", tz="Europe/Stockholm")
    n = 3 + 40 + 60
    incidents = _incidents(
        [cp] * 3 + [far] * 100, [*own, *speeding, *loud],
        category=["hastighet"] * 43 + ["motorburen"] * 60, theme=["T"] * n,
        location_precision_m=[10.0] * n,
    )  # fmt: skip
    cands = gpd.GeoDataFrame([_control_point(cp)], geometry="geometry", crs="EPSG:3006")
    cands["how_profile"] = [np.full(168, 1 / 168).tolist()]
    check = np.asarray(patrol.timed_by_traffic(cands, incidents, week="2026-W49")["how_profile"][0])
    hours = check.reshape(7, 24).sum(axis=0)
    assert hours[15:18].sum() > 3 * hours[20:23].sum()
    # a vehicle check at the same point is for the loud cars, and keeps their evenings
    cands["activity"] = patrol.ACTIVITIES[4]
    check = np.asarray(patrol.timed_by_traffic(cands, incidents, week="2026-W49")["how_profile"][0])
    assert 20 <= int(np.argmax(check)) % 24 <= 22


def test_a_speed_checks_comparison_with_last_year_counts_the_events_it_checks() -> None:
    # W49's speed check on väg 204 read "färre än samma 90 dagar i fjol (3 mot 24)", where 20
    # of last year's 24 were loud cars and mopeds, which a vehicle check is for
    _centre, cp = _centre_and_check_point()
    now = pd.date_range("2026-10-01 16:00", periods=3, freq="9D", tz="Europe/Stockholm")
    then = pd.date_range("2025-10-01 21:00", periods=24, freq="2D", tz="Europe/Stockholm")
    incidents = _incidents(
        [cp] * 27, [*now, *then],
        category=["hastighet", "hastighet", "vardslos_korning"] + ["hastighet"] * 4
        + ["motorburen"] * 20,
        theme=["T"] * 27, location_precision_m=[10.0] * 27,
    )  # fmt: skip
    speed = patrol.PlanSettings().activity_categories("hastighetskontroll")
    reason = patrol.explain_stop(
        _control_point(cp), incidents, week="2026-W49", places=load_places(),
        check_categories=speed,
    )  # fmt: skip
    assert "hastighet och vårdslös körning: färre än samma 90 dagar i fjol (3 mot 4)" in reason
    # without the check's categories (a marked spot, a place) all its traffic counts
    plain = patrol.explain_stop(
        _control_point(cp), incidents, week="2026-W49", places=load_places()
    )
    assert "färre än samma 90 dagar i fjol (3 mot 24)" in plain


def test_the_90_day_comparison_ends_where_the_data_do() -> None:
    # W49 (Monday 2026-11-30) planned with data to Sunday 2026-11-22: the week between is no
    # week without events; old: "(83 mot 90)", 83 days of data against 90
    _centre, cp = _centre_and_check_point()
    days = pd.date_range("2025-05-01 20:00", "2026-11-22 20:00", freq="D", tz="Europe/Stockholm")
    incidents = _incidents(
        [cp] * len(days), list(days), category=["hastighet"] * len(days),
        theme=["T"] * len(days), location_precision_m=[10.0] * len(days),
    )  # fmt: skip
    reason = patrol.explain_stop(
        _control_point(cp), incidents, week="2026-W49", places=load_places()
    )
    assert "samma 90 dagar i fjol (90 mot 90)" in reason
    assert patrol.data_end(incidents["occurred_at"], week_monday("2026-W49")) == (
        pd.Timestamp("2026-11-23", tz="Europe/Stockholm")
    )
    # a week cut by the data's end (hourly events to Wednesday) is left out too; the plan
    # week caps it
    wed = pd.Series(
        pd.date_range("2026-10-01", "2026-11-18 23:00", freq="h", tz="Europe/Stockholm")
    )
    assert patrol.data_end(wed, week_monday("2026-W49")) == (
        pd.Timestamp("2026-11-16", tz="Europe/Stockholm")
    )
    assert patrol.data_end(incidents["occurred_at"], week_monday("2026-W40")) == (
        week_monday("2026-W40")
    )


# ----------------------------------------------------------------------------- variety


def _profile(days: list[int], hours: tuple[int, int]) -> list[float]:
    return [float(d in days and hours[0] <= h < hours[1]) for d in range(7) for h in range(24)]


def _two_candidates() -> gpd.GeoDataFrame:
    """A bathing site busy Sat–Sun afternoons and a town centre busy Fri–Sat evenings."""
    import geopandas as gpd
    import shapely

    rows = [
        ("plats:bad", _profile([5, 6], (13, 18)), 0.0, 0.0),
        ("plats:centrum", _profile([4, 5], (19, 24)), 1000.0, 0.0),
    ]
    return gpd.GeoDataFrame(
        {
            "candidate_id": [r[0] for r in rows],
            "how_profile": [r[1] for r in rows],
            **{f"risk_{t}": [1.0, 1.0] for t in "NTBS"},
        },
        geometry=[shapely.Point(500_000 + r[2], 6_570_000 + r[3]) for r in rows],
        crs=3006,
    )


def test_a_stop_has_value_only_in_its_places_busy_hours() -> None:
    from geo.patrol.windows import busy_windows, window_shares

    cands = _two_candidates()
    opts = patrol.PlanSettings()
    windows = patrol.trip_windows(opts)
    values = patrol.stop_values(cands, windows, options=opts)
    busy = busy_windows(window_shares(cands, windows), busy_share=opts.busy_share)
    evening = (windows.day == 5) & (windows.start_hour == 21)
    afternoon = (windows.day == 5) & (windows.start_hour == 14)
    # the bathing site is worth nothing on Saturday 21–23, when the centre is busy
    assert values[0, evening].max() == 0 and values[1, evening].max() > 0
    assert values[0, afternoon].max() > 0 and values[1, afternoon].max() == 0
    assert (values[~busy] == 0).all() and (values[busy] > 0).all()


def test_the_last_weeks_place_and_band_keep_less_value_the_more_often_they_were_planned() -> None:
    cands = _two_candidates()
    opts = patrol.PlanSettings()
    windows = patrol.trip_windows(opts)
    base = patrol.stop_values(cands, windows, options=opts)
    friday_20 = 4 * 24 + 20  # in the band kväll 18–22
    once = patrol.stop_values(cands, windows, options=opts, avoid=[("plats:centrum", friday_20)])
    twice = patrol.stop_values(
        cands, windows, options=opts, avoid=[("plats:centrum", friday_20)] * 2
    )
    band = (windows.day == 4) & (windows.start_hour + windows.length_h > 18)
    band &= windows.start_hour < 22
    f = opts.last_week_factor
    assert np.allclose(once[1, band], f * base[1, band])
    assert np.allclose(twice[1, band], f * f * base[1, band])
    assert np.allclose(once[1, ~band], base[1, ~band])  # Friday 22–24 and Saturday untouched
    assert np.allclose(once[0], base[0])


def test_recent_visits_reach_back_the_history_weeks_only() -> None:
    from geo.patrol.plan import recent_visits

    monday = pd.Timestamp("2026-10-05", tz="Europe/Stockholm")
    previous = pd.DataFrame(
        {
            "candidate_id": ["a", "b", "c", "d"],
            "start": [
                monday - pd.Timedelta(days=2, hours=3),  # Friday 21:00 last week
                monday - pd.Timedelta(weeks=4),  # four weeks before: still counted
                monday - pd.Timedelta(weeks=4, minutes=1),  # just before: not counted
                monday + pd.Timedelta(hours=1),  # the week planned itself: not counted
            ],
        }
    )
    assert recent_visits(previous, monday=monday, weeks=4) == [("b", 0), ("a", 4 * 24 + 21)]
    assert recent_visits(previous, monday=monday, weeks=0) == []


def test_two_candidates_of_one_place_on_two_trips_earn_the_repeat_share() -> None:
    inst = random_instance(3)
    inst = replace(inst, max_trips=2, window_day=np.arange(inst.n_windows))
    trips = (patrol_solver.Trip(0, (0,)), patrol_solver.Trip(1, (1,)))
    v0, v1 = inst.values[0, 0], inst.values[1, 1]
    assert plan_value(inst, trips) == pytest.approx(v0 + v1)
    groups = np.arange(inst.n)
    groups[1] = 0  # candidate 1 is 250 m from candidate 0: the same place
    same = replace(inst, groups=groups)
    hi, lo = max(v0, v1), min(v0, v1)
    assert plan_value(same, trips) == pytest.approx(hi + same.repeat_factor * lo)
    # on one trip they are two stops, both counted in full
    assert plan_value(same, (patrol_solver.Trip(0, (0, 1)),)) == pytest.approx(
        inst.values[0, 0] + inst.values[1, 0]
    )


@pytest.mark.timeout(240)
def test_heuristic_and_milp_agree_with_places_of_several_candidates() -> None:
    for seed in range(8):
        inst = random_instance(seed)
        inst = replace(inst, groups=np.arange(inst.n) // 3)
        heur = solve_heuristic(inst)
        exact = solve_milp(inst, start=heur, gap_rel=0.01, time_limit_s=60)
        assert not check_solution(inst, heur.trips) and not check_solution(inst, exact.trips)
        assert exact.value == pytest.approx(plan_value(inst, exact.trips))
        assert heur.value <= exact.value * 1.01 + 1e-9
        assert heur.value >= 0.9 * exact.value


def test_same_place_groups_join_candidates_within_the_distance() -> None:
    from geo.patrol.plan import same_place_groups

    cands = _two_candidates()
    assert len(set(same_place_groups(cands, distance_m=400))) == 2
    assert len(set(same_place_groups(cands, distance_m=1500))) == 1


def test_the_spare_minutes_fill_the_stops_to_the_koper_maximum_first_then_the_promise() -> None:
    from geo.patrol.plan import _fill_budget
    from geo.patrol.priorities import DWELL_RANGE_MIN

    longest = DWELL_RANGE_MIN[1]
    trips = [patrol_solver.Trip(0, (0, 1)), patrol_solver.Trip(1, (2,))]
    values = np.array([[3.0, 3.0], [2.0, 2.0], [1.0, 1.0]])  # stop 0 the most valuable
    # what is left is less than one more stop and its drive (the solver fits whole stops)
    for dwell, driving in ((15.0, 70.0), (15.0, 62.0), (10.0, 85.0)):
        opts = patrol.PlanSettings(dwell_min=dwell)
        out = _fill_budget(trips, values, 3 * dwell + driving, opts)
        flat = [m for trip in out for m in trip]
        # the two hours are planned whole (the löfte: at least two hours in the kommun)
        assert sum(flat) + driving == 120, (dwell, driving, flat)
        assert min(flat) >= dwell and max(flat) - min(flat) <= 1 + (longest - dwell)
        if sum(flat) <= 3 * longest:  # room enough within the curve: no stop past it
            assert max(flat) <= longest
        else:  # every stop reaches the curve's end before any goes past it
            assert min(flat) >= longest
        assert flat[0] >= flat[1] >= flat[2]  # the most valuable first


def test_the_drawn_plan_stays_within_the_tolerance_and_the_same_seed_gives_it_again() -> None:
    from geo.patrol.plan import choose_solution

    for seed in range(6):
        inst = week_instance(seed)
        penalised = inst.values.copy()
        best = solve_heuristic(inst)
        for trip in best.trips:  # as if the best plan's stops were planned last week
            penalised[list(trip.stops), trip.window] *= 0.3
        varied = replace(inst, values=penalised)
        sol, best_value = choose_solution(
            varied, seed=seed, near_optimal=0.95, true_values=inst.values
        )
        again, _ = choose_solution(varied, seed=seed, near_optimal=0.95, true_values=inst.values)
        assert sol.trips == again.trips
        assert sol.value == pytest.approx(plan_value(inst, sol.trips))
        assert sol.value >= 0.95 * best_value - 1e-9
        assert best_value >= best.value - 1e-9


def test_a_plan_repeating_last_weeks_places_days_and_bands_says_so() -> None:
    # a planner's review: W49-W52 came back the same week after week, and nothing said so
    from geo.patrol.plan import repeat_note

    tz = "Europe/Stockholm"
    monday = pd.Timestamp("2026-12-07", tz=tz)  # W50
    stops = pd.DataFrame(
        {
            "candidate_id": ["plats:mullhyttan", "plats:fjugesta_centrum"],
            "start": [
                pd.Timestamp("2026-12-11 20:45", tz=tz),
                pd.Timestamp("2026-12-12 21:20", tz=tz),
            ],
        }
    )
    w49 = stops.assign(
        start=[pd.Timestamp("2026-12-04 20:28", tz=tz), pd.Timestamp("2026-12-05 21:51", tz=tz)]
    )
    assert repeat_note(stops, w49, monday=monday) == (
        "Samma platser och veckodagar, vid ungefär samma tid, som vecka 49: de ger mest av "
        "veckans förväntade händelser; variera gärna exakt plats och tid."
    )
    # each of the last weeks on its own: W48 alike too, W47 not
    w48 = w49.assign(start=w49["start"] - pd.Timedelta(days=7))
    w47 = w49.assign(
        start=w49["start"] - pd.Timedelta(days=14), candidate_id=["plats:a", "plats:b"]
    )
    assert "som veckorna 48 och 49:" in repeat_note(
        stops, pd.concat([w47, w48, w49]), monday=monday
    )
    # another evening, another place, an older week or none: nothing to say
    moved = w49.assign(start=[pd.Timestamp("2026-12-03 20:28", tz=tz), w49["start"][1]])
    assert repeat_note(stops, moved, monday=monday) == ""
    other = w49.assign(candidate_id=["plats:vintrosa", "plats:fjugesta_centrum"])
    assert repeat_note(stops, other, monday=monday) == ""
    older = w49.assign(start=w49["start"] - pd.Timedelta(days=35))  # five weeks back
    assert repeat_note(stops, older, monday=monday) == ""
    assert repeat_note(stops, None, monday=monday) == ""
