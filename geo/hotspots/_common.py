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
from geo.projection import require_projected

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
    periods: pd.Series,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.PeriodIndex:
    """Return the whole time steps (months or weeks, local time) an analysis runs over.

    Parameters
    ----------
    periods
        The events' periods (``Series.dt.to_period``), non-empty; their frequency is the step.
    start
        First instant of the analysed time (tz-aware, or naive local time); default the first
        event's step.
    end
        End of the analysed time, exclusive (the time the data are complete to, e.g. now);
        the steps stop at the last one that has ended by then, so a month still under way
        is not read as a month with few events. Default: the last event's step, the data
        taken as complete through it.

    Returns
    -------
    pandas.PeriodIndex
        The steps, oldest first; empty when ``end`` leaves no whole step after ``start``.
    """
    freq = periods.dt.freq

    def local_step(t: pd.Timestamp) -> pd.Period:
        period: pd.Period = local_wall_time(pd.Series([pd.Timestamp(t)])).dt.to_period(freq).iloc[0]
        return period

    first = periods.min() if start is None else local_step(start)
    # the step holding ``end`` has not ended (or begins at ``end``): the one before is whole
    last = periods.max() if end is None else local_step(end) - 1
    if last < first:
        return pd.PeriodIndex([], freq=freq)
    return pd.period_range(first, last, freq=freq)
