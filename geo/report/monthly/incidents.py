"""Sections on the incidents: per theme and source, top areas, trends, emerging hot spots."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import months
from geo.model import CATEGORIES, THEMES
from geo.sites import bathing_site_of, theme_mask

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from geo.report.monthly.bathing import bathing_counts
from geo.report.monthly.selection import (
    Coverage,
    compared_counts,
    compared_gaps,
    compared_periods,
    in_period,
    incidents_in,
    source_group,
    theme_incidents,
)
from geo.report.monthly.tables import Table, suppress, suppress_parts
from geo.report.monthly.vocabulary import (
    AREA_CELL_SIZE_M,
    HISTORY_MONTHS,
    NO_DATA,
    SOURCE_GROUP_LABELS,
    days_label,
    month_label,
)
from geo.sites import nearest_place_names
from geo.timespan import local_time, whole_steps


def theme_tables(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    k: int,
    days: int | None = None,
    coverage: Coverage | None = None,
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
    days
        The days of ``month`` the data covers, if it ends inside the month
        (:func:`~geo.report.monthly.selection.covered_days`): all three months are then
        counted over those days only, and the headers say so ("1–22 november 2026"); a count
        of an earlier month that, beside its whole month in the trend, would give away a
        hidden count reads "–" (:func:`~geo.report.monthly.selection.compared_counts`).
    coverage
        The months the observations cover: a month outside them (before the store's
        observations begin, or after they end) reads
        :data:`~geo.report.monthly.vocabulary.NO_DATA` in every row, not 0; ``None``: all
        covered.

    Returns
    -------
    list of Table
        ``teman`` (theme × three months) and ``kallor`` (theme × source group, this month).
    """
    periods = compared_periods(month, days=days)
    gaps = compared_gaps(month, coverage)
    bounds = [(s, e) for _, s, e in periods]
    compared = compared_counts(incidents, places, month=month, k=k, days=days)
    rows, src_rows = [], []
    groups = [g for g in SOURCE_GROUP_LABELS if g != "ovriga"]
    month_groups = source_group(incidents["source"]) if len(incidents) else pd.Series(dtype=str)
    if len(month_groups) and (month_groups == "ovriga").any():
        groups.append("ovriga")
    for theme, label in THEMES.items():
        mask = (
            theme_mask(incidents, theme, places, shared=True)
            if len(incidents)
            else pd.Series(dtype=bool)
        )
        counted = compared[theme]
        counts = [n for n, _ in counted]
        rows.append(
            [
                label,
                *(
                    NO_DATA if gap else "–" if hide else suppress(n, k=k)
                    for (n, hide), gap in zip(counted, gaps, strict=True)
                ),
            ]
        )
        if len(incidents):
            this = mask & in_period(incidents["occurred_at"], *bounds[0])
            by = month_groups[this].value_counts()
            parts = [int(by.get(g, 0)) for g in groups]
        else:
            parts = [0] * len(groups)
        src_row: list[int | str] = (
            [NO_DATA] * (len(groups) + 1)
            if gaps[0]
            else [suppress(counts[0], k=k), *suppress_parts(parts, total=counts[0], k=k)]
        )
        src_rows.append([label, *src_row])
    cols = ["Tema", *(label for label, _, _ in periods)]
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
            f"Observationer per tema och källa, {periods[0][0]}",
            pd.DataFrame(src_rows, columns=src_cols),
            tuple(src_cols[1:]),
        ),
    ]


def category_table(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    k: int,
    days: int | None = None,
    coverage: Coverage | None = None,
) -> Table:
    """Count the month's observations per theme and category: the löfte's own problems.

    The löfte names what each theme is about: speeding, reckless driving, sobriety,
    motorburen problematik and noise in traffic, littering and vandalism at Lanna badgruva and
    badplats Leken. A theme's count alone does not say whether these rose; this table does.
    A theme's categories are its events' categories (theme B: those of the events at a
    bathing site, :func:`geo.sites.theme_mask` with ``shared=True``), in the order of
    :data:`geo.model.CATEGORIES`, listed when the month has any.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` and ``category``.
    places
        Named places.
    month
        ``YYYY-MM``.
    k
        Suppression threshold: the parts are suppressed against the theme's count, which the
        themes table shows (:func:`~geo.report.monthly.tables.suppress_parts`).
    days
        The days of ``month`` the data covers when it ends inside it: the caption says them.
    coverage
        The months the observations cover: for a month outside them the table is empty and
        says why (:meth:`~geo.report.monthly.selection.Coverage.empty_text`).

    Returns
    -------
    Table
        ``kategorier``: ``Tema``, ``Kategori`` and the period's count.
    """
    label, start, end = compared_periods(month, days=days)[0]
    gap = compared_gaps(month, coverage)[0]
    sel = incidents_in(incidents, start, end) if not gap else incidents.iloc[:0]
    rows: list[list[Any]] = []
    for theme, theme_label in THEMES.items():
        if not len(sel):
            break
        sub = sel[theme_mask(sel, theme, places, shared=True).to_numpy()]
        counts = sub["category"].astype(str).value_counts()
        known = [c for c in CATEGORIES if c in counts.index]
        ids = known + sorted(c for c in counts.index if c not in CATEGORIES)
        parts = [int(counts[c]) for c in ids]
        shown = suppress_parts(parts, total=len(sub), k=k)
        rows += [
            [theme_label, CATEGORIES[c].label if c in CATEGORIES else c, n]
            for c, n in zip(ids, shown, strict=True)
        ]
    frame = pd.DataFrame(rows, columns=["Tema", "Kategori", label])
    table = Table("kategorier", f"Observationer per tema och kategori, {label}", frame, (label,))
    if gap and coverage is not None:
        table.empty_text = coverage.empty_text(month)
    return table


def _place_names(incidents: gpd.GeoDataFrame, places: gpd.GeoDataFrame) -> pd.Series:
    """Return each incident's place name, a bathing site's where it is at one.

    The bathing-site table counts an event at a site by :func:`geo.sites.bathing_site_of`
    (also one stored before the site was drawn, with no place); listed here by its stored
    name only, the same site read 6 here and 8 there.
    """
    site = bathing_site_of(incidents, places)
    names = places.set_index(places["place_id"].astype(str))["name"]
    stored: pd.Series = incidents["place_name"]
    return stored.where(site.isna(), site.map(names))


def top_areas(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    k: int,
    top: int = 5,
    cell_size_m: float = AREA_CELL_SIZE_M,
    days: int | None = None,
    coverage: Coverage | None = None,
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
    days
        The days of ``month`` the data covers when it ends inside it
        (:func:`~geo.report.monthly.selection.compared_periods`): counted and said in the
        caption as in the other tables ("1–22 november 2026").
    coverage
        The months the observations cover: for a month outside them the table is empty and
        says why (:meth:`~geo.report.monthly.selection.Coverage.empty_text`).

    Returns
    -------
    Table
        ``platser``: ``Tema``, ``Plats eller område``, ``Ruta``, ``Observationer``.
    """
    gap = compared_gaps(month, coverage)[0]
    if gap:
        incidents = incidents.iloc[:0]
    from geo.privacy import aggregate_for_sharing

    period, start, end = compared_periods(month, days=days)[0]
    # a bathing site hidden in the bathing-site table is not listed here either (its count
    # beside theme B's total would give the hidden one back)
    hidden = {
        name
        for name, n in bathing_counts(incidents, places, month=month, k=k, days=days)
        if not isinstance(n, int)
    }
    rows: list[list[Any]] = []
    for theme, label in THEMES.items():
        sub = theme_incidents(incidents, theme, places)
        if len(sub):
            sub = sub[in_period(sub["occurred_at"], start, end).to_numpy()]
        total = len(sub)
        if total == 0:
            continue
        sub = sub.assign(place_name=_place_names(sub, places))
        named = sub["place_name"].notna() & (sub["place_name"].astype(str).str.strip() != "")
        candidates: list[tuple[int, str, str]] = [
            (int(n), str(name), "")  # a named place has no grid cell: empty, not "–"
            for name, n in sub[named.to_numpy()].groupby("place_name").size().items()
            if not (theme == "B" and name in hidden)
        ]
        unnamed = sub[~named.to_numpy()]
        if len(unnamed):
            cells = aggregate_for_sharing(
                unnamed.assign(theme=theme), cell_size_m=cell_size_m, k=k, time_band="month"
            )
            names = nearest_place_names(cells.geometry.centroid, places)
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
            rows.append([label, where, "", suppress(rest, k=k)])
    frame = pd.DataFrame(rows, columns=["Tema", "Plats eller område", "Ruta", "Observationer"])
    table = Table(
        "platser",
        f"Platser och områden med flest observationer, {period}",
        frame,
        ("Observationer",),
    )
    if gap and coverage is not None:
        table.empty_text = coverage.empty_text(month)
    return table


def partial_month_label(month: str, days: int) -> str:
    """Say which days of a month the data covers, for the chart's legend and caption.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    days
        The days covered (:func:`~geo.report.monthly.selection.covered_days`).

    Returns
    -------
    str
        E.g. ``"del av månaden: 1–22 nov"``.
    """
    return f"del av månaden: {days_label(month, days)}"


def trend_table(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    k: int,
    days: int | None = None,
    coverage: Coverage | None = None,
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
    days
        The days of ``month`` the data covers, if it ends inside the month: its row is
        labelled with them ("1–22 november 2026").
    coverage
        The months the observations cover: a month outside them reads
        :data:`~geo.report.monthly.vocabulary.NO_DATA` in every column, not 0.

    Returns
    -------
    tuple
        The ``trend`` table (suppressed) and the raw counts (index months, columns themes)
        for the chart, which draws suppressed months as hatched bars.
    """
    p = months.parse_month(month)
    history = [str(p - i) for i in range(12, -1, -1)]
    raw = pd.DataFrame(0, index=history, columns=list(THEMES), dtype=int)
    if len(incidents):
        labels = pd.to_datetime(incidents["occurred_at"]).dt.strftime("%Y-%m")
        for theme in THEMES:
            mask = theme_mask(incidents, theme, places, shared=True).to_numpy()
            counts = labels[mask].value_counts()
            raw[theme] = [int(counts.get(m, 0)) for m in history]
    shown = raw.map(lambda n: suppress(int(n), k=k)).astype(object)
    for m in history:
        if coverage is not None and coverage.missing(m):
            shown.loc[m] = NO_DATA
    frame = shown.rename(columns=THEMES)
    labels = [month_label(m) for m in history]
    labels[-1] = compared_periods(month, days=days)[0][0]
    frame.insert(0, "Månad", labels)
    table = Table(
        "trend",
        "Observationer per månad och tema, 13 månader",
        frame.reset_index(drop=True),
        tuple(THEMES.values()),
    )
    return table, raw


def _png_data_uri(draw: Callable[[Figure], None], *, size_in: tuple[float, float]) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=size_in, dpi=150, layout="constrained")
    draw(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def trend_chart(
    raw: pd.DataFrame, *, k: int, days: int | None = None, missing: Sequence[str] = ()
) -> str:
    """Draw the 13-month trend per theme as a PNG data URI (suppressed and partial months hatched).

    Parameters
    ----------
    raw
        Counts, index months ``YYYY-MM``, columns theme ids.
    k
        Suppression threshold: counts from 1 to ``k - 1`` are drawn as a hatched grey bar of
        height ``k`` without their value.
    days
        The days of the last month the data covers, if it ends inside that month: its bar is
        drawn pale and hatched in blue, with a legend entry "del av månaden: 1–22 nov"
        (:func:`partial_month_label`), so it does not read as a whole month.
    missing
        Months (``YYYY-MM``) without data
        (:meth:`~geo.report.monthly.selection.Coverage.missing`): no bar, a pale grey band
        behind the month and a legend entry "uppgift saknas", so that no month without
        data reads as a month without events (an empty place in the chart is a 0).

    Returns
    -------
    str
        ``data:image/png;base64,...``.
    """
    labels = [f"{months.MONTH_ABBR[int(m[5:]) - 1]}\n{m[2:4]}" for m in raw.index]
    x = np.arange(len(raw))
    absent = np.asarray([str(m) in set(missing) for m in raw.index], dtype=bool)
    partial = np.zeros(len(raw), dtype=bool)
    partial_label = ""
    if days is not None and len(raw):
        partial[-1] = True
        partial_label = partial_month_label(str(raw.index[-1]), days)

    def draw(fig: Figure) -> None:
        from matplotlib.ticker import MaxNLocator, StrMethodFormatter

        axes = fig.subplots(2, 2, sharex=True)
        for ax, theme in zip(axes.flat, THEMES, strict=True):
            values = np.where(absent, 0, raw[theme].to_numpy())
            for n, i in enumerate(np.flatnonzero(absent)):
                ax.axvspan(
                    i - 0.45, i + 0.45, color="#e2e8f0", linewidth=0,
                    label="_nolegend_" if n else NO_DATA,
                )  # fmt: skip
            small = (values > 0) & (values < k)
            whole = ~small & ~partial
            part = partial & ~small & (values > 0)
            ax.bar(x[whole], values[whole], color="#2b6cb0", width=0.7)
            if small.any():  # an empty bar set would still have its legend entry
                ax.bar(
                    x[small],
                    np.full(int(small.sum()), k),
                    color="none",
                    edgecolor="#999999",
                    hatch="///",
                    width=0.7,
                    label=f"färre än {k} (visas ej)",
                )
            if part.any():
                ax.bar(
                    x[part],
                    values[part],
                    color="#dbe7f3",
                    edgecolor="#2b6cb0",
                    hatch="\\\\\\",
                    width=0.7,
                    label=partial_label,
                )
            ax.set_title(THEMES[theme], fontsize=9)
            ax.tick_params(labelsize=6)
            ax.set_xticks(x, labels)
            # counts are whole: "2.5" and "7.5" on the axis read as fractions of an event (a
            # council member's review); matplotlib's own locator, kept to integers
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
            ax.grid(axis="y", color="#dddddd", linewidth=0.5)
            ax.set_axisbelow(True)
        # one key for the four charts, under them: inside a chart's corner it covered the
        # first months' bars (July 2025's 13 narcotics in the July 2026 report)
        keyed: dict[str, Any] = {}
        for ax in axes.flat:
            for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
                keyed.setdefault(text, handle)
        if keyed:
            fig.legend(
                list(keyed.values()),
                list(keyed),
                loc="outside lower center",
                ncols=len(keyed),
                fontsize=6,
                frameon=False,
            )
        fig.supylabel("observationer", fontsize=8)

    return _png_data_uri(draw, size_in=(7.2, 3.6))


def _run_months(month: pd.Period, history_months: int, data_start: pd.Timestamp | None) -> str:
    """Say the months an emerging-hot-spot run ending with ``month`` covers, for its caption.

    ``"24 månader"``; fewer when the data begin inside them, named: ``"8 månader: mars–oktober
    2026"`` (a council member's review: "24 månader" over a store of 8 months read as two
    years' patterns).
    """
    start = local_time(months.month_bounds(str(month - (history_months - 1)))[0])
    if data_start is not None and data_start > start:
        start = data_start
    steps = whole_steps(start, local_time(months.month_bounds(str(month))[1]), "M")
    if len(steps) >= history_months or not len(steps):
        return f"{history_months} månader"
    first, last = steps[0], steps[-1]
    span = (
        f"{months.MONTHS_SV[first.month - 1]}–{month_label(str(last))}"
        if first.year == last.year
        else f"{month_label(str(first))}–{month_label(str(last))}"
    )
    return f"{len(steps)} {'månad' if len(steps) == 1 else 'månader'}: {span}"


def emerging_changes(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    cell_size_m: float = 500.0,
    history_months: int = HISTORY_MONTHS,
    days: int | None = None,
    k: int | None = None,
) -> tuple[Table, list[str]]:
    r"""Compare emerging-hot-spot classes at the end of the month with those a month earlier.

    Runs :func:`geo.hotspots.emerging_hotspots` per theme over the ``history_months`` monthly
    steps ending with ``month`` and with the month before, and counts the cells whose class
    changed. Cells are shown only as counts per change with the nearest named places, and
    only those with at least ``k`` events in the steps: Gi\* counts a cell's neighbours, so a
    cell of one event in 24 months turned "sporadisk" beside busy ones, and "1 ruta nära
    Hidinge" would name a cell the shared map hides (a privacy review, 2026-11-30).

    Parameters
    ----------
    incidents
        Incidents of the history window, all themes (they tell which months the data
        cover: a month before the first import or after the last is no month without
        events, and the comparison waits until the month is covered whole).
    places
        Named places.
    month
        ``YYYY-MM``.
    cell_size_m
        Grid cell side.
    history_months
        Monthly steps per run.
    days
        The store's observations end on this day of the month (:func:`covered_days`):
        the month is no whole step yet, so nothing is compared and a note says so (read as
        a month with few events it would end every persistent hot spot).
    k
        The least events a cell counted must hold (:func:`geo.privacy.shared_k`); default
        ``settings.privacy_k``.

    Returns
    -------
    tuple
        The ``hotspotforandringar`` table (``Tema``, ``Förra månaden``, ``Denna månad``,
        ``Rutor``, ``Närmaste platser``) and Swedish notes (themes with too few events).
    """
    from geo.hotspots import (
        TOO_FEW,
        covered_period,
        emerging_hotspots,
        local_wall_time,
        spatial_incidents,
    )
    from geo.privacy import shared_k

    k = shared_k(k)
    p = months.parse_month(month)
    rows: list[list[Any]] = []
    notes: list[str] = []
    month_end = local_time(months.month_bounds(month)[1])
    located = spatial_incidents(incidents)
    # the months the data cover: before the first import or after the last there are no zeros
    data_start, data_end = covered_period(located, end=month_end) if len(located) else (None, None)
    whole = days is None and data_end == month_end
    for theme, label in THEMES.items() if whole else ():
        sub = spatial_incidents(theme_incidents(incidents, theme, places))
        runs = []
        for last in (p, p - 1):
            start = local_time(months.month_bounds(str(last - (history_months - 1)))[0])
            start = max(start, data_start) if data_start is not None else start
            end = local_time(months.month_bounds(str(last))[1])
            wall = local_wall_time(sub["occurred_at"])
            window = sub[((wall >= start) & (wall < end)).to_numpy()] if len(sub) else sub
            runs.append(emerging_hotspots(window, cell_size_m=cell_size_m, start=start, end=end))
        now, before = runs
        if now.empty or (now["pattern"] == TOO_FEW).all():
            notes.append(f"{label}: {TOO_FEW} för en analys av framväxande hotspots.")
            continue
        shown = now[now["n_events"] >= k]  # a cell under k is not named, as on the map
        merged = shown[["cell_id", "pattern", "geometry"]].merge(
            before[["cell_id", "pattern"]], on="cell_id", how="left", suffixes=("", "_before")
        )
        merged["pattern_before"] = merged["pattern_before"].fillna("inget mönster")
        changed = merged[merged["pattern"] != merged["pattern_before"]]
        if changed.empty:
            notes.append(
                f"{label}: inga rutor med minst {k} händelser bytte klass jämfört med"
                " förra månaden."
            )
            continue
        changed = changed.assign(
            near=nearest_place_names(gpd.GeoSeries(changed.geometry).centroid, places)
        )
        for (b, a), grp in changed.groupby(["pattern_before", "pattern"], sort=True):
            near = ", ".join(sorted(set(grp["near"]))[:4])
            rows.append([label, b, a, len(grp), near])
    empty_text = "inget att redovisa"
    if not whole and len(located):
        covered = (
            f"lagret har observationer bara till och med {days} {month_label(month)}"
            if days is not None
            else f"lagret täcker inte hela {month_label(month)}"
        )
        empty_text = f"jämförs när månaden är hel ({covered})"
    frame = pd.DataFrame(
        rows, columns=["Tema", "Förra månaden", "Denna månad", "Rutor", "Närmaste platser"]
    )
    title = (
        f"Framväxande hotspots ({cell_size_m:g} m-rutor, "
        f"{_run_months(p, history_months, data_start)}): klasser som ändrats sedan förra månaden"
    )
    return Table("hotspotforandringar", title, frame, empty_text=empty_text), notes
