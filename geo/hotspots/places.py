"""Statistics per named place (Lanna badgruva, Leken, Fjugesta centrum …), change vs last year."""

from __future__ import annotations

import logging
from collections.abc import Callable

import geopandas as gpd
import pandas as pd

from geo.hotspots._common import (
    MAX_PRECISION_M,
    counts_profile,
    hour_of_week,
    local_wall_time,
)
from geo.model import has_clock_time
from geo.sites import assign_places
from geo.timespan import local_time

logger = logging.getLogger(__name__)


def place_stats(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    end: pd.Timestamp | None = None,
    period_days: int = 90,
) -> gpd.GeoDataFrame:
    """Summarise incidents per place and theme/category, with the change vs last year.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at``, ``theme``, ``category``, optional ``place_id``
        (used first; otherwise the place the point lies in). Imprecise locations count
        when their ``place_id`` is set.
    places
        Places as returned by :func:`geo.sites.load_places`.
    end
        End of the reporting period (exclusive); default just after the last incident. The
        period is whole days: it ends at the midnight after ``end`` (an ``end`` at midnight
        ends there), so the dates it is shown with are the days it counts.
    period_days
        Length of the reporting period, in days, compared with the same days a year earlier.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place × (theme, category) with events, plus a ``("alla", "alla")`` row
        per place, also for a place without events (zeros: a quiet place is listed, not left
        out): ``place_id``, ``place_name``, ``kind``, ``theme``, ``category``
        (``"alla"`` on theme rows), ``n_events``, ``month_counts`` (12 counts by calendar
        month), ``monthly`` (dict ``"YYYY-MM"`` → count), ``how_profile`` (168 counts),
        ``period_start``/``period_end`` (ISO dates, the first and the last day counted),
        ``n_period``, ``n_period_last_year``
        (the same number of days a year earlier), ``change`` (difference), ``change_pct``
        (empty when last year had none), ``geometry`` (the place, EPSG:3006). The last three
        are empty when the data begin after last year's period starts: a count from before
        the first event would be a zero for want of data, not for want of events.
    """
    cols = [
        "place_id", "place_name", "kind", "theme", "category", "n_events", "month_counts",
        "monthly", "how_profile", "period_start", "period_end", "n_period",
        "n_period_last_year", "change", "change_pct", "geometry",
    ]  # fmt: skip
    # without incidents a period needs its end given: then every place has its zero row
    if places.empty or (incidents.empty and end is None):
        return gpd.GeoDataFrame(
            {c: [] for c in cols[:-1]}, geometry=gpd.GeoSeries([], crs=places.crs)
        )
    known = set(places["place_id"].astype(str))
    pid = incidents.get("place_id", pd.Series(None, index=incidents.index, dtype=object))
    pid = pid.where(pid.astype(str).isin(known), None)
    located = incidents.geometry.notna() & ~incidents.geometry.is_empty
    if "location_precision_m" in incidents.columns:
        located &= ~(
            pd.to_numeric(incidents["location_precision_m"], errors="coerce") > MAX_PRECISION_M
        )
    missing = pid.isna() & located
    if missing.any():
        pid = pid.copy()
        pid.loc[missing] = assign_places(incidents.geometry[missing], places)["place_id"]
    times = local_wall_time(incidents["occurred_at"])
    last = local_time(end) if end is not None else times.max() + pd.Timedelta(seconds=1)
    # whole days, so "2026-08-31 – 2026-11-28" counts those days and no part of another
    end_ts = (last - pd.Timedelta(microseconds=1)).normalize() + pd.Timedelta(days=1)
    start_ts = end_ts - pd.Timedelta(days=period_days)
    # last year's days, as many as this year's (29 February does not make them differ)
    ly_end = end_ts - pd.DateOffset(years=1)
    ly_start = ly_end - pd.Timedelta(days=period_days)
    # the data must reach back over last year's period, or its zeros mean "no data yet"
    comparable = bool(len(times)) and bool(ly_start >= times.min().normalize())
    df = pd.DataFrame(
        {
            "place_id": pid.astype(object),
            "theme": incidents["theme"].astype(str),
            "category": incidents["category"].astype(str),
            "t": times,
            "clock": has_clock_time(incidents),  # a report dated only has no hour to profile
        }
    ).dropna(subset=["place_id"])
    info = places.set_index(places["place_id"].astype(str))
    rows: list[dict[str, object]] = []
    period = {
        "period_start": start_ts.date().isoformat(),
        "period_end": (end_ts - pd.Timedelta(days=1)).date().isoformat(),
    }
    groupings: list[tuple[list[str], Callable[[pd.DataFrame], tuple[str, str]]]] = [
        (["place_id"], lambda g: ("alla", "alla")),
        (["place_id", "theme"], lambda g: (str(g["theme"].iloc[0]), "alla")),
        (["place_id", "category"], lambda g: (str(g["theme"].iloc[0]), str(g["category"].iloc[0]))),
    ]
    for keys, label in groupings:
        for key, g in df.groupby(keys, sort=True):
            place = str(key[0] if isinstance(key, tuple) else key)
            theme, category = label(g)
            t = g["t"]
            n_period = int(((t >= start_ts) & (t < end_ts)).sum())
            n_ly = int(((t >= ly_start) & (t < ly_end)).sum()) if comparable else None
            rows.append(
                {
                    "place_id": place,
                    "place_name": info.at[place, "name"],
                    "kind": info.at[place, "kind"],
                    "theme": theme,
                    "category": category,
                    "n_events": len(g),
                    "month_counts": counts_profile(t.dt.month.to_numpy() - 1, 12),
                    "monthly": {
                        str(k): int(v)
                        for k, v in t.dt.to_period("M").value_counts().sort_index().items()
                    },
                    "how_profile": counts_profile(hour_of_week(t[g["clock"]]), 168),
                    **period,
                    "n_period": n_period,
                    "n_period_last_year": n_ly,
                    "change": n_period - n_ly if n_ly is not None else None,
                    "change_pct": 100.0 * (n_period - n_ly) / n_ly if n_ly else None,
                    "geometry": info.at[place, "geometry"],
                }
            )
    quiet = sorted(known - set(df["place_id"].astype(str)))
    for place in quiet:
        rows.append(
            {
                "place_id": place, "place_name": info.at[place, "name"],
                "kind": info.at[place, "kind"], "theme": "alla", "category": "alla",
                "n_events": 0, "month_counts": [0] * 12, "monthly": {}, "how_profile": [0] * 168,
                **period, "n_period": 0, "n_period_last_year": 0 if comparable else None,
                "change": 0 if comparable else None, "change_pct": None,
                "geometry": info.at[place, "geometry"],
            }
        )  # fmt: skip
    logger.info(
        "place statistics: %d rows for %d places (%d without events)",
        len(rows), len(known), len(quiet),
    )  # fmt: skip
    return gpd.GeoDataFrame(rows, columns=cols, geometry="geometry", crs=places.crs)
