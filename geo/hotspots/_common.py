"""What every hotspot analysis shares: which incidents are located well enough, times, checks."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import settings
from geo.errors import DataError
from geo.pointperiod import main_period
from geo.projection import require_projected
from geo.timespan import covered_span, local_time, whole_steps

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: Incidents located less precisely than this (metres) are left out of every spatial analysis.
MAX_PRECISION_M = 1000.0
#: Fewest located events for any significance claim (ArcGIS Optimized Hot Spot Analysis needs 30).
MIN_EVENTS = 30
#: Swedish text used wherever the data are too few for a claim.
TOO_FEW = "för få händelser"


def spatial_incidents(
    incidents: gpd.GeoDataFrame, *, max_precision_m: float = MAX_PRECISION_M
) -> gpd.GeoDataFrame:
    """Keep the incidents located precisely enough for spatial analysis.

    Parameters
    ----------
    incidents
        Incidents in a projected CRS; ``location_precision_m`` may be missing (kept).
    max_precision_m
        Drop incidents whose ``location_precision_m`` exceeds this (e.g. police events placed
        at the kommun centroid).

    Returns
    -------
    geopandas.GeoDataFrame
        The kept rows (a copy), index reset; empty geometries are dropped too.
    """
    require_projected(incidents)
    keep = ~(incidents.geometry.is_empty | incidents.geometry.isna())
    if "location_precision_m" in incidents.columns:
        prec = pd.to_numeric(incidents["location_precision_m"], errors="coerce")
        keep &= ~(prec > max_precision_m)
    dropped = int((~keep).sum())
    if dropped:
        logger.info(
            "%d of %d incidents left out of spatial analysis (location less precise than %g m)",
            dropped,
            len(incidents),
            max_precision_m,
        )
    return incidents.loc[keep].reset_index(drop=True)


def hour_of_week(times: pd.Series) -> npt.NDArray[np.int64]:
    """Return the hour of the week of each time, Monday 00:00–00:59 = 0 … Sunday 23:xx = 167.

    Parameters
    ----------
    times
        Datetimes (tz-aware times are read in their own zone, i.e. local time).

    Returns
    -------
    numpy.ndarray
        int64 values in 0–167.
    """
    t = pd.to_datetime(times)
    return (t.dt.day_of_week.to_numpy() * 24 + t.dt.hour.to_numpy()).astype(np.int64)


def counts_profile(values: npt.NDArray[np.int64], size: int) -> list[int]:
    return [int(v) for v in np.bincount(values, minlength=size)[:size]]


def check_events(incidents: gpd.GeoDataFrame) -> None:
    require_projected(incidents)
    if "occurred_at" not in incidents.columns:
        msg = "Incidents need an 'occurred_at' column; read them with geo.store.read_incidents."
        raise DataError(msg)


def grid_area(
    incidents: gpd.GeoDataFrame,
    area: shapely.Geometry | tuple[float, float, float, float] | None,
    pad_m: float,
) -> shapely.Geometry | tuple[float, float, float, float]:
    if area is not None:
        return area
    left, bottom, right, top = incidents.total_bounds
    return (left - pad_m, bottom - pad_m, right + pad_m, top + pad_m)


def local_wall_time(times: pd.Series) -> pd.Series:
    t = pd.to_datetime(times)
    if t.dt.tz is not None:
        t = t.dt.tz_convert(settings.timezone).dt.tz_localize(None)
    return t


def step_range(
    times: pd.Series,
    freq: str,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.PeriodIndex:
    """Return the whole time steps (months ``"M"`` or weeks ``"W"``) an analysis runs over.

    Parameters
    ----------
    times
        The events' local wall-clock times (:func:`local_wall_time`), at least one.
    freq
        ``"M"`` or ``"W"``.
    start, end
        The time the data cover (tz-aware, or naive local time), ``end`` exclusive; each
        defaults to what ``times`` cover, as :func:`covered_period` reads it. Give them
        when ``times`` are a part of the data (one theme), whose quiet ends are no ends of
        the data: :func:`covered_period` of all events, or a report's window.

    Returns
    -------
    pandas.PeriodIndex
        The steps lying wholly in the time covered, oldest first; empty when none does. A
        month cut by an end of the data (imported to the 22nd) is no step: read as one, it
        holds few events, and every persistent hot spot in it reads as historical.
    """
    lo, hi = _main_span(times)
    return whole_steps(
        lo if start is None else local_time(start), hi if end is None else local_time(end), freq
    )


def covered_period(
    incidents: gpd.GeoDataFrame, *, end: pd.Timestamp | None = None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the time all the incidents cover, ended at ``end`` (now) when that is sooner.

    The time runs over the months of the data's main period
    (:func:`geo.pointperiod.main_period`: thin months at an end, each under 15 % of a
    typical month, are left out when they hold at most 5 % of the events), so a few early
    police events do not reach back a year and a half before the kommun's own reports
    began, where every hot spot would read as new (``konsekutiv``).

    Parameters
    ----------
    incidents
        Every incident of the analysis (all themes), at least one, with ``occurred_at``.
    end
        The time of the analysis (tz-aware or naive local); ``None``: the data's end.

    Returns
    -------
    tuple of pandas.Timestamp
        ``(start, end)`` as naive local times (:func:`geo.timespan.covered_span`).
    """
    lo, hi = _main_span(local_wall_time(incidents["occurred_at"]))
    return lo, hi if end is None else min(hi, local_time(end))


def _main_span(wall: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return :func:`geo.timespan.covered_span` of the times in their main period's months."""
    months = pd.PeriodIndex(wall.dt.to_period("M"))
    first, last = main_period(months)
    return covered_span(wall[(months >= first) & (months <= last)])
