"""Helpers of the pass tests: a stored plan for a week, police accounts, a valid pass."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from geo import users
from geo.patrol.stored import save_plan
from geo.weeks import week_monday
from tests._web_fixtures import PASSWORD

TZ = "Europe/Stockholm"


def add_police(path: Path) -> None:
    """Add a second police editor (``olle``) and a police viewer (``vera``) to a test store."""
    users.add_user("olle", org="polis", role="editor", password=PASSWORD, path=path)
    users.add_user("vera", org="polis", role="viewer", password=PASSWORD, path=path)


def store_plan(path: Path, week: str) -> pd.DataFrame:
    """Store a plan of two stops on the week's Tuesday evening; return its stops."""
    tuesday = (week_monday(week) + pd.Timedelta(days=1)).tz_localize(None)
    stops = pd.DataFrame(
        {
            "order": [1, 2],
            "candidate_id": ["plats:fjugesta", "plats:lanna"],
            "place": ["Fjugesta centrum", "Lanna badgruva"],
            "start": [
                (tuesday + pd.Timedelta(hours=18)).tz_localize(TZ),
                (tuesday + pd.Timedelta(hours=18, minutes=30)).tz_localize(TZ),
            ],
            "dwell_min": [15.0, 15.0],
            "theme": ["N", "T"],
            "activity": ["närvaro/synlighet", "hastighetskontroll"],
        }
    )
    plan = SimpleNamespace(week=week, stops=stops, meta={"generated_at": "2026-01-01T00:00:00"})
    save_plan(plan, path)  # type: ignore[arg-type]
    return stops


#: The day of :func:`pass_payload`: the Tuesday of 2025-W49, a day lived whenever the tests
#: run (a pass after now is refused, and a live server reads the clock).
PASS_DAY = "2025-12-02"


def pass_payload(**overrides: Any) -> dict[str, Any]:
    """Return a valid 45-minute pass on :data:`PASS_DAY` as the form sends it.

    Fields are replaced by ``overrides``.
    """
    payload: dict[str, Any] = {
        "date": PASS_DAY,
        "start": "18:00",
        "end": "18:45",
        "places": "Fjugesta centrum",
        "activity": "närvaro/synlighet",
        "results": "2 samtal med ungdomar",
    }
    payload.update(overrides)
    return payload


def store_trip_plan(path: Path, week: str) -> pd.DataFrame:
    """Store a plan of two trips, as ``geo plan`` makes one; return its stops.

    Trip 1 on the week's Friday: stops 1 (20:28, 17 min driven from the entry point) and 2
    (20:54), 38 min of driving in all, so it leaves the entry point 20:11 and is back out
    21:21 (70 min). Trip 2 on the Saturday: stop 3 (21:05, 15 min driven to it), 30 min of
    driving, 20:50–21:35 (45 min). The trip times are :func:`geo.patrol.trips.plan_trips`'.
    """
    friday = (week_monday(week) + pd.Timedelta(days=4)).tz_localize(None)
    at = [friday + pd.Timedelta(hours=20, minutes=28), friday + pd.Timedelta(hours=20, minutes=54)]
    at.append(friday + pd.Timedelta(days=1, hours=21, minutes=5))
    start = pd.Series(at).dt.tz_localize(TZ)
    dwell = pd.Series([16.0, 16.0, 15.0])
    stops = pd.DataFrame(
        {
            "order": [1, 2, 3],
            "trip": [1, 1, 2],
            "candidate_id": ["plats:mullhyttan", "plats:fjugesta", "kontroll:seg00001"],
            "place": ["Mullhyttan", "Fjugesta centrum", "väg 204 vid Hidinge"],
            "start": start,
            "end": start + pd.to_timedelta(dwell, unit="min"),
            "dwell_min": dwell,
            "drive_min_before": [17.0, 10.0, 15.0],
            "theme": ["T", "N", "T"],
            "activity": [
                "fordonskontroll (A-traktor/EPA/moped)",
                "riktad narkotikainsats",
                "nykterhetskontroll",
            ],
        }
    )
    routes = pd.DataFrame({"trip": [1, 2], "drive_min": [38.0, 30.0]})
    meta = {"generated_at": "2026-01-01T00:00:00"}
    plan = SimpleNamespace(week=week, stops=stops, routes=routes, meta=meta)
    save_plan(plan, path)  # type: ignore[arg-type]
    return stops
