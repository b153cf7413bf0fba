"""What a stop does: the control or operation its events call for."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.model import CHECKS, short_label
from geo.patrol.priorities import PlanSettings
from geo.patrol.reasons import LOOKBACK_DAYS, candidate_incidents, data_end, reason_period
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
    narkotikainsats": a planner's review). The events of the last ``recent_days`` up to the
    data's end (:func:`~geo.patrol.reasons.data_end`, where the reason's comparison with last
    year ends) choose; a stop without any looks further back, to the year its reason counts
    (:data:`~geo.patrol.reasons.LOOKBACK_DAYS`), then to all earlier events: W49's stop at
    Gropen, planned on last autumn's 13 events of loud cars and mopeds, was a speed check
    because it had none in the last 90 days. A road control point stays a check: its events that
    call for none (a trafikfarlig plats calls for presence, and a control point stands on a
    straight stretch away from the junction that made the place dangerous) do not choose. Other
    stops, and traffic stops without any traffic events, keep the candidate's.

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
    _days, cats = deciding_events(candidate, incidents, week=week, recent_days=recent_days)
    if cats.empty:
        return own
    counts = cats.map(options.category_activity).value_counts()
    if str(candidate["kind"]) == "kontrollpunkt":
        counts = counts[counts.index.isin(CHECKS)]
        if counts.empty:
            return own
    best = counts.index[counts == counts.max()]
    return own if own in best else str(best[0])


def deciding_events(
    candidate: pd.Series,
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    recent_days: int = RECENT_DAYS,
) -> tuple[int | None, pd.Series]:
    """Return the events that choose a stop's activity, and the days back they were taken from.

    Parameters
    ----------
    candidate, incidents, week, recent_days
        As :func:`stop_activity` takes them.

    Returns
    -------
    tuple
        ``(days, categories)``: the categories (str) of the stop's events of its theme in the
        last ``recent_days`` of the data (to :func:`~geo.patrol.reasons.data_end`), else the
        year the reason counts (:func:`~geo.patrol.reasons.reason_period`), else all before
        the week (``days`` ``None``); empty for a stop whose activity does not
        follow its events (:data:`STOP_KINDS`) or that has none.
    """
    theme = str(candidate["theme"])
    none = pd.Series([], dtype=str)
    if str(candidate["kind"]) not in STOP_KINDS.get(theme, ()) or incidents.empty:
        return None, none
    t = pd.to_datetime(incidents["occurred_at"])
    year_begin, end, _period = reason_period(t, week)
    # the last days end where the data do, as the reason's comparison with last year counts
    # them (:func:`~geo.patrol.reasons.data_end`): 90 days back from the Monday of a week
    # planned a month after the data end (2027-W01 on data to 29 November) held only 54 days
    # of data, and Fjugesta centrum's "riktad narkotikainsats" of W49 became an alcohol
    # operation with no new event, its reason saying 18 events of the last 90 days and its
    # activity "6 alkohol, 5 narkotika" (a planner's review)
    recent_end = data_end(t, week_monday(week))
    mine = candidate_incidents(candidate, incidents) & (t < end)
    mine &= incidents["theme"].astype(str) == theme
    windows = (
        (recent_days, mine & (t >= recent_end - pd.Timedelta(days=recent_days)) & (t < recent_end)),
        (LOOKBACK_DAYS, mine & (t >= year_begin)),
        (None, mine),
    )
    for days, since in windows:
        if since.any():
            return days, incidents.loc[since, "category"].astype(str)
    return None, none


def activity_basis(
    candidate: pd.Series,
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    recent_days: int = RECENT_DAYS,
) -> str:
    """Say in Swedish which events chose a stop's activity.

    E.g. "Åtgärd efter de senaste 90 dagarna: 10 narkotika, 6 alkohol." A stop's reason
    counts the year ("61 alkohol, 49 narkotika") while its activity follows the last 90 days,
    where narcotics led: a planner's review read "riktad narkotikainsats" against the year's
    numbers. Empty when the activity does not follow the stop's events.

    Parameters
    ----------
    candidate, incidents, week, recent_days
        As :func:`stop_activity` takes them.

    Returns
    -------
    str
        The sentence, or ``""``.
    """
    days, cats = deciding_events(candidate, incidents, week=week, recent_days=recent_days)
    if cats.empty:
        return ""
    when: dict[int | None, str] = {
        recent_days: f"de senaste {recent_days} dagarna",
        LOOKBACK_DAYS: "det senaste året",
    }
    period = when.get(days, "äldre händelser")  # None: all before the week
    counted = ", ".join(
        f"{n} {short_label(str(c))}" for c, n in cats.value_counts().head(3).items()
    )
    return f"Åtgärd efter {period}: {counted}."
