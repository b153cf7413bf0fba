"""What a stop does: the control or operation its events call for."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.patrol.priorities import PlanSettings
from geo.patrol.reasons import LOOKBACK_DAYS, candidate_incidents
from geo.weeks import week_monday

#: Days before the plan week whose traffic events choose a stop's control: motorburen
#: problematik moves between places within weeks (Brå), so the last three months, not a year.
RECENT_DAYS = 90
#: Kinds of stop, per theme, whose activity follows their events' categories: a traffic
#: place, hot cell or road check its control; a narcotics-and-alcohol place or hot cell an
#: operation against drugs or against drinking, whichever leads.
STOP_KINDS: dict[str, tuple[str, ...]] = {
    "T": ("plats", "het ruta", "kontrollpunkt"),
    "N": ("plats", "het ruta"),
}


def stop_activity(
    candidate: pd.Series,
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    options: PlanSettings,
    recent_days: int = RECENT_DAYS,
) -> str:
    """Return the activity of a stop: what most of its events of its theme call for.

    A traffic place, hot cell or road control point gets the control most of its traffic
    events call for (:meth:`PlanSettings.category_activity`): a sobriety check where drunk
    driving leads, a vehicle check where A-traktorer, EPA, mopeds and loud cars do, else the
    theme's own (a speed check, also on a tie with it); a narcotics-and-alcohol place or hot
    cell an alcohol operation where drinking in public leads, else the drugs operation
    (Fjugesta centrum's 61 alcohol and 49 narcotics events were a "riktad
    narkotikainsats": a planner's review). The events of the last
    ``recent_days`` choose; a stop without any looks further back, to the year its reason
    counts (:data:`~geo.patrol.reasons.LOOKBACK_DAYS`), then to all earlier events: W49's
    stop at Gropen, planned on last autumn's 13 events of loud cars and mopeds, was a speed
    check because it had none in the last 90 days. Other stops, and traffic stops without
    any traffic events, keep the candidate's.

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
        Days before the week whose events choose first.

    Returns
    -------
    str
        One of :data:`geo.patrol.priorities.ACTIVITIES`.
    """
    own = str(candidate["activity"])
    theme = str(candidate["theme"])
    if str(candidate["kind"]) not in STOP_KINDS.get(theme, ()):
        return own
    if incidents.empty:
        return own
    end = week_monday(week)
    t = pd.to_datetime(incidents["occurred_at"])
    mine = candidate_incidents(candidate, incidents) & (t < end)
    mine &= incidents["theme"].astype(str) == theme
    for days in (recent_days, LOOKBACK_DAYS, None):
        since = mine if days is None else mine & (t >= end - pd.Timedelta(days=days))
        cats = incidents.loc[since, "category"]
        if not cats.empty:
            counts = cats.astype(str).map(options.category_activity).value_counts()
            best = counts.index[counts == counts.max()]
            return own if own in best else str(best[0])
    return own
