"""``geo network``: schematic road network, OSM download, traffic hotspots on roads."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from geo import network, store
from geo import roads as road_layers
from geo.cli._options import existing_store_option, json_option, path_option, priorities_option
from geo.errors import GeoError
from geo.patrol import load_priorities
from geo.spots import read_spots

logger = logging.getLogger(__name__)


class _NetworkGroup(click.Group):
    """Turn :class:`GeoError` into a one-line error (exit 1) when run on its own."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the command, reporting a :class:`GeoError` as ``Error: message``."""
        try:
            return super().invoke(ctx)
        except GeoError as e:
            raise click.ClickException(str(e)) from e


def _emit(as_json: bool, data: dict[str, object], text: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False) if as_json else text)


_graph_option = path_option(
    "--graph",
    "graph_path",
    exists=True,
    help_text="Road data file (default: what load_graph picks in data/osm).",
)


@click.group("network", cls=_NetworkGroup, context_settings={"help_option_names": ["-h", "--help"]})
def network_group() -> None:
    """Road network: schematic default, OSM download, traffic hotspots on roads.

    Example: geo network info
    """


@network_group.command("build-schematic")
@path_option(
    "--source", exists=True, help_text="Road data file (default data/osm/lekeberg_roads.toml)."
)
@path_option(
    "-o", "--output", help_text="OSM XML to write (default data/osm/lekeberg_schematic.osm)."
)
@json_option
def build_schematic(source: Path | None, output: Path | None, as_json: bool) -> None:
    """Turn the schematic road data file into OSM XML read by the normal loader.

    Example: geo network build-schematic
    """
    path = network.build_schematic_osm(source, output)
    G = network.load_graph(path=path)
    data = {"output": str(path), "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}
    _emit(as_json, data, f"Wrote {path} ({data['nodes']} nodes, {data['edges']} edges).")


@network_group.command("fetch")
@path_option(
    "-o", "--output", help_text="GraphML cache to write (default data/osm/kommun_<kod>.graphml)."
)
@click.option("--buffer-m", type=float, default=1000.0, show_default=True, help="Margin.")
@path_option(
    "--http-cache",
    folder=True,
    help_text="Folder for raw Overpass responses (default data/osm/cache).",
)
@json_option
def fetch(output: Path | None, buffer_m: float, http_cache: Path | None, as_json: bool) -> None:
    """Download the kommun's roads from OpenStreetMap (needs internet) and cache them.

    Example: geo network fetch
    """
    G = network.fetch_graph(buffer_m=buffer_m, cache_path=output, http_cache_dir=http_cache)
    data = {"output": G.graph["source"], "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}
    _emit(as_json, data, f"Cached {data['edges']} road edges to {data['output']}.")


@network_group.command("info")
@_graph_option
@json_option
def info(graph_path: Path | None, as_json: bool) -> None:
    """Show which road network is used and its size.

    Example: geo network info --json
    """
    G = network.load_graph(path=graph_path)
    length_km = sum(d for _, _, d in G.edges(data="length")) / 1000.0
    data = {
        "source": G.graph["source"],
        "schematic": bool(G.graph["schematic"]),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "edge_length_km": round(length_km, 1),
    }
    note = f"\n{network.SCHEMATIC_NOTE}" if data["schematic"] else ""
    _emit(as_json, data, f"{data['source']}: {data['nodes']} nodes, {data['edges']} edges{note}")


@network_group.command("roads")
@existing_store_option
@_graph_option
@click.option("--tolerance-m", type=float, default=50.0, show_default=True, help="Snap distance.")
@click.option("--min-segment-m", type=float, default=200.0, show_default=True)
@click.option("--top", type=int, default=10, show_default=True, help="Control points to suggest.")
@priorities_option
@json_option
def roads(
    store_path: Path | None,
    graph_path: Path | None,
    tolerance_m: float,
    min_segment_m: float,
    top: int,
    priorities: Path | None,
    as_json: bool,
) -> None:
    """Rank road segments by traffic events per km; write layers road_segments and control_points.

    Traffic incidents (theme T) and the open kommun-marked spots (from the marking app)
    within --tolerance-m of a road count. Segments with fewer than 3 events rank after the
    others. Prints a control point for each of the --top best-ranked segments whose events call
    for a check, in rank order. Which check a category calls for is the plan's: [aktiviteter]
    in --priorities (by default accidents and a trafikfarlig plats call for none).

    Example: geo network roads --top 5
    """
    incidents = store.read_incidents(store_path, themes=["T"])
    spots = read_spots(store_path)
    G = network.load_graph(path=graph_path)
    checks = load_priorities(priorities)
    segments = road_layers.road_segments(
        G,
        incidents,
        checks=checks,
        spots=spots,
        tolerance_m=tolerance_m,
        min_segment_m=min_segment_m,
    )
    points = road_layers.control_points(segments, G, checks=checks, top=top)
    store.write_layer(segments, "road_segments", store_path)
    store.write_layer(points, "control_points", store_path)
    per_km = segments.set_index("segment_id")["events_per_km"]
    records = [
        {**r, "events_per_km": round(float(per_km[r["segment_id"]]), 2)}
        for r in points[["rank", "segment_id", "label", "activity", "reason"]].to_dict("records")
    ]
    data = {
        "schematic": bool(G.graph["schematic"]),
        "segments": len(segments),
        "events_on_roads": int(segments["n_events"].sum()),
        "ranked_by": "events_per_km",
        "control_points": records,
    }
    lines = [
        f"{len(segments)} road segments, {data['events_on_roads']} traffic "
        f"{'event' if data['events_on_roads'] == 1 else 'events'} on roads; "
        f"ranked by events per km (segments with fewer than {road_layers.MIN_EVENTS_FOR_CLAIM} "
        "events last):"
    ]
    lines += [
        f"{r['rank']:>2}. {r['events_per_km']:5.1f} per km  {r['label']}: {r['activity']} – "
        f"{r['reason']}"
        for r in records
    ]
    if data["schematic"]:
        lines.append(network.SCHEMATIC_NOTE)
    _emit(as_json, data, "\n".join(lines))
