"""Observations per bathing site in a month, suppressed once for every table that shows them.

The bathing-site table (``badplatser``) shows each site's count beside theme B's total, so a
small count is hidden together with a partner (:func:`~geo.report.monthly.tables.suppress_parts`);
the table of places (``platser``) must then not list that partner with its count, or the total
less it would give the small one back. Both read the counts here.
"""

from __future__ import annotations

import geopandas as gpd

from geo import activity
from geo.report.monthly.selection import in_period
from geo.report.monthly.tables import suppress_parts
from geo.sites import bathing_site_of, bathing_sites, theme_mask


def bathing_counts(
    incidents: gpd.GeoDataFrame, places: gpd.GeoDataFrame, *, month: str, k: int
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

    Returns
    -------
    list of tuple
        Per site, in the order of ``places``: its name and its count, or a marker (``"< k"``,
        ``"–"``) where it is hidden. The parts are suppressed against theme B's total of the month
        (:func:`geo.sites.theme_mask` with ``shared=True``), which the report shows.
    """
    baths = bathing_sites(places)
    s, e = activity.month_bounds(month)
    sel = (
        incidents[in_period(incidents["occurred_at"], s, e).to_numpy()]
        if len(incidents)
        else incidents
    )
    counts = bathing_site_of(sel, places).value_counts()
    parts = [int(counts.get(pid, 0)) for pid in baths["place_id"]]
    total = int(theme_mask(sel, "B", places, shared=True).sum()) if len(sel) else 0
    shown = suppress_parts(parts, total=total, k=k)
    return list(zip((str(n) for n in baths["name"]), shown, strict=True))
