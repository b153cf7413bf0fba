"""The main job behind ``geo run``: embedded data → store → analysis, plan, maps, follow-up."""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import networkx as nx
import pandas as pd
from threadpoolctl import threadpool_limits

from geo import ingest, settings, store
from geo.background import Background
from geo.errors import GeoError
from geo.model import THEMES
from geo.months import previous_month, today_month
from geo.network import load_graph
from geo.patrol import (
    Plan,
    load_priorities,
    plan_from_inputs,
    read_plan_inputs,
    replan,
    save_plan,
    week_forecast,
    week_to_plan,
)
from geo.sample import default_end, make_sample
from geo.sites import load_boundary, load_places, theme_mask
from geo.spots import read_spots
from geo.store import ImportResult
from geo.weeks import local_now

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import SynchronizedString
    from multiprocessing.synchronize import Event

# The analysis and map stack (esda, scikit-learn, folium: 2-3 s to import) is imported in
# the child that uses it, beside the parent's store stage, not here.

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What the main job did.

    Attributes
    ----------
    imports
        Import counts per input (the synthetic set, the police dumps).
    by_theme
        Stored incidents per theme: ``theme``, ``label``, ``n``.
    by_place
        Stored incidents per place and theme (places with any), with a total column.
    period
        First and last ``occurred_at`` in the store.
    outputs
        Files the job wrote, by name.
    stage_s
        Wall-clock seconds per stage: ``store``, ``plan`` (with its PDF), ``maps wait``
        (how long the plan waited for the maps), and the child's ``analysis (child)``,
        ``maps (child)`` and ``report (child)``, run beside the plan.
    problems
        What the job could not write and why (the follow-up, when the activity plan is
        broken); the rest of the job is done.
    plan_week, plan_why
        The week planned and, in Swedish, why that one (:func:`geo.patrol.week_to_plan`).
    """

    imports: dict[str, ImportResult]
    by_theme: pd.DataFrame
    by_place: pd.DataFrame
    period: tuple[pd.Timestamp | None, pd.Timestamp | None]
    outputs: dict[str, Path] = field(default_factory=dict)
    stage_s: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    plan_week: str = ""
    plan_why: str = ""


class _StageTimer:
    """Measure wall-clock seconds of named stages (``with timer("maps"): ...``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = time.perf_counter() - start
            logger.info("stage %s: %.2f s", stage, self.seconds[stage])


def analyse(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    spots: gpd.GeoDataFrame | None = None,
    seed: int | None = None,
    G: nx.MultiDiGraph | None = None,
    end: pd.Timestamp | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Compute the lägesbild's analysis layers: hotspots, Gi*, emerging, places, road segments.

    Parameters
    ----------
    incidents
        All stored incidents (EPSG:3006).
    places
        The named places.
    spots
        Kommun-marked traffic spots (open ones count on the roads).
    seed
        Seed for the permutation tests.
    G
        Road graph; default :func:`geo.network.load_graph`.
    end
        The time the data are complete to (now): see :func:`geo.hotspots.run_analysis`.

    Returns
    -------
    dict
        Layer name → layer, ready for :func:`geo.store.write_layer`.
    """
    from geo.hotspots import run_analysis
    from geo.roads import control_points, road_segments

    area = load_boundary().buffer(settings.boundary_buffer_m)
    layers = dict(run_analysis(incidents, places, seed=seed, area=area, end=end))
    G = G if G is not None else load_graph()
    traffic = incidents[incidents["theme"] == "T"]
    checks = load_priorities()  # the plan's: which check a traffic category calls for
    layers["road_segments"] = road_segments(G, traffic, checks=checks, spots=spots)
    layers["control_points"] = control_points(layers["road_segments"], G, checks=checks)
    return layers


def _analyse_and_draw(
    path: Path,
    out_dir: Path,
    seed: int,
    report: tuple[str, pd.Timestamp | None],
    store_ready: Event,
    plan_week: SynchronizedString,
    parent: int,
) -> tuple[dict[str, Path], dict[str, float], list[str]]:
    """Write the analysis layers, draw the maps (with the plan week's forecast), follow up a month.

    The lägesbild half of the main job, and the monthly report, which reads its layers.

    Run in a child process, it imports its stack while the parent builds the store, waits
    for the store to be ready, and is then the only process writing to it.

    Parameters
    ----------
    path
        The store.
    out_dir
        Folder of the maps.
    seed
        Seed of the permutation tests.
    report
        The month of the follow-up (``YYYY-MM``) and its report day (None: the clock).
    store_ready
        Set by the parent once the store is built and it has read what it needs.
    plan_week
        The ISO week the parent plans, ASCII, set before ``store_ready``: its forecast is
        drawn on the internal map.
    parent
        The parent's process id (if it is no longer our parent, it is gone).

    Returns
    -------
    tuple
        The files written, by name (the maps by their stem, the report's as ``report_html``,
        ``report_xlsx``, ``report_csv``), the seconds of the stages ``analysis``, ``maps``
        and ``report``, and why the follow-up was not written (a broken activity plan, say),
        which does not stop the maps or the plan.

    Raises
    ------
    GeoError
        If the parent process ends before the store is ready.
    """
    import geo.hotspots  # noqa: F401 - the heavy imports, before waiting
    from geo.maps import build_all
    from geo.report.monthly import build_report

    timer = _StageTimer()
    while not store_ready.wait(timeout=1.0):
        if os.getppid() != parent:  # killed parent: do not wait for ever
            msg = "The main process of geo run ended before the store was ready."
            raise GeoError(msg)
    with threadpool_limits(limits=1):
        with timer("analysis"):
            incidents = store.read_incidents(path)
            month, now = report
            places = load_places()
            layers = analyse(
                incidents, places, spots=read_spots(path), seed=seed,
                end=now if now is not None else local_now(),
            )  # fmt: skip
            for name, layer in layers.items():
                store.write_layer(layer, name, path)
            # the forecast the parent plans from, computed alike, for the planner's map; not
            # stored (its 168-hour profiles of every cell are some 17 MB: `geo forecast` does)
            forecast = week_forecast(incidents, plan_week.value.decode("ascii"), places=places)
        with timer("maps"):
            maps = build_all(store_path=path, out_dir=out_dir, forecast=forecast)
            made = {file.stem: file for file in maps}
        problems = []
        with timer("report"):
            try:  # the PDF is `geo report`'s: a second Chromium here slows the plan's
                written = build_report(
                    month=month, store_path=path, out_dir=out_dir, now=now, pdf=False
                )
            except GeoError as e:
                written = {}
                problems.append(f"uppföljningen för {month} skrevs inte: {e}")
    made.update({f"report_{kind}": file for kind, file in written.items()})
    return made, timer.seconds, problems


def _write_plan(plan: Plan, out_dir: Path) -> dict[str, Path]:
    from geo.report.plan import write_outputs  # folium; after the fork

    return write_outputs(plan, out_dir=out_dir)


def polisen_dumps() -> list[Path]:
    """Return the real police event dumps shipped in ``data/polisen``."""
    folder = settings.data_dir / "polisen"
    return sorted(folder.glob("polisen_events_*.json"))


def summarize(
    incidents: pd.DataFrame, places: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Count incidents per theme, and per place and theme.

    An incident at a bathing site counts for B as well as for its category's theme, so
    the theme counts can add up to more than the number of incidents.

    Parameters
    ----------
    incidents
        Incidents with ``theme``, ``place_id`` and ``place_name`` columns.
    places
        The named places (:func:`geo.sites.load_places`).

    Returns
    -------
    tuple of pandas.DataFrame
        ``by_theme`` (``theme``, ``label``, ``n``, all four themes) and ``by_place``
        (index place name, one column per theme and ``totalt``, sorted by total).
    """
    masks = {t: theme_mask(incidents, t, places) for t in THEMES}
    by_theme = pd.DataFrame(
        {
            "theme": list(THEMES),
            "label": list(THEMES.values()),
            "n": [int(masks[t].sum()) for t in THEMES],
        }
    )
    placed = incidents["place_name"].notna()
    by_place = pd.DataFrame(
        {t: incidents[placed & masks[t]].groupby("place_name").size() for t in THEMES}
    )
    by_place = by_place.fillna(0).astype(int)
    by_place["totalt"] = (
        incidents[placed].groupby("place_name").size().reindex(by_place.index).astype(int)
    )
    return by_theme, by_place.sort_values("totalt", ascending=False)


def run_main_job(
    *,
    store_path: Path | None = None,
    maps_dir: Path | None = None,
    end: date | None = None,
    seed: int = 1814,
) -> RunResult:
    """Build the store from the embedded data, plan next week, draw the maps, follow up a month.

    The monthly follow-up (HTML, XLSX, CSV; ``geo report`` prints the PDF) is the one
    ``geo report`` writes without options: last month, now. With ``end`` given it is the
    last whole month before ``end``, as the store stood when ``end`` began, so a run with
    the same ``end`` writes the same report. A follow-up that cannot be written (a broken
    activity plan) is a problem in the result; the store, the maps and the plan are made.

    The synthetic set (regenerated to end with the last full ISO week) replaces the
    previous synthetic rows; the real police dumps are imported once (re-imports add
    nothing). Data imported by users and spots marked in the app are kept.

    Parameters
    ----------
    store_path
        The store; default ``settings.store_path``.
    maps_dir
        Folder for the maps, the plan and the follow-up; default ``settings.maps_dir``.
    end
        First day after the synthetic data (a Monday); default this week's Monday.
    seed
        Seed of the synthetic set.

    Returns
    -------
    RunResult
        Counts and summaries.
    """
    path = store_path or settings.store_path
    # a given end is a report day too (the store as it stood then), so a run is repeatable
    report: tuple[str, pd.Timestamp | None]
    if end is None:
        report = (previous_month(today_month()), None)
    else:
        report = (previous_month(f"{end:%Y-%m}"), pd.Timestamp(end, tz=settings.timezone))
    end = end or default_end()
    out_dir = maps_dir or settings.maps_dir
    timer = _StageTimer()
    path.parent.mkdir(parents=True, exist_ok=True)
    sample_csv = path.parent / f"lekeberg_syntetisk_{end.isoformat()}.csv"
    # Two cores: a forked child imports the analysis stack while this process builds the
    # store, then writes the analysis layers and draws the maps while this one plans next
    # week and prints its one-pager. One writer at a time: the child starts on the store
    # only when this process has read all it needs; the plan's stops are stored at the end.
    store_ready = multiprocessing.Event()
    shared_week = multiprocessing.Array(ctypes.c_char, 16)  # "2026-W49", set before store_ready
    with Background(
        _analyse_and_draw, path, out_dir, seed, report, store_ready, shared_week, os.getpid()
    ) as drawing:
        with timer("store"):
            make_sample(end=end, seed=seed).to_csv(sample_csv, index=False, encoding="utf-8")
            imports: dict[str, ImportResult] = {
                "syntetisk": ingest.import_file(
                    sample_csv,
                    store_path=path,
                    replace_source="syntetisk",
                    now=pd.Timestamp(end, tz=settings.timezone),
                ),
            }
            for dump in polisen_dumps():
                imports[dump.name] = ingest.import_file(dump, store_path=path)
            places = load_places()
            store.write_layer(places, "places", path)
            incidents = store.read_incidents(path)
            plan_week, plan_why = week_to_plan(store_path=path)
            plan_inputs = read_plan_inputs(plan_week, store_path=path, incidents=incidents)
            shared_week.value = plan_week.encode("ascii")
        store_ready.set()
        with threadpool_limits(limits=1), timer("plan"):
            begun = replan(plan_week, load_priorities(), log=plan_inputs.log)
            plan = plan_from_inputs(
                plan_inputs, options=begun.options, not_before=begun.not_before,
                logged_min=begun.logged_min,
            )  # fmt: skip
            made_plan = _write_plan(plan, out_dir)
        try:
            with timer("maps wait"):
                made_child, child_s, problems = drawing.result()
        finally:  # the child is done writing the store, even when it failed
            save_plan(plan, path)
    timer.seconds.update({f"{stage} (child)": s for stage, s in child_s.items()})
    by_theme, by_place = summarize(incidents, places)
    period = (
        (incidents["occurred_at"].min(), incidents["occurred_at"].max())
        if len(incidents)
        else (None, None)
    )
    outputs: dict[str, Path] = {"store": path, "sample": sample_csv}
    outputs.update({f"plan_{kind}": file for kind, file in made_plan.items()})
    outputs.update(made_child)
    result = RunResult(
        imports, by_theme, by_place, period, outputs, stage_s=timer.seconds, problems=problems,
        plan_week=plan_week, plan_why=plan_why,
    )  # fmt: skip
    return result
