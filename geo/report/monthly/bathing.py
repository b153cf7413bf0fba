"""Observations per bathing site in a month, suppressed once for every table that shows them.

The bathing-site table (``badplatser``) shows each site's count beside theme B's total, so a
small count is hidden together with a partner (:func:`~geo.report.monthly.tables.suppress_parts`);
the table of places (``platser``) must then not list that partner with its count, or the total
less it would give the small one back. Both read the counts here.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import months
from geo.report.monthly.selection import compared_periods, incidents_in
from geo.report.monthly.tables import suppress_parts
from geo.sites import bathing_site_of, bathing_sites, theme_mask


def bathing_counts(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    k: int,
    days: int | None = None,
) -> list[tuple[str, int | str]]:
    """Return each bathing site's observations in ``month`` as a shared table may show them.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` and ``place_id``.
    places
        Named places (the bathing sites are :func:`geo.sites.bathing_sites`).
    month
        ``YYYY-MM``.
    k
        Suppression threshold.
    days
        Count only the month's first ``days`` days
        (:func:`~geo.report.monthly.selection.compared_periods`): a report made before its
        month is over compares last year's same days, as the themes table does. A site whose
        whole month has 1 to ``k`` − 1 more than those days reads "–" (as a theme does,
        :func:`~geo.report.monthly.selection.compared_counts`: the whole month stands in last
        year's report), and so does every site when theme B's count over the days is hidden so.

    Returns
    -------
    list of tuple
        Per site, in the order of ``places``: its name and its count, or a marker (``"< k"``,
        ``"–"``) where it is hidden. The parts are suppressed against theme B's total of the
        same days (:func:`geo.sites.theme_mask` with ``shared=True``), which the report shows.
    """
    baths = bathing_sites(places)
    _, s, e = compared_periods(month, days=days)[0]
    whole_s, whole_e = months.month_bounds(month)

    def counted(start: pd.Timestamp, end: pd.Timestamp) -> tuple[list[int], int]:
        sel = incidents_in(incidents, start, end)
        counts = bathing_site_of(sel, places).value_counts()
        parts = [int(counts.get(pid, 0)) for pid in baths["place_id"]]
        total = int(theme_mask(sel, "B", places, shared=True).sum()) if len(sel) else 0
        return parts, total

    parts, total = counted(s, e)
    hide = [False] * len(parts)
    if (s, e) != (whole_s, whole_e):
        whole_parts, whole_total = counted(whole_s, whole_e)

        def gives_away(n: int, whole: int) -> bool:
            return 0 < whole - n < k and n >= k

        if gives_away(total, whole_total):
            hide = [True] * len(parts)
        else:
            hide = [gives_away(n, w) for n, w in zip(parts, whole_parts, strict=True)]
    shown = suppress_parts(parts, total=total, k=k, hide=hide)
    return list(zip((str(n) for n in baths["name"]), shown, strict=True))
