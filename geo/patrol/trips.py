"""The trips of a solved plan: when each leaves the entry point and is back out there."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from geo.patrol.plan import Plan

__all__ = ["TRIP_COLUMNS", "plan_trips"]

#: Columns of :func:`plan_trips`.
TRIP_COLUMNS: tuple[str, ...] = (
    "trip", "leave", "back", "drive_min", "drive_out_min", "drive_back_min", "orders", "starts",
)  # fmt: skip


def plan_trips(plan: Plan) -> pd.DataFrame:
    """Return each trip's times at the entry point: when to leave it and when back out.

    A trip leaves the entry point (``plan.meta["entry"]``, "Infart från Örebro"), drives
    ``drive_min_before`` to its first stop, visits its stops and drives back; the route's
    ``drive_min`` is all its driving. The leaving time is rounded down and the return up to
    the minute, so the trip's minutes on the road are never understated.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    pandas.DataFrame
        One row per trip, by trip number, columns :data:`TRIP_COLUMNS`: ``leave`` and
        ``back`` (local, tz-aware), ``drive_min`` (the trip's driving), ``drive_out_min``
        (to the first stop), ``drive_back_min`` (from the last stop), ``orders`` and
        ``starts`` (the stops' numbers and start times, in visiting order).
    """
    rows = []
    for trip, group in plan.stops.groupby("trip", sort=True):
        s = group.sort_values("start")
        before = (
            s["drive_min_before"].astype(float)
            if "drive_min_before" in s
            else pd.Series(0.0, index=s.index)
        )
        drives = plan.routes.loc[plan.routes["trip"] == trip, "drive_min"]
        drive = float(drives.iloc[0]) if len(drives) else float(before.sum())
        out_min = float(before.iloc[0])
        back_min = max(drive - float(before.sum()), 0.0)
        first = pd.Timestamp(s["start"].iloc[0])
        last = pd.Timestamp(s["end"].max() if "end" in s else s["start"].max())
        rows.append(
            {
                "trip": int(trip),
                "leave": (first - pd.Timedelta(minutes=out_min)).floor("min"),
                "back": (last + pd.Timedelta(minutes=back_min)).ceil("min"),
                "drive_min": drive,
                "drive_out_min": out_min,
                "drive_back_min": back_min,
                "orders": [int(o) for o in s["order"]],
                "starts": [pd.Timestamp(t) for t in s["start"]],
            }
        )
    return pd.DataFrame(rows, columns=list(TRIP_COLUMNS))
