"""The monthly follow-up for the crime-prevention council: HTML + PDF and CSV/XLSX tables."""

from __future__ import annotations

import base64
import importlib
import io
import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import activity, settings, store
from geo.model import CATEGORIES, THEMES, normalize_text
from geo.sites import load_places, theme_mask

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

#: Swedish month names, January first.
MONTHS_SV = activity.MONTHS_SV

#: Source id → source group shown in the report.
SOURCE_GROUPS: dict[str, str] = {
    "polis": "polis",
    "polisen_api": "polis",
    "kommun": "kommun",
    "kommun_est": "kommun",
    "kommun_traffic_spot": "kommun",
    "skola": "kommun",
    "socialtjanst": "kommun",
    "bevakning": "kommun",
    "bostadsbolag": "kommun",
    "medborgare": "medborgare",
    "syntetisk": "syntetisk",
}

#: Source group → Swedish column label.
SOURCE_GROUP_LABELS: dict[str, str] = {
    "polis": "Polisen",
    "kommun": "Kommunen",
    "medborgare": "Medborgare",
    "syntetisk": "Syntetiska exempeldata",
    "ovriga": "Övriga källor",
}

#: Bathing season (months) when the bathing-site section is shown.
BATHING_MONTHS: tuple[int, ...] = (5, 6, 7, 8, 9)
#: Season of motorburen problematik (Brå / Polisregion Bergslagen: grows in spring).
MOTOR_MONTHS: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 9)
#: The löfte's police presence per ISO week, in minutes.
PROMISE_MIN = 120
#: Months of history read for trends, emerging hot spots and the forecast.
HISTORY_MONTHS = 24
#: Grid cell of the aggregated top areas (metres).
AREA_CELL_SIZE_M = 1000.0

#: Patrol-log activity keywords (normalised) → control type; the activity plan's
#: ``patrol_controls`` count the same rows (:func:`geo.activity.control_type`).
CONTROL_TYPES = activity.CONTROL_TYPES
control_type = activity.control_type

_SPOT_IN_PROGRESS = ("bedomd", "atgard_planerad")


def month_label(month: str) -> str:
    """Return a month in Swedish, e.g. ``"november 2026"``.

    Parameters
    ----------
    month
        ``YYYY-MM``.

    Returns
    -------
    str
        The Swedish month name and year.
    """
    p = activity.parse_month(month)
    return f"{MONTHS_SV[p.month - 1]} {p.year}"


# ---------------------------------------------------------------------------- suppression


def suppress(n: int, *, k: int) -> int | str:
    """Return a count as it may be shown in a shared document.

    Parameters
    ----------
    n
        A count of incidents.
    k
        Smallest count shown.

    Returns
    -------
    int or str
        ``n`` when it is 0 or at least ``k``; otherwise ``"< k"`` (e.g. ``"< 5"``).
    """
    return int(n) if n == 0 or n >= k else f"< {k}"


def suppress_parts(parts: Sequence[int], *, total: int, k: int) -> list[int | str]:
    """Suppress small counts of a breakdown whose total is shown, so none can be derived.

    Counts from 1 to ``k - 1`` are suppressed; when the total is shown and exactly one part
    is suppressed, the smallest other nonzero part is suppressed too (otherwise the hidden
    one would be the total minus the others).

    Parameters
    ----------
    parts
        Counts that add up to ``total``.
    total
        Their sum, shown elsewhere in the report.
    k
        Smallest count shown.

    Returns
    -------
    list
        The parts as shown (int or ``"< k"``; a complementary suppression shows ``"–"``).
    """
    hidden = [0 < n < k for n in parts]
    if (total == 0 or total >= k) and sum(hidden) == 1:
        others = [(n, i) for i, n in enumerate(parts) if n > 0 and not hidden[i]]
        if others:
            hidden[min(others)[1]] = True
    return [
        (f"< {k}" if parts[i] < k else "–") if hidden[i] else int(parts[i])
        for i in range(len(parts))
    ]


# ---------------------------------------------------------------------------- containers


@dataclass
class Table:
    """One table of the report, as shown and exported.

    Attributes
    ----------
    name
        File-safe id (CSV file name, XLSX sheet name).
    title
        Swedish caption.
    frame
        The table as shown: counts of incidents are already suppressed.
    event_counts
        Columns holding counts of incidents (k-suppressed; checked by the privacy test).
    """

    name: str
    title: str
    frame: pd.DataFrame
    event_counts: tuple[str, ...] = ()


@dataclass
class FocusItem:
    """A suggested focus for next month.

    Attributes
    ----------
    theme
        Löfte theme id.
    title
        Swedish headline.
    reasons
        Swedish sentences, each traceable to a table or the forecast.
    """

    theme: str
    title: str
    reasons: list[str]


@dataclass
class MonthlyReport:
    """Everything the monthly follow-up shows.

    Attributes
    ----------
    month
        ``YYYY-MM``.
    k
        Suppression threshold used.
    tables
        Tables by name, in report order.
    charts
        PNG data URIs by name.
    notes
        Swedish sentences by section key.
    focus
        Next month's suggested focus.
    """

    month: str
    k: int
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    focus: list[FocusItem] = field(default_factory=list)

    def add(self, table: Table) -> None:
        """Add a table (replacing one with the same name)."""
        self.tables[table.name] = table

    def note(self, section: str, text: str) -> None:
        """Add a Swedish sentence to a section."""
        self.notes.setdefault(section, []).append(text)


@dataclass
class ReportInputs:
    """What the report reads from the store, gathered once.

    Attributes
    ----------
    incidents
        Incidents of the history window (EPSG:3006, ``occurred_at`` tz-aware).
    places
        Named places (:func:`geo.sites.load_places`).
    plan
        The activity plan (:func:`geo.activity.load_plan`).
    activity_log
        The activity log (:func:`geo.activity.read_activity_log`).
    patrol_log
        The patrol log (:func:`geo.patrol_log.read_log`), or ``None`` when unavailable.
    weekly_minutes
        Police minutes per ISO week of the month (:func:`geo.patrol_log.minutes_per_week`),
        or ``None``.
    spots
        Kommun traffic spots (:func:`geo.spots.read_spots`), or ``None``.
    spot_changes
        Their audit trail (:func:`geo.spots.read_changes`), or ``None``.
    """

    incidents: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    plan: pd.DataFrame
    activity_log: pd.DataFrame
    patrol_log: pd.DataFrame | None = None
    weekly_minutes: pd.DataFrame | None = None
    spots: gpd.GeoDataFrame | None = None
    spot_changes: pd.DataFrame | None = None


# ---------------------------------------------------------------------------- helpers


def _in(times: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    t = pd.to_datetime(times)
    return (t >= start) & (t < end)


def _source_group(source: pd.Series) -> pd.Series:
    return source.map(SOURCE_GROUPS).fillna("ovriga")


def _nearest_place_names(points: gpd.GeoSeries, places: gpd.GeoDataFrame) -> list[str]:
    if places.empty:
        return ["–"] * len(points)
    anchors = places.geometry.representative_point().to_numpy()
    names = places["name"].to_numpy()
    out = []
    for p in points.to_numpy():
        d = shapely.distance(anchors, p)
        out.append(str(names[int(np.argmin(d))]))
    return out


def _theme_incidents(
    incidents: gpd.GeoDataFrame, theme: str, places: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    if incidents.empty:
        return incidents
    return incidents[theme_mask(incidents, theme, places).to_numpy()]


def _png_data_uri(draw: Callable[[Figure], None], *, size_in: tuple[float, float]) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=size_in, dpi=150, layout="constrained")
    draw(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# ---------------------------------------------------------------------------- sections


def theme_tables(
    incidents: gpd.GeoDataFrame, places: gpd.GeoDataFrame, *, month: str, k: int
) -> list[Table]:
    """Count observations per theme: this month, last month, same month last year; by source.

    Parameters
    ----------
    incidents
        Incidents covering at least the month and the twelve before it.
    places
        Named places (B counts incidents at bathing sites, :func:`geo.sites.theme_mask`).
    month
        ``YYYY-MM``.
    k
        Suppression threshold.

    Returns
    -------
    list of Table
        ``teman`` (theme × three months) and ``kallor`` (theme × source group, this month).
    """
    p = activity.parse_month(month)
    periods = [p, p - 1, p - 12]
    bounds = [activity.month_bounds(str(q)) for q in periods]
    rows, src_rows = [], []
    groups = [g for g in SOURCE_GROUP_LABELS if g != "ovriga"]
    month_groups = _source_group(incidents["source"]) if len(incidents) else pd.Series(dtype=str)
    if len(month_groups) and (month_groups == "ovriga").any():
        groups.append("ovriga")
    for theme, label in THEMES.items():
        mask = theme_mask(incidents, theme, places) if len(incidents) else pd.Series(dtype=bool)
        counts = [
            int((mask & _in(incidents["occurred_at"], s, e)).sum()) if len(incidents) else 0
            for s, e in bounds
        ]
        rows.append([label, *(suppress(n, k=k) for n in counts)])
        if len(incidents):
            this = mask & _in(incidents["occurred_at"], *bounds[0])
            by = month_groups[this].value_counts()
            parts = [int(by.get(g, 0)) for g in groups]
        else:
            parts = [0] * len(groups)
        shown = suppress_parts(parts, total=counts[0], k=k)
        src_rows.append([label, suppress(counts[0], k=k), *shown])
    cols = ["Tema", *(month_label(str(q)) for q in periods)]
    src_cols = ["Tema", "Totalt", *(SOURCE_GROUP_LABELS[g] for g in groups)]
    return [
        Table(
            "teman",
            "Observationer per tema: denna månad, förra månaden och samma månad i fjol",
            pd.DataFrame(rows, columns=cols),
            tuple(cols[1:]),
        ),
        Table(
            "kallor",
            f"Observationer per tema och källa, {month_label(month)}",
            pd.DataFrame(src_rows, columns=src_cols),
            tuple(src_cols[1:]),
        ),
    ]


def top_areas(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    k: int,
    top: int = 5,
    cell_size_m: float = AREA_CELL_SIZE_M,
) -> Table:
    """List the places and grid cells with most observations per theme this month (aggregated).

    Incidents at a named place count for that place; the others are aggregated to grid
    cells with :func:`geo.privacy.aggregate_for_sharing`. A place or cell is listed only
    with at least ``k`` observations, and the remainder row is merged with listed rows
    until it is 0 or at least ``k`` (so no hidden count follows from the theme total).

    Parameters
    ----------
    incidents
        Incidents.
    places
        Named places.
    month
        ``YYYY-MM``.
    k
        Suppression threshold.
    top
        Most rows per theme (before the remainder row).
    cell_size_m
        Grid cell side for incidents outside named places.

    Returns
    -------
    Table
        ``platser``: ``Tema``, ``Plats eller område``, ``Ruta``, ``Observationer``.
    """
    from geo.privacy import aggregate_for_sharing

    start, end = activity.month_bounds(month)
    rows: list[list[Any]] = []
    for theme, label in THEMES.items():
        sub = _theme_incidents(incidents, theme, places)
        if len(sub):
            sub = sub[_in(sub["occurred_at"], start, end).to_numpy()]
        total = len(sub)
        if total == 0:
            continue
        named = sub["place_name"].notna() & (sub["place_name"].astype(str).str.strip() != "")
        candidates: list[tuple[int, str, str]] = [
            (int(n), str(name), "–")
            for name, n in sub[named.to_numpy()].groupby("place_name").size().items()
        ]
        unnamed = sub[~named.to_numpy()]
        if len(unnamed):
            cells = aggregate_for_sharing(
                unnamed.assign(theme=theme), cell_size_m=cell_size_m, k=k, time_band="month"
            )
            names = _nearest_place_names(cells.geometry.centroid, places)
            candidates += [
                (int(n), f"{cell_size_m / 1000:g} km-ruta nära {nm}", str(cid))
                for n, nm, cid in zip(cells["n_events"], names, cells["cell_id"], strict=True)
            ]
        listed = sorted((c for c in candidates if c[0] >= k), key=lambda c: (-c[0], c[1]))[:top]
        rest = total - sum(c[0] for c in listed)
        while 0 < rest < k and listed:
            rest += listed.pop()[0]
        rows += [[label, name, cid, n] for n, name, cid in listed]
        if rest:
            where = "Övriga platser och rutor" if listed else f"Alla platser (ingen med minst {k})"
            rows.append([label, where, "–", suppress(rest, k=k)])
    frame = pd.DataFrame(rows, columns=["Tema", "Plats eller område", "Ruta", "Observationer"])
    return Table(
        "platser",
        f"Platser och områden med flest observationer, {month_label(month)}",
        frame,
        ("Observationer",),
    )


def trend_table(
    incidents: gpd.GeoDataFrame, places: gpd.GeoDataFrame, *, month: str, k: int
) -> tuple[Table, pd.DataFrame]:
    """Count observations per theme and month over the 13 months ending with ``month``.

    Parameters
    ----------
    incidents
        Incidents covering the 13 months.
    places
        Named places.
    month
        ``YYYY-MM``, the last month.
    k
        Suppression threshold.

    Returns
    -------
    tuple
        The ``trend`` table (suppressed) and the raw counts (index months, columns themes)
        for the chart, which draws suppressed months as hatched bars.
    """
    p = activity.parse_month(month)
    months = [str(p - i) for i in range(12, -1, -1)]
    raw = pd.DataFrame(0, index=months, columns=list(THEMES), dtype=int)
    if len(incidents):
        labels = pd.to_datetime(incidents["occurred_at"]).dt.strftime("%Y-%m")
        for theme in THEMES:
            mask = theme_mask(incidents, theme, places).to_numpy()
            counts = labels[mask].value_counts()
            raw[theme] = [int(counts.get(m, 0)) for m in months]
    shown = raw.map(lambda n: suppress(int(n), k=k)).astype(object)
    frame = shown.rename(columns=THEMES)
    frame.insert(0, "Månad", [month_label(m) for m in months])
    table = Table(
        "trend",
        "Observationer per månad och tema, 13 månader",
        frame.reset_index(drop=True),
        tuple(THEMES.values()),
    )
    return table, raw


def trend_chart(raw: pd.DataFrame, *, k: int) -> str:
    """Draw the 13-month trend per theme as a PNG data URI (suppressed months hatched).

    Parameters
    ----------
    raw
        Counts, index months ``YYYY-MM``, columns theme ids.
    k
        Suppression threshold: counts from 1 to ``k - 1`` are drawn as a hatched bar of
        height ``k`` without their value.

    Returns
    -------
    str
        ``data:image/png;base64,...``.
    """
    labels = [f"{MONTHS_SV[int(m[5:]) - 1][:3]}\n{m[2:4]}" for m in raw.index]
    x = np.arange(len(raw))

    def draw(fig: Figure) -> None:
        axes = fig.subplots(2, 2, sharex=True)
        for ax, theme in zip(axes.flat, THEMES, strict=True):
            values = raw[theme].to_numpy()
            small = (values > 0) & (values < k)
            shown = np.where(small, 0, values)
            ax.bar(x, shown, color="#2b6cb0", width=0.7)
            ax.bar(
                x[small],
                np.full(int(small.sum()), k),
                color="none",
                edgecolor="#999999",
                hatch="///",
                width=0.7,
                label=f"färre än {k} (visas ej)",
            )
            ax.set_title(THEMES[theme], fontsize=9)
            ax.tick_params(labelsize=6)
            ax.set_xticks(x, labels)
            ax.grid(axis="y", color="#dddddd", linewidth=0.5)
            ax.set_axisbelow(True)
            if small.any():
                ax.legend(fontsize=6, loc="upper left", frameon=False)
        fig.supylabel("observationer", fontsize=8)

    return _png_data_uri(draw, size_in=(7.2, 3.6))


def emerging_changes(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    cell_size_m: float = 500.0,
    history_months: int = HISTORY_MONTHS,
) -> tuple[Table, list[str]]:
    """Compare emerging-hot-spot classes at the end of the month with those a month earlier.

    Runs :func:`geo.hotspots.emerging_hotspots` per theme over the ``history_months`` monthly
    steps ending with ``month`` and with the month before, and counts the cells whose class
    changed. Cells are shown only as counts per change with the nearest named places.

    Parameters
    ----------
    incidents
        Incidents of the history window.
    places
        Named places.
    month
        ``YYYY-MM``.
    cell_size_m
        Grid cell side.
    history_months
        Monthly steps per run.

    Returns
    -------
    tuple
        The ``hotspotforandringar`` table (``Tema``, ``Förra månaden``, ``Denna månad``,
        ``Rutor``, ``Närmaste platser``) and Swedish notes (themes with too few events).
    """
    from geo.hotspots import TOO_FEW, emerging_hotspots, spatial_incidents

    p = activity.parse_month(month)
    rows: list[list[Any]] = []
    notes: list[str] = []
    for theme, label in THEMES.items():
        sub = spatial_incidents(_theme_incidents(incidents, theme, places))
        runs = []
        for last in (p, p - 1):
            start = activity.month_bounds(str(last - (history_months - 1)))[0]
            end = activity.month_bounds(str(last))[1]
            window = sub[_in(sub["occurred_at"], start, end).to_numpy()] if len(sub) else sub
            runs.append(emerging_hotspots(window, cell_size_m=cell_size_m))
        now, before = runs
        if now.empty or (now["pattern"] == TOO_FEW).all():
            notes.append(f"{label}: {TOO_FEW} för en analys av framväxande hotspots.")
            continue
        merged = now[["cell_id", "pattern", "geometry"]].merge(
            before[["cell_id", "pattern"]], on="cell_id", how="left", suffixes=("", "_before")
        )
        merged["pattern_before"] = merged["pattern_before"].fillna("inget mönster")
        changed = merged[merged["pattern"] != merged["pattern_before"]]
        if changed.empty:
            notes.append(f"{label}: inga rutor bytte klass jämfört med förra månaden.")
            continue
        changed = changed.assign(
            near=_nearest_place_names(gpd.GeoSeries(changed.geometry).centroid, places)
        )
        for (b, a), grp in changed.groupby(["pattern_before", "pattern"], sort=True):
            near = ", ".join(sorted(set(grp["near"]))[:4])
            rows.append([label, b, a, len(grp), near])
    frame = pd.DataFrame(
        rows, columns=["Tema", "Förra månaden", "Denna månad", "Rutor", "Närmaste platser"]
    )
    title = (
        f"Framväxande hotspots ({cell_size_m:g} m-rutor, {history_months} månader): "
        "klasser som ändrats sedan förra månaden"
    )
    return Table("hotspotforandringar", title, frame), notes


def police_presence(
    weekly_minutes: pd.DataFrame, *, month: str, promise_min: int = PROMISE_MIN
) -> Table:
    """Show police minutes per ISO week of the month against the promise.

    Parameters
    ----------
    weekly_minutes
        From :func:`geo.patrol_log.minutes_per_week` (``iso_week``, ``minutes``, ``met``).
    month
        ``YYYY-MM``; its weeks are those whose Thursday falls in it.
    promise_min
        The promised minutes per week.

    Returns
    -------
    Table
        ``polisnarvaro``: ``Vecka``, ``Minuter``, ``Löfte (minuter)``, ``Uppfyllt``.
    """
    weeks = activity.iso_weeks_of_month(month)
    by_week = weekly_minutes.set_index("iso_week")
    rows = []
    for week in weeks:
        minutes = round(float(by_week["minutes"].get(week, 0.0)))
        met = bool(by_week["met"].get(week, False))
        rows.append([week, minutes, promise_min, "ja" if met else "nej"])
    frame = pd.DataFrame(rows, columns=["Vecka", "Minuter", "Löfte (minuter)", "Uppfyllt"])
    return Table("polisnarvaro", "Polisens närvaro per ISO-vecka mot löftet", frame)


def _places_of(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value if str(v).strip()]
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return [str(v) for v in parsed if str(v).strip()]
    return [v.strip() for v in text.replace(";", ",").split(",") if v.strip()]


def controls_table(patrol_log: pd.DataFrame, *, month: str) -> Table:
    """Count traffic controls in the month by type, with the places where they were held.

    Parameters
    ----------
    patrol_log
        From :func:`geo.patrol_log.read_log` (``start``, ``activity``, ``places``).
    month
        ``YYYY-MM``.

    Returns
    -------
    Table
        ``kontroller``: ``Kontrolltyp``, ``Tillfällen``, ``Minuter``, ``Platser``.
    """
    rows = []
    if len(patrol_log):
        kinds = activity.patrol_controls_in_month(patrol_log, month=month)
        log = patrol_log.loc[kinds.index]
        for kind in CONTROL_TYPES:
            sel = log[(kinds == kind).to_numpy()]
            if sel.empty:
                rows.append([kind.capitalize(), 0, 0, "–"])
                continue
            where = sorted({p for v in sel["places"] for p in _places_of(v)})
            minutes = round(float(pd.to_numeric(sel["minutes"]).sum()))
            rows.append([kind.capitalize(), len(sel), minutes, ", ".join(where) or "–"])
    else:
        rows = [[kind.capitalize(), 0, 0, "–"] for kind in CONTROL_TYPES]
    frame = pd.DataFrame(rows, columns=["Kontrolltyp", "Tillfällen", "Minuter", "Platser"])
    return Table("kontroller", f"Kontroller per typ och plats, {month_label(month)}", frame)


def _after_status(after: object) -> str | None:
    """Return the ``status`` in an audit row's ``after`` JSON, or ``None``."""
    try:
        data = json.loads(str(after))
    except (json.JSONDecodeError, TypeError):
        return None
    status = data.get("status") if isinstance(data, dict) else None
    return str(status) if status is not None else None


def status_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Return the audit rows that set a status, parsed: ``spot_id``, ``at`` (local), ``status``.

    Parameters
    ----------
    changes
        From :func:`geo.spots.read_changes`, oldest first.

    Returns
    -------
    pandas.DataFrame
        One row per audit row whose ``after`` JSON has a ``status``, in the same order.
    """
    if not len(changes):
        return pd.DataFrame({"spot_id": [], "at": pd.to_datetime([], utc=True), "status": []})
    at = pd.to_datetime(changes["changed_at"], utc=True, format="ISO8601").dt.tz_convert(
        settings.timezone
    )
    parsed = pd.DataFrame(
        {
            "spot_id": changes["spot_id"].astype(str).to_numpy(),
            "at": at.to_numpy(),
            "status": [_after_status(a) for a in changes["after"]],
        }
    )
    return parsed[parsed["status"].notna()].reset_index(drop=True)


def status_at(spots: pd.DataFrame, changes: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    """Return each spot's status as it was just before ``when``, from the audit trail.

    A report for a past month must show the spots as they stood then, not as they stand
    on the day it is printed.

    Parameters
    ----------
    spots
        From :func:`geo.spots.read_spots` (``spot_id``, ``status``).
    changes
        From :func:`status_changes`.
    when
        Tz-aware moment (e.g. the first instant of the next month).

    Returns
    -------
    pandas.Series
        Status per row of ``spots`` (same index); the current status where the trail says
        nothing before ``when``.
    """
    status = dict(zip(spots["spot_id"].astype(str), spots["status"].astype(str), strict=True))
    earlier = changes[changes["at"] < when]
    for sid, then in zip(earlier["spot_id"], earlier["status"], strict=True):
        if sid in status:
            status[sid] = then
    return pd.Series([status[str(s)] for s in spots["spot_id"]], index=spots.index, dtype=object)


def spot_tables(
    spots: gpd.GeoDataFrame,
    changes: pd.DataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
) -> list[Table]:
    """Summarise the kommun's traffic spots: new, waiting, in progress, resolved this month.

    Waiting and in progress count each spot's status at the end of the month
    (:func:`status_at`), so a report for a past month does not change afterwards.

    Parameters
    ----------
    spots
        From :func:`geo.spots.read_spots`.
    changes
        From :func:`geo.spots.read_changes` (``changed_at`` UTC text, ``after`` JSON).
    places
        Named places (the resolved list names the nearest one, never the description).
    month
        ``YYYY-MM``.

    Returns
    -------
    list of Table
        ``trafikplatser`` (per category) and ``trafikplatser_atgardade`` (resolved ones).
    """
    from geo.spots import OWNERS, SPOT_CATEGORIES

    start, end = activity.month_bounds(month)
    existing = spots[pd.to_datetime(spots["created_at"]) < end] if len(spots) else spots
    history = status_changes(changes)
    in_month = (history["at"] >= start) & (history["at"] < end)
    resolved_ids = set(history.loc[in_month & (history["status"] == "atgardad"), "spot_id"])
    if len(existing):
        existing = existing.assign(status=status_at(existing, history, end))
    rows: list[list[Any]] = []
    for cat, label in SPOT_CATEGORIES.items():
        sel = existing[existing["category"] == cat] if len(existing) else existing
        new = int(_in(sel["created_at"], start, end).sum()) if len(sel) else 0
        waiting = int((sel["status"] == "ny").sum()) if len(sel) else 0
        busy = int(sel["status"].isin(_SPOT_IN_PROGRESS).sum()) if len(sel) else 0
        done = int(sel["spot_id"].astype(str).isin(resolved_ids).sum()) if len(sel) else 0
        if new or waiting or busy or done:
            rows.append([label, new, waiting, busy, done])
    cols = [
        "Kategori",
        "Nya i månaden",
        "Väntar på bedömning",
        "Under arbete",
        "Åtgärdade i månaden",
    ]
    if rows:
        rows.append(["Totalt", *(sum(int(r[i]) for r in rows) for i in range(1, len(cols)))])
    frame = pd.DataFrame(rows, columns=cols)
    done_spots = (
        existing[existing["spot_id"].astype(str).isin(resolved_ids)] if len(existing) else existing
    )
    near = _nearest_place_names(gpd.GeoSeries(done_spots.geometry).centroid, places)
    resolved = pd.DataFrame(
        {
            "Kategori": [SPOT_CATEGORIES.get(c, c) for c in done_spots["category"]],
            "Ansvarig": [OWNERS.get(o, o) for o in done_spots["owner"]],
            "Närmaste plats": near,
        },
        columns=["Kategori", "Ansvarig", "Närmaste plats"],
    )
    return [
        Table("trafikplatser", f"Kommunens markerade trafikplatser, {month_label(month)}", frame),
        Table(
            "trafikplatser_atgardade",
            f"Trafikplatser åtgärdade i {month_label(month)}",
            resolved.sort_values(["Kategori", "Närmaste plats"]).reset_index(drop=True),
        ),
    ]


def bathing_table(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    patrol_log: pd.DataFrame | None,
    *,
    month: str,
    k: int,
) -> Table:
    """Count observations and police visits at each bathing site in the month.

    Parameters
    ----------
    incidents
        Incidents covering the month and the same month last year.
    places
        Named places (``kind == "badplats"``).
    patrol_log
        The patrol log, or ``None``.
    month
        ``YYYY-MM``.
    k
        Suppression threshold (with complementary suppression against the B total).

    Returns
    -------
    Table
        ``badplatser``: ``Badplats``, the month, the same month last year, ``Polisbesök``.
    """
    p = activity.parse_month(month)
    baths = places[places["kind"] == "badplats"]
    cols = ["Badplats", month_label(month), month_label(str(p - 12)), "Polisbesök"]
    per_period: list[list[int]] = []
    totals: list[int] = []
    for q in (p, p - 12):
        s, e = activity.month_bounds(str(q))
        sel = (
            incidents[_in(incidents["occurred_at"], s, e).to_numpy()]
            if len(incidents)
            else incidents
        )
        counts = sel["place_id"].value_counts() if len(sel) else pd.Series(dtype=int)
        per_period.append([int(counts.get(pid, 0)) for pid in baths["place_id"]])
        totals.append(int(theme_mask(sel, "B", places).sum()) if len(sel) else 0)
    shown = [
        suppress_parts(parts, total=total, k=k)
        for parts, total in zip(per_period, totals, strict=True)
    ]
    visits = [0] * len(baths)
    if patrol_log is not None and len(patrol_log):
        s, e = activity.month_bounds(month)
        log = patrol_log[_in(patrol_log["start"], s, e).to_numpy()]
        visited = [{normalize_text(x) for x in _places_of(v)} for v in log["places"]]
        for i, row in enumerate(baths.itertuples()):
            keys = {normalize_text(str(row.name)), normalize_text(str(row.place_id))}
            keys |= {normalize_text(str(a)) for a in row.aliases}
            visits[i] = sum(1 for v in visited if v & keys)
    rows = [[name, shown[0][i], shown[1][i], visits[i]] for i, name in enumerate(baths["name"])]
    return Table(
        "badplatser",
        f"Badplatser: observationer och polisbesök, {month_label(month)}",
        pd.DataFrame(rows, columns=cols),
        tuple(cols[1:3]),
    )


def activity_table(status: pd.DataFrame) -> Table:
    """Show the activity plan's status this month per line and executor.

    Parameters
    ----------
    status
        From :func:`geo.activity.activity_status`.

    Returns
    -------
    Table
        ``aktivitetsplan``: ``Id``, ``Tema``, ``Aktivitet``, ``Utförare``, ``Planerat``,
        ``Genomfört``, ``Status``.
    """
    frame = pd.DataFrame(
        {
            "Id": status["activity_id"],
            "Tema": status["theme"],
            "Aktivitet": status["text"],
            "Utförare": status["executor_label"],
            "Planerat": status["planned"].astype(int),
            "Genomfört": status["done"].astype(int),
            "Status": status["status_label"],
        }
    )
    return Table("aktivitetsplan", "Aktivitetsplanen: status denna månad per utförare", frame)


def _compared(now: int, other: int, what: str, *, k: int) -> str:
    def shown(n: int) -> str:
        return str(n) if n == 0 or n >= k else f"färre än {k}"

    if 0 < now < k and 0 < other < k:  # both hidden: their order is not shown either
        return f"{what} också färre än {k}"
    if now > other:
        word = "fler än"
    elif now < other:
        word = "färre än"
    else:
        word = "lika många som"
    return f"{word} {what} ({shown(other)})"


def change_reason(now: int, last: int, year: int, *, month: str, k: int) -> str:
    """Say how a theme's count this month compares with last month and the same month last year.

    Parameters
    ----------
    now, last, year
        Observations this month, last month and the same month last year.
    month
        ``YYYY-MM``, this month.
    k
        Suppression threshold: counts from 1 to ``k - 1`` read "färre än k", and two such
        counts are not compared.

    Returns
    -------
    str
        E.g. ``"9 observationer i oktober 2026: fler än förra månaden (6), lika många som
        samma månad i fjol (9)."``
    """
    head = str(now) if now == 0 or now >= k else f"färre än {k}"
    return (
        f"{head} observationer i {month_label(month)}: "
        f"{_compared(now, last, 'förra månaden', k=k)}, "
        f"{_compared(now, year, 'samma månad i fjol', k=k)}."
    )


def next_month_focus(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    k: int,
    status: pd.DataFrame,
    forecast_method: str = "default",
    top: int = 3,
) -> tuple[list[FocusItem], list[str]]:
    """Suggest next month's focus per theme from the forecast, the trends and the plan.

    Themes are ranked by the expected observations next month (the forecast of the first
    ISO week of next month, :func:`geo.forecast.forecast_week`, times the month's weeks),
    with reasons: the expected count and where, the change against last month and last
    year, the season (bathing sites May–September, motorburen March–September) and plan
    lines not done this month.

    Parameters
    ----------
    incidents
        Incidents up to the end of ``month``.
    places
        Named places.
    month
        ``YYYY-MM``; the focus is for the month after.
    k
        Suppression threshold (counts in reasons below ``k`` read "färre än k").
    status
        From :func:`geo.activity.activity_status` for ``month``.
    forecast_method
        Method of :func:`geo.forecast.forecast_week`.
    top
        Most focus items.

    Returns
    -------
    tuple
        Focus items (best first) and Swedish notes (e.g. too few events for a forecast).
    """
    from geo.forecast import forecast_week

    p = activity.parse_month(month)
    nxt = str(p + 1)
    weeks = activity.iso_weeks_of_month(nxt)
    _, end = activity.month_bounds(month)
    history = (
        incidents[pd.to_datetime(incidents["occurred_at"]) < end] if len(incidents) else incidents
    )
    notes: list[str] = []
    expected = dict.fromkeys(THEMES, 0.0)
    where: dict[str, list[str]] = {t: [] for t in THEMES}
    fc = forecast_week(history, week=weeks[0], method=forecast_method) if len(history) else None
    if fc is None or fc.empty:
        notes.append("För få händelser för en prognos; fokus bygger på säsong och aktivitetsplan.")
    else:
        near = _nearest_place_names(fc.geometry.centroid, places)
        fc = fc.assign(near=near)
        for t in THEMES:
            expected[t] = float(fc[f"risk_{t}"].sum()) * len(weeks)
            ranked = fc.sort_values(f"risk_{t}", ascending=False)
            where[t] = list(dict.fromkeys(ranked["near"].head(8)))[:3]
    counts: dict[str, list[int]] = {}
    for t in THEMES:
        mask = theme_mask(incidents, t, places) if len(incidents) else pd.Series(dtype=bool)
        counts[t] = [
            int((mask & _in(incidents["occurred_at"], *activity.month_bounds(str(q)))).sum())
            if len(incidents)
            else 0
            for q in (p, p - 1, p - 12)
        ]

    def shown(n: int) -> str:
        return str(n) if n == 0 or n >= k else f"färre än {k}"

    items = []
    for t in sorted(THEMES, key=lambda t: -expected[t]):
        reasons = []
        if expected[t] >= 0.5:
            n = round(expected[t])
            place_text = f", främst kring {', '.join(where[t])}" if where[t] else ""
            reasons.append(
                f"Prognosen väntar omkring {shown(n)} observationer i "
                f"{month_label(nxt)}{place_text}."
            )
        now, last, year = counts[t]
        if now >= k and now > last:
            reasons.append(change_reason(now, last, year, month=month, k=k))
        nxt_month = (p + 1).month
        if t == "B" and nxt_month in BATHING_MONTHS:
            reasons.append("Badsäsongen (maj–september) pågår nästa månad.")
        if t == "T" and nxt_month in MOTOR_MONTHS:
            reasons.append("Motorburen problematik ökar under vår och sommar (Brå).")
        undone = status[(status["theme"] == t) & status["status"].isin(["not_done", "partly"])]
        if len(undone):
            lines = ", ".join(
                f"{r.activity_id} ({r.executor_label}: {r.status_label})"
                for r in undone.itertuples()
            )
            reasons.append(
                f"Aktiviteter som inte genomfördes fullt ut i {month_label(month)}: {lines}."
            )
        if t == "B" and nxt_month not in BATHING_MONTHS:
            continue
        if reasons:
            items.append(FocusItem(t, THEMES[t], reasons))
    return items[:top], notes


# ---------------------------------------------------------------------------- compute


def compute_report(
    inputs: ReportInputs,
    *,
    month: str,
    k: int | None = None,
    emerging_cell_size_m: float = 500.0,
    forecast_method: str = "default",
) -> MonthlyReport:
    """Build every table, chart and note of the monthly follow-up (no files read or written).

    Parameters
    ----------
    inputs
        What the store holds (:func:`collect_inputs`).
    month
        ``YYYY-MM``.
    k
        Suppression threshold; default ``settings.privacy_k``.
    emerging_cell_size_m
        Grid cell of the emerging-hot-spot comparison.
    forecast_method
        Method of :func:`geo.forecast.forecast_week` for next month's focus.

    Returns
    -------
    MonthlyReport
        The report's content.
    """
    k = settings.privacy_k if k is None else int(k)
    month = str(activity.parse_month(month))
    _, end = activity.month_bounds(month)
    inc = inputs.incidents
    if len(inc):
        inc = inc[pd.to_datetime(inc["occurred_at"]) < end]
    places = inputs.places
    report = MonthlyReport(month=month, k=k)
    if len(inc) and (inc["source"] == "syntetisk").any():
        report.note(
            "intro",
            "Rapporten bygger helt eller delvis på syntetiska exempeldata (källan "
            "”Syntetiska exempeldata”); de beskriver inga verkliga händelser.",
        )
    for table in theme_tables(inc, places, month=month, k=k):
        report.add(table)
    report.add(top_areas(inc, places, month=month, k=k))
    trend, raw = trend_table(inc, places, month=month, k=k)
    report.add(trend)
    report.charts["trend"] = trend_chart(raw, k=k)
    emerging, notes = emerging_changes(inc, places, month=month, cell_size_m=emerging_cell_size_m)
    report.add(emerging)
    for n in notes:
        report.note("hotspots", n)
    if inputs.weekly_minutes is not None:
        presence = police_presence(inputs.weekly_minutes, month=month)
        report.add(presence)
        met = int((presence.frame["Uppfyllt"] == "ja").sum())
        report.note(
            "polis",
            f"Löftet om minst {PROMISE_MIN} minuter uppfylldes {met} av "
            f"{len(presence.frame)} veckor.",
        )
    else:
        report.note("polis", "Patrulloggen saknas i lagret; polisens närvaro kan inte redovisas.")
    report.add(
        controls_table(
            inputs.patrol_log
            if inputs.patrol_log is not None
            else pd.DataFrame(columns=["start", "activity", "places", "minutes"]),
            month=month,
        )
    )
    if inputs.spots is not None and inputs.spot_changes is not None:
        for table in spot_tables(inputs.spots, inputs.spot_changes, places, month=month):
            report.add(table)
    else:
        report.note("trafikplatser", "Inga markerade trafikplatser finns i lagret.")
    if activity.parse_month(month).month in BATHING_MONTHS:
        report.add(bathing_table(inc, places, inputs.patrol_log, month=month, k=k))
        b1 = [
            f"{r.activity_id}: {r.status_label}"
            for r in activity.activity_status(
                inputs.plan, inputs.activity_log, month=month, patrol_log=inputs.patrol_log
            ).itertuples()
            if r.theme == "B"
        ]
        if b1:
            report.note(
                "bad",
                "Kommunens insatser vid badplatserna enligt aktivitetsplanen: "
                + "; ".join(b1)
                + ".",
            )
    else:
        report.note(
            "bad", "Badsäsongen (maj–september) pågår inte; avsnittet visas under säsongen."
        )
    status = activity.activity_status(
        inputs.plan,
        inputs.activity_log,
        month=month,
        weekly_minutes=inputs.weekly_minutes,
        patrol_log=inputs.patrol_log,
    )
    report.add(activity_table(status))
    focus, notes = next_month_focus(
        inc, places, month=month, k=k, status=status, forecast_method=forecast_method
    )
    report.focus = focus
    for n in notes:
        report.note("fokus", n)
    logger.info("monthly report %s: %d tables", month, len(report.tables))
    return report


# ---------------------------------------------------------------------------- I/O


def collect_inputs(
    *, month: str, store_path: Path | None = None, plan_path: Path | None = None
) -> ReportInputs:
    """Read what the report needs from the store, the places and the activity plan.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    store_path
        The store; default ``settings.store_path``.
    plan_path
        The activity plan; default :func:`geo.activity.plan_path`.

    Returns
    -------
    ReportInputs
        The inputs; patrol log and spots are ``None`` when their modules or tables are missing.
    """
    p = activity.parse_month(month)
    start = activity.month_bounds(str(p - (HISTORY_MONTHS - 1)))[0]
    _, end = activity.month_bounds(month)
    incidents = store.read_incidents(store_path, start=start, end=end)
    places = load_places()
    plan = activity.load_plan(plan_path)
    log = activity.read_activity_log(store_path)
    inputs = ReportInputs(incidents=incidents, places=places, plan=plan, activity_log=log)
    weeks = activity.iso_weeks_of_month(month)
    try:
        patrol_log = importlib.import_module("geo.patrol_log")
    except ImportError:
        logger.warning("geo.patrol_log is not available; no police presence in the report")
    else:
        inputs.patrol_log = patrol_log.read_log(store_path)
        inputs.weekly_minutes = patrol_log.minutes_per_week(
            inputs.patrol_log, first_week=weeks[0], last_week=weeks[-1], promise_min=PROMISE_MIN
        )
    from geo import spots

    inputs.spots = spots.read_spots(store_path)
    inputs.spot_changes = spots.read_changes(path=store_path)
    return inputs


def render_html(report: MonthlyReport) -> str:
    """Render the report as one self-contained Swedish HTML page (A4 print layout).

    Parameters
    ----------
    report
        From :func:`compute_report`.

    Returns
    -------
    str
        The HTML; charts are embedded as data URIs, nothing is loaded from elsewhere.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    template = env.get_template("monthly.html")
    now = pd.Timestamp.now(tz=settings.timezone)
    return template.render(
        report=report,
        title=f"Uppföljning av medborgarlöftet – {month_label(report.month)}",
        kommun=settings.kommun_name,
        generated=f"{now.day} {MONTHS_SV[now.month - 1]} {now.year}",
        month_name=month_label(report.month),
        next_month=month_label(str(activity.parse_month(report.month) + 1)),
        themes=THEMES,
        promise_min=PROMISE_MIN,
        categories=CATEGORIES,
    )


def export_tables(report: MonthlyReport, *, out_dir: Path, stem: str) -> dict[str, Path]:
    """Write every table as CSV (semicolon-separated, UTF-8 with BOM) and all in one XLSX.

    Parameters
    ----------
    report
        From :func:`compute_report`.
    out_dir
        Output folder.
    stem
        File stem, e.g. ``uppfoljning-2026-11``.

    Returns
    -------
    dict
        ``xlsx`` → the workbook, ``csv`` → the folder of CSV files.
    """
    csv_dir = out_dir / f"{stem}-tabeller"
    csv_dir.mkdir(parents=True, exist_ok=True)
    xlsx = out_dir / f"{stem}.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        for name, table in report.tables.items():
            table.frame.to_csv(csv_dir / f"{name}.csv", sep=";", index=False, encoding="utf-8-sig")
            table.frame.to_excel(writer, sheet_name=name[:31], index=False)
    return {"xlsx": xlsx, "csv": csv_dir}


def build_report(
    *,
    month: str,
    store_path: Path | None = None,
    out_dir: Path | None = None,
    plan_path: Path | None = None,
    pdf: bool = True,
    emerging_cell_size_m: float = 500.0,
    forecast_method: str = "default",
) -> dict[str, Path]:
    """Write the monthly follow-up: ``uppfoljning-YYYY-MM.html``, ``.pdf``, ``.xlsx`` and CSVs.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    store_path
        The store; default ``settings.store_path``.
    out_dir
        Output folder; default ``reports`` in the current folder.
    plan_path
        The activity plan; default :func:`geo.activity.plan_path`.
    pdf
        Also print the PDF with headless Chromium.
    emerging_cell_size_m, forecast_method
        As for :func:`compute_report`.

    Returns
    -------
    dict
        ``html``, ``pdf`` (when printed), ``xlsx`` and ``csv`` (folder) paths.

    Raises
    ------
    GeoError
        If the month, store or plan is invalid, or Chromium cannot print.
    """
    month = str(activity.parse_month(month))
    out_dir = out_dir or Path("reports")
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = collect_inputs(month=month, store_path=store_path, plan_path=plan_path)
    report = compute_report(
        inputs,
        month=month,
        emerging_cell_size_m=emerging_cell_size_m,
        forecast_method=forecast_method,
    )
    return write_report(report, out_dir=out_dir, pdf=pdf)


def write_report(report: MonthlyReport, *, out_dir: Path, pdf: bool = True) -> dict[str, Path]:
    """Write a computed report: ``uppfoljning-YYYY-MM.html``, ``.pdf``, ``.xlsx`` and CSVs.

    Parameters
    ----------
    report
        From :func:`compute_report`.
    out_dir
        Output folder (created).
    pdf
        Also print the PDF with headless Chromium.

    Returns
    -------
    dict
        ``html``, ``pdf`` (when printed), ``xlsx`` and ``csv`` (folder) paths.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"uppfoljning-{report.month}"
    html = out_dir / f"{stem}.html"
    html.write_text(render_html(report), encoding="utf-8")
    outputs: dict[str, Path] = {"html": html}
    if pdf:
        from geo.report._pdf import html_to_pdf

        outputs["pdf"] = html_to_pdf(html, out_dir / f"{stem}.pdf")
    outputs.update(export_tables(report, out_dir=out_dir, stem=stem))
    logger.info("monthly report %s written to %s", report.month, out_dir)
    return outputs


__all__ = [
    "MONTHS_SV",
    "FocusItem",
    "MonthlyReport",
    "ReportInputs",
    "Table",
    "build_report",
    "change_reason",
    "collect_inputs",
    "compute_report",
    "control_type",
    "export_tables",
    "month_label",
    "render_html",
    "suppress",
    "suppress_parts",
    "write_report",
]
