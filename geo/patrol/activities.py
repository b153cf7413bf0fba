"""What a traffic stop does: the control its recent traffic events call for."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.patrol.priorities import PlanSettings
from geo.patrol.reasons import candidate_incidents
from geo.weeks import week_monday

#: Days before the plan week whose traffic events choose a stop's control: motorburen
#: problematik moves between places within weeks (Brå), so the last three months, not a year.
RECENT_DAYS = 90


def stop_activity(
    candidate: pd.Series,
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    options: PlanSettings,
    recent_days: int = RECENT_DAYS,
) -> str:
    """Return the activity of a stop: for a traffic place or hot cell, its events' control.

    A named place or hot cell whose theme is traffic gets the control most of its traffic
    events of the last ``recent_days`` call for (:meth:`PlanSettings.traffic_activity`):
    a sobriety check where drunk driving leads, a vehicle check where A-traktorer, EPA,
    mopeds and loud cars do, else the theme's own (a speed check, also on a tie with it).
    Other stops, and traffic ones without recent traffic events, keep the candidate's.

    Parameters
    ----------
    candidate
        A row of :func:`geo.patrol.candidates.plan_candidates`.
    incidents
        Incidents (EPSG:3006, ``occurred_at`` tz-aware, ``theme``, ``category``).
    week
        The plan's ISO week: events before its Monday count.
    options
        The plan settings (which categories call for which control).
    recent_days
        Days before the week that count.

    Returns
    -------
    str
        One of :data:`geo.patrol.priorities.ACTIVITIES`.
    """
    own = str(candidate["activity"])
    if str(candidate["theme"]) != "T" or str(candidate["kind"]) not in ("plats", "het ruta"):
        return own
    if incidents.empty:
        return own
    end = week_monday(week)
    t = pd.to_datetime(incidents["occurred_at"])
    recent = (t >= end - pd.Timedelta(days=recent_days)) & (t < end)
    traffic = incidents["theme"].astype(str) == "T"
    cats = incidents.loc[candidate_incidents(candidate, incidents) & recent & traffic, "category"]
    if cats.empty:
        return own
    counts = cats.astype(str).map(options.traffic_activity).value_counts()
    best = counts.index[counts == counts.max()]
    return own if own in best else str(best[0])
