"""CLI commands of the analysis: ``geo hotspots``, ``geo forecast`` and ``geo evaluate``."""

from __future__ import annotations

import functools
import io
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import evaluate as ev
from geo import forecast as fc
from geo import hotspots as hs
from geo import settings, sites, store
from geo.ceiling import stationary_ceiling
from geo.cli._options import existing_store_option, json_option
from geo.errors import DataError, GeoError
from geo.model import THEMES
from geo.outputfile import check_writable, write_atomically
from geo.pointfile import read_points
from geo.pointperiod import missing_months
from geo.studyarea import clip_to_area, read_area
from geo.weeks import local_now, week_label, week_monday

logger = logging.getLogger(__name__)


def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, dict) and ctx.obj.get("quiet"):
            return True
        ctx = ctx.parent
    return False


#: Without a terminal, a progress line is printed each time this share of the steps is done.
PROGRESS_LINE_SHARE = 0.1


@contextmanager
def _progress(length: int, label: str) -> Iterator[Any]:
    """Yield a function that advances the progress shown on stderr by one named step.

    On a terminal this is a progress bar naming the current step. When stderr is not a
    terminal (CI, a pipe, a log file) it prints at most a line at the start and one each time
    another :data:`PROGRESS_LINE_SHARE` of the steps is done (11 lines however many steps),
    not one line per step. Nothing is printed with ``--quiet``.

    Parameters
    ----------
    length
        The number of steps.
    label
        The command's name, at the start of every line.

    Yields
    ------
    callable
        ``advance(step)``: one step done; ``step`` names it (e.g. ``"count_3m 2025-02"``).
    """
    if _quiet():
        yield lambda _step: None
        return
    isatty = getattr(sys.stderr, "isatty", None)
    if callable(isatty) and isatty():
        with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True) as bar:

            def advance_bar(step: str) -> None:
                bar.label = f"{label}: {step}"
                bar.update(1)

            yield advance_bar
        return
    total = max(int(length), 1)
    shares = max(1, round(1 / PROGRESS_LINE_SHARE))
    done = 0
    click.echo(f"{label}: {length} {'step' if length == 1 else 'steps'}", err=True)

    def advance_lines(step: str) -> None:
        nonlocal done
        before = done * shares // total
        done += 1
        if done * shares // total > before:
            percent = min(100, round(100 * done / total))
            click.echo(f"{label}: {percent} % ({done}/{length}, {step})", err=True)

    yield advance_lines


def _places() -> gpd.GeoDataFrame:
    try:
        return sites.load_places()
    except GeoError as e:
        logger.warning("no places (%s); place statistics will be empty", e)
        return gpd.GeoDataFrame(
            {c: [] for c in sites.PLACE_COLUMNS},
            geometry=gpd.GeoSeries([], crs=settings.working_crs),
        )


def _area() -> shapely.Geometry | None:
    try:
        return sites.load_boundary().buffer(settings.boundary_buffer_m)
    except GeoError as e:
        logger.warning("no kommun boundary (%s); the grid covers the incidents' extent", e)
        return None


def _emit(data: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
    else:
        for line in lines:
            click.echo(line)


def _finite_length(
    unit: str, example: float
) -> Callable[[click.Context, click.Parameter, float | None], float | None]:
    """Return a click callback refusing nan and inf (they pass FloatRange's comparisons)."""

    def finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
        if value is not None and not np.isfinite(value):
            msg = f"{value} is no length; give {unit}, e.g. {example:g}."
            raise click.BadParameter(msg, ctx=ctx, param=param)
        return value

    return finite


def _metres_option(name: str, default: float, help_text: str) -> Callable[[Any], Any]:
    """Return a click option of a length in metres, a finite number over 0, default shown."""
    return click.option(
        name,
        type=click.FloatRange(min=0, min_open=True),
        default=default,
        show_default=True,
        help=help_text,
        callback=_finite_length("metres", default),
    )


#: Fewest Gi* permutations that can report p_sim = 0.01 (1 / (n + 1)), the 99 % level.
MIN_PERMUTATIONS = 99


def _permutations(_ctx: click.Context, _param: click.Parameter, value: int) -> int:
    """Take 0 (no permutation p) or :data:`MIN_PERMUTATIONS` or more."""
    if value == 0 or value >= MIN_PERMUTATIONS:
        return value
    what = (
        f"{value} permutations cannot tell a p_sim below {1 / (value + 1):.2g}"
        if value > 0
        else f"{value} is no number of permutations"
    )
    msg = (
        f"{what}; give 0 (no p_sim) or at least {MIN_PERMUTATIONS} "
        "(p_sim down to 0.01, the 99 % level)."
    )
    raise click.BadParameter(msg)


@click.command("hotspots")
@existing_store_option
@_metres_option(
    "--cell-size-m", 250.0, "Grid cell side in metres (at most 1,000,000 cells over the kommun)."
)
@click.option(
    "--permutations",
    type=int,
    callback=_permutations,
    default=999,
    show_default=True,
    help=f"Gi* conditional permutations per cell: 0 (none) or at least {MIN_PERMUTATIONS}, "
    "reported as p_sim (the hot/cold class uses the analytic and exact Poisson p).",
)
@click.option("--seed", type=int, default=None, help="Seed of the Gi* permutations.")
@_metres_option("--eps-m", 250.0, "Cluster radius in metres (DBSCAN).")
@click.option(
    "--min-events",
    type=click.IntRange(min=2),
    default=8,
    show_default=True,
    help="Fewest events in a cluster.",
)
@click.option(
    "--end",
    "end_day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Analyse the events before this day (YYYY-MM-DD, Europe/Stockholm; default: now). "
    "The layers are written beside the current ones with the day in their names "
    "(hotspots_20260601 …), so the maps keep the current analysis.",
)
@json_option
def hotspots_command(
    store_path: Path | None,
    cell_size_m: float,
    permutations: int,
    seed: int | None,
    eps_m: float,
    min_events: int,
    end_day: datetime | None,
    as_json: bool,
) -> None:
    """Run the hotspot analysis and write its layers to the store.

    Layers: grid, gi_grid, hotspots, emerging, place_stats.

    Example: geo hotspots --store data/lagesbild.gpkg --json
    """
    end = pd.Timestamp(end_day.date(), tz=settings.timezone) if end_day is not None else local_now()
    incidents = store.read_incidents(store_path, end=end)
    with _progress(5, "hotspots") as step:
        layers = hs.run_analysis(
            incidents, _places(), cell_size_m=cell_size_m, seed=seed, area=_area(),
            permutations=permutations, progress=step, end=end, eps_m=eps_m, min_events=min_events,
        )  # fmt: skip
    # an analysis of an earlier day goes beside the current layers, which the maps draw: over
    # them, June's clusters were drawn with November's incidents and nothing said so
    suffix = f"_{end_day:%Y%m%d}" if end_day is not None else ""
    for name, layer in layers.items():
        store.write_layer(layer, name + suffix, store_path)
    gi = layers["gi_grid"]
    too_few = bool((gi["hotspot_class"] == "för_få_händelser").all())
    too_few_cells = bool(len(gi)) and bool((gi["hotspot_class"] == "för_få_rutor").all())
    clusters = layers["hotspots"]
    top = clusters.nlargest(5, "n_events") if len(clusters) else clusters
    top_clusters: list[dict[str, Any]] = [
        {
            "hotspot_id": str(r["hotspot_id"]),
            "theme": str(r["theme"]),
            "category": str(r["category"]),
            "n_events": int(r["n_events"]),
            "places": [str(p) for p in r["places"]],
            "trend": str(r["trend"]),
        }
        for _, r in top.iterrows()
    ]
    sizes = {k + suffix: len(v) for k, v in layers.items()}
    data = {
        "n_incidents": len(incidents),
        "n_located": int(layers["grid"]["n_events"].sum()),
        "layers": sizes,
        "n_hot_cells": int(gi["hotspot_class"].str.startswith("hot").sum()),
        "n_clusters": len(clusters),
        "too_few_events": too_few,
        "too_few_cells": too_few_cells,
        "top_clusters": top_clusters,
    }
    lines = [
        f"Hotspotanalys: {data['n_incidents']} händelser, {data['n_located']} med läge "
        f"i rutor om {cell_size_m:g} m"
        + (f", händelserna före {end_day:%Y-%m-%d}." if end_day is not None else "."),
        f"Gi*: {data['n_hot_cells']} heta rutor (90–99 % efter FDR); "
        f"{data['n_clusters']} kluster (DBSCAN per tema och kategori).",
    ]
    if too_few:
        lines.append("För få händelser: inga hot spots kan påstås (för_få_händelser i gi_grid).")
    if too_few_cells:
        lines.append(
            f"För få rutor: {len(gi)} rutor om {cell_size_m:g} m täcker området, Gi* jämför en "
            "ruta med de andra; inga hot spots kan påstås (för_få_rutor i gi_grid): ange en "
            "mindre --cell-size-m."
        )
    if top_clusters:
        lines.append("Största kluster (händelser, tema, kategori, platser, trend):")
        lines += [
            f"  {c['n_events']:5d}  {c['theme']}  {c['category']:<12s} "
            f"{', '.join(c['places']) or '–'}  {c['trend']}"
            for c in top_clusters
        ]
    lines.append("Lager: " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
    if end_day is not None:
        lines.append("Kartorna visar fortfarande de aktuella lagren (utan datum i namnet).")
    _emit(data, as_json, lines)


@click.command("forecast")
@existing_store_option
@click.option(
    "--week",
    required=True,
    help="Target ISO week, YYYY-Www, e.g. 2026-W49 (2026-W9 is written 2026-W09).",
)
@click.option(
    "--method",
    default="default",
    show_default=True,
    help=f"Forecast method: {', '.join(fc.method_names())}, count_<n>d|w|m or kde_<metres> "
    f"(default is {fc.DEFAULT_METHOD}).",
)
@_metres_option(
    "--cell-size-m", 250.0, "Grid cell side in metres (at most 1,000,000 cells over the kommun)."
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the learned method, multiscale (the other methods draw nothing at random).",
)
@json_option
def forecast_command(
    store_path: Path | None,
    week: str,
    method: str,
    cell_size_m: float,
    seed: int | None,
    as_json: bool,
) -> None:
    """Forecast risk per grid cell and hour of week and write layer 'forecast'.

    Only incidents before the week's Monday 00:00 (Europe/Stockholm) are used. Where the
    data end well before the week (imports not made yet), the forecast is made from where
    they end, as if the week followed, and says so.

    Example: geo forecast --week 2026-W49 --json
    """
    week = week_label(week_monday(week))  # validated (2026-W9 → 2026-W09) before reading
    with _progress(3, "forecast") as step:
        step("read")
        incidents = store.read_incidents(store_path, end=week_monday(week))
        step("predict")
        places = _places()
        result = fc.forecast_week(
            incidents, week=week, method=method, cell_size_m=cell_size_m, seed=seed, area=_area(),
            places=places,
        )  # fmt: skip
        if result.empty:  # an empty layer would replace the last forecast and say nothing
            msg = (
                f"No incident located to 1 km before {week} in the store: there is nothing to "
                "forecast from, and the layer 'forecast' is left as it was. Choose a week "
                "after the data begin, or import data first."
            )
            raise DataError(msg)
        step("write")
        # hour shares to 6 decimals (a share of 0.006 to 1 in 10,000): Python's 17 digits
        # made the kommun's 9,000 profiles 35 MB of the store
        stored = result.assign(how_profile=[np.round(p, 6).tolist() for p in result["how_profile"]])
        store.write_layer(stored, "forecast", store_path)
    top = result.nlargest(5, "risk_week")
    near = _nearest_places(top.geometry.centroid, places)
    by_theme = {t: float(result[f"risk_{t}"].sum()) for t in THEMES}
    end = pd.Timestamp(result.attrs["history_end"])
    data_end = result.attrs["data_end"]
    # counted as said below, from the last day with data (0 when the forecast counts to the week)
    gap_days = (
        float((week_monday(week).date() - data_end).days) if result.attrs["gap_days"] > 0 else 0.0
    )
    top_cells = [
        {
            "cell_id": int(r.cell_id),
            "risk_week": float(r.risk_week),
            "place": name,
            "place_distance_m": dist,
        }
        for r, (name, dist) in zip(top.itertuples(), near, strict=True)
    ]
    data = {
        "week": week,
        "method": fc.DEFAULT_METHOD if method == "default" else method,
        "n_cells": len(result),
        "expected_events": float(result["risk_week"].sum()),
        "by_theme": by_theme,
        "history_end": end.date().isoformat(),
        "data_end": data_end.isoformat() if data_end is not None else None,
        "gap_days": gap_days,
        "gap_weeks": round(gap_days / 7, 1),
        "warnings": list(result.attrs["warnings"]),
        "top_cells": top_cells,
    }
    themes = ", ".join(f"{t} {by_theme[t]:.1f}" for t in THEMES)
    lines = [
        f"Prognos vecka {week} ({data['method']}, {len(result)} rutor à {cell_size_m:g} m)",
        f"Väntat antal händelser: {data['expected_events']:.1f} ({themes}; "
        "B är allt vid badplatserna)",
    ]
    if gap_days > 0:
        weeks = round(gap_days / 7)
        stale = result.attrs["gap_days"] > fc.STALE_HISTORY_DAYS
        lines.append(
            f"Data slutar {data_end}, {weeks} {'vecka' if weeks == 1 else 'veckor'} "
            f"({gap_days:.0f} dagar) före veckan: prognosen räknar från dataslutet som om "
            "veckan följde"
            + (", med säsongen efter dataslutet" if stale else "")
            + " (importera nyare data)."
        )
    lines.append("Rutor med högst risk (väntade händelser veckan, närmaste plats):")
    for (name, dist), r in zip(near, top.itertuples(), strict=True):
        where = (
            "–" if name is None or dist is None
            else name if dist == 0
            else f"{dist / 1000:.1f} km från {name}"
        )  # fmt: skip
        lines.append(f"  {float(r.risk_week):5.2f}  ruta {int(r.cell_id)}  {where}")
    _emit(data, as_json, lines)


def _nearest_places(
    points: gpd.GeoSeries, places: gpd.GeoDataFrame, *, max_m: float = 3_000.0
) -> list[tuple[str | None, float | None]]:
    """Name the place nearest each point (0 m inside it), or ``None`` beyond ``max_m``."""
    out: list[tuple[str | None, float | None]] = []
    for point in points:
        if places.empty:
            out.append((None, None))
            continue
        dist = places.geometry.distance(point)
        i = int(np.argmin(dist.to_numpy()))
        d = float(dist.iloc[i])
        out.append((str(places["name"].iloc[i]), round(d)) if d <= max_m else (None, None))
    return out


def missing_warning(
    missing: list[pd.Period], left_out: list[ev.BacktestPeriod], times: pd.Series, *, step: str
) -> str:
    """Say which months look like missing data and which test steps are left out for them."""
    months = pd.to_datetime(times).dt.to_period("M").value_counts()
    typical = float(np.median(months.reindex(
        pd.period_range(min(months.index), max(months.index), freq="M"), fill_value=0
    )))  # fmt: skip
    gaps = ", ".join(f"{m} ({int(months.get(m, 0))} events)" for m in missing)
    steps = ", ".join(p.label for p in left_out)
    return (
        f"Warning: months with almost no events where a typical month has {typical:.0f}: "
        f"{gaps}; missing data? The test {step}s that train on or fall in them are left out "
        f"of the means: {steps} (--period FROM:TO scores one side only)."
    )


def _row_account(attrs: dict[Any, Any]) -> str:
    """Say where every row of the file went: used, filtered out or dropped with a reason.

    What to check about the coordinates (``attrs["warnings"]``) follows, a line each.
    """
    rows = attrs["rows"]
    files = f" from {attrs['files']} files" if attrs.get("files", 1) > 1 else ""
    below = ""
    if attrs.get("header_line", 1) > 1:  # data rows are counted from the one below the header
        unit = "row" if attrs.get("layer_kind") == "sheet" else "line"
        below = f" below the header on {unit} {attrs['header_line']}"
    words = [f"{rows['read']} rows read{files}{below}", f"{rows['used']} used"]
    if rows["not matching --where"]:
        words.append(f"{rows['not matching --where']} not matching --where")
    if rows.get("repeated incident"):
        words.append(f"{rows['repeated incident']} further rows of an incident already counted")
    if rows.get("without an id"):
        words.append(f"{rows['without an id']} rows without an id, each counted as an incident")
    for why, n in rows["dropped"].items():
        if n:
            notes = [f"first {attrs['dropped_examples'][why]}"]
            if why == "far from the others":
                notes.insert(0, f"> {attrs['far_km']:.1f} km from the median point")
            if why == "outside the period":
                kept = attrs["period"].replace(":", "–")
                notes.insert(0, f"{attrs['period_source']} period {kept}")
            words.append(f"{n} dropped: {why} ({', '.join(notes)})")
    where = f"{attrs.get('layer_kind', 'layer')} {attrs['layer']}: " if attrs.get("layer") else ""
    moved = (
        f", {attrs['times_converted']} given in UTC or with an offset moved to {attrs['tz']} time"
        if attrs.get("times_converted")
        else ""
    )
    if attrs.get("times_with_offset") and not attrs.get("tz"):
        moved = (
            f", {attrs['times_with_offset']} written with a UTC offset kept as written "
            "(--tz ZONE, e.g. America/Chicago, reads them on the place's clock)"
        )
    if attrs.get("bad_lines"):
        words.append(f"{attrs['bad_lines']} lines with bytes that are not UTF-8 (read as '�')")
    warned = "".join(f"\nWarning: {w}." for w in attrs.get("warnings", []))
    return where + "; ".join(words) + f"; dates read as {attrs['time_format']!r}{moved}." + warned


def _identity(path: Path) -> tuple[int, int] | None:
    """Return a file's inode and modification time, ``None`` if there is none."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def _stale_outputs_removed(command: Callable[..., None]) -> Callable[..., None]:
    """Make a failed ``geo evaluate`` remove an old ``--json``/``--plot`` it did not rewrite.

    An old output left beside a failed run would look like its result. A file this run
    wrote (:func:`geo.outputfile.write_atomically` puts a new file in its place) is kept:
    the JSON, written first, stays when only the plot fails.
    """

    @functools.wraps(command)
    def run(**kwargs: object) -> None:
        outputs = [str(o) for o in (kwargs.get("json_out"), kwargs.get("plot")) if o]
        before = {Path(o): _identity(Path(o)) for o in outputs if o != "-"}
        try:
            command(**kwargs)
        except BaseException:
            for path, old in before.items():
                if old is not None and _identity(path) == old:
                    with suppress(OSError):
                        path.unlink()
            raise

    return run


#: The fix told when ``geo evaluate`` cannot write an output file (``%s``: the option).
_WRITABLE_FIX = "Give %s a path in a folder this account may write to."


@click.command("evaluate")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--x-col",
    default=None,
    help=(
        "Easting/longitude column (default: the geometry); name one column for both --x-col "
        "and --y-col when it holds whole points, '(lat, lon)' or 'POINT (x y)'."
    ),
)
@click.option("--y-col", default=None, help="Northing/latitude column.")
@click.option(
    "--time-col",
    required=True,
    help=(
        "Date or datetime column; or columns separated by commas: YEAR,MONTH,DAY[,HOUR,MINUTE] "
        "or DATE,TIME (e.g. 'DATE OCC,TIME OCC')."
    ),
)
@click.option(
    "--crs",
    default=None,
    help="CRS of the x/y columns, e.g. EPSG:4326; 'local' for metres on a plane of their "
    "own (synthetic or shifted points).",
)
@click.option(
    "--layer",
    default=None,
    help="Layer of a GeoPackage, or sheet of a workbook (.xlsx, .xls, .ods), to read "
    "(default: first).",
)
@click.option(
    "--id-col",
    default=None,
    help="Incident id column: rows sharing an id (several offence lines of one incident) "
    "count once (default: every row is an event).",
)
@click.option(
    "--tz",
    default=None,
    help="Time zone of the place, e.g. America/Chicago: times with a UTC offset (…Z) or "
    "Unix times are moved to its wall clock, dates written as midnight UTC excepted "
    "(default: times as written).",
)
@click.option(
    "--where",
    multiple=True,
    help="Keep rows with COLUMN=VALUE (repeatable: one of the values given for a column, "
    "and every column filtered; compared without case, accents and end spaces, numbers by "
    "value).",
)
@click.option(
    "--max-distance-km",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    callback=_finite_length("kilometres", 30),
    help="Drop points farther than this from the median point "
    "(default: 6 × the distance holding 90 % of them, at least 10 km).",
)
@click.option(
    "--period",
    default=None,
    metavar="FROM:TO",
    help="Months to use, e.g. 2019-01:2019-12 (either side may be left out; default: the "
    "file's main period, without months at either end holding under 15 % of a typical "
    "month's events).",
)
@click.option(
    "--area",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="The study area: a polygon file (the city's boundary; GeoJSON, GeoPackage, "
    "shapefile) whose cells are scored; points outside it are dropped and counted "
    "(default: the convex hull of the points).",
)
@click.option("--area-layer", default=None, help="Layer of the --area file (default: the first).")
@_metres_option("--cell-size-m", 150.0, "Grid cell side in metres.")
@click.option(
    "--step",
    type=click.Choice(ev.STEPS),
    default="month",
    show_default=True,
    help="Forecast and score each calendar month, or each ISO week as the patrol plan does.",
)
@click.option(
    "--plan-cells",
    type=click.IntRange(min=1),
    default=ev.PLAN_CELLS,
    show_default=True,
    help="Cells a week's patrol plan can visit; the share of events in the top ones is reported.",
)
@click.option(
    "--train-months",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Months of history (1 or more).",
)
@click.option(
    "--methods",
    default="count_3m,kde,prospective,default",
    show_default=True,
    help=(
        "Comma-separated methods (count_<n>w|m, kde, kde_<m>, prospective, multiscale, default). "
        "Name hindsight_count or hindsight_kde here to add a row that ranks the cells by every "
        "other month of the file: a ceiling, not a forecast; not in the default list."
    ),
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the learned method.")
@click.option(
    "--json",
    "json_out",
    is_flag=False,
    flag_value="-",
    default=None,
    help="Write the JSON summary to this file ('--json' alone: stdout).",
)
@click.option(
    "--plot",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a PNG of hit rate vs area.",
)
@click.option(
    "--ceiling",
    is_flag=True,
    help="Also simulate how far a forecast that knew every cell's rate would beat "
    "count_<train-months>m (a world whose cells keep their rates; see geo/ceiling.py).",
)
@_stale_outputs_removed
def evaluate_command(
    file: Path,
    x_col: str | None,
    y_col: str | None,
    time_col: str,
    crs: str | None,
    layer: str | None,
    id_col: str | None,
    tz: str | None,
    where: tuple[str, ...],
    max_distance_km: float | None,
    period: str | None,
    area: Path | None,
    area_layer: str | None,
    cell_size_m: float,
    step: str,
    plan_cells: int,
    train_months: int,
    methods: str,
    seed: int,
    json_out: str | None,
    plot: Path | None,
    ceiling: bool,
) -> None:
    """Backtest forecast methods on a point file with a rolling monthly (or weekly) origin.

    Reports hit rate, PAI and PEI at 1/5/10 % of the area and the share of events in the
    cells a patrol plan can visit, averaged over the test months (or weeks).

    Example: geo evaluate sf.csv --x-col lon --y-col lat --time-col date --crs EPSG:4326
    --where Category=VANDALISM --json out.json
    """
    names = [m.strip() for m in methods.split(",") if m.strip()]
    ev.check_methods(names, train_months)  # before a large file is read
    for option, out in (("--json", json_out), ("--plot", plot)):
        if out is not None and out != "-":
            check_writable(Path(out), fix=_WRITABLE_FIX % option)  # before the run, not after
    points = read_points(
        file, x_col=x_col, y_col=y_col, time_col=time_col, crs=crs, where=where,
        max_distance_km=max_distance_km, period=period, layer=layer, id_col=id_col, tz=tz,
    )  # fmt: skip
    region = None
    if area is not None:
        region = read_area(area, crs=points.attrs["crs"], layer=area_layer)
        points = clip_to_area(points, region, label=str(area))
    points.attrs["warnings"] = [
        *points.attrs.get("warnings", []),
        *ev.study_area_notes(points, cell_size_m, region),
    ]
    click.echo(_row_account(points.attrs), err=True)
    missing = missing_months(points["t"])
    periods, left_out = ev.without_missing(
        ev.backtest_periods(points["t"], train_months=train_months, step=step), missing
    )
    if left_out:
        click.echo(missing_warning(missing, left_out, points["t"], step=step), err=True)
    n_steps = len(periods)
    with _progress(max(n_steps, 1) * len(names), "evaluate") as advance:
        results, curves = ev.backtest(
            points, methods=names, cell_size_m=cell_size_m, train_months=train_months, seed=seed,
            progress=advance, plan_cells=plan_cells, step=step, area=region,
        )  # fmt: skip
    summary = ev.summarize(results, cell_size_m=cell_size_m, train_months=train_months)
    summary.update(
        file=str(file), where=list(where), n_points=len(points), crs=points.attrs.get("crs"),
        rows=points.attrs["rows"], time_format=points.attrs["time_format"],
        period=points.attrs["period"], layer=points.attrs["layer"] or None,
        tz=points.attrs["tz"], times_converted=points.attrs["times_converted"],
        warnings=list(points.attrs.get("warnings", [])),
        missing_months=[str(m) for m in missing], left_out=[p.label for p in left_out],
        area=str(area) if area is not None else "convex hull of the points",
    )  # fmt: skip
    fit_note = ev.default_fit_note(periods, names)
    if fit_note:
        summary["default_note"] = fit_note
    bound = None
    if ceiling:
        bound = stationary_ceiling(
            points, cell_size_m=cell_size_m, train_months=train_months, step=step, seed=seed,
            area=region,
        )  # fmt: skip
        summary["ceiling"] = {
            "ratio_pai_5": bound.ratio, "pai_5_oracle": bound.pai_oracle,
            "pai_5_count": bound.pai_count,
            "swing_shape_k": bound.shape_k if np.isfinite(bound.shape_k) else None,
            "step": bound.step, f"{bound.step}s": bound.steps,
            "train_steps": bound.train_steps, "simulations": bound.simulations,
        }  # fmt: skip
    if json_out and json_out != "-":  # the numbers first: a plot that fails loses nothing
        text = json.dumps(summary, ensure_ascii=False, indent=2)
        write_atomically(Path(json_out), text.encode("utf-8"), fix=_WRITABLE_FIX % "--json")
    if plot is not None:
        n_cells = summary.get("n_cells")
        png = io.BytesIO()
        ev.plot_hit_rates(
            curves, title=f"{file.name} {' '.join(where)}",
            plan_share=plan_cells / n_cells if isinstance(n_cells, int) and n_cells else None,
        ).savefig(png, format="png")  # fmt: skip
        write_atomically(plot, png.getvalue(), fix=_WRITABLE_FIX % "--plot")
    if json_out == "-":
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    click.echo(ev.markdown_table(summary))
    for note in (ev.few_events_note(summary), fit_note):
        if note:
            click.echo("\n" + note)
    click.echo("\n" + ev.plan_sentence(summary))
    click.echo("")
    if step == "month":
        click.echo(ev.monthly_table(summary))
    else:
        means = summary["methods"]
        assert isinstance(means, dict)
        scored = max((int(m.get("weeks") or 0) for m in means.values()), default=0)
        click.echo(
            f"PAI per week: {n_steps} test weeks, {scored} with events (the means' 'weeks'), "
            "in the JSON (--json, per_week)."
        )
    if bound is not None:
        click.echo(
            f"\nCeiling (simulated, {bound.simulations} draws; every cell keeps its mean rate over "
            f"the file's {bound.steps} {bound.step}s, with the swings between {bound.step}s it "
            f"shows, gamma shape k = {bound.shape_k:.2f}): a forecast that knew every rate would "
            f"reach PAI@5% {bound.pai_oracle:.2f} against count_{train_months}m's "
            f"{bound.pai_count:.2f} ({bound.train_steps} {bound.step}s), {bound.ratio:.3f} ×."
        )
