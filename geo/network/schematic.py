"""The schematic road network: OSM XML built from named waypoints, and its entry node."""

from __future__ import annotations

import logging
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx

from geo import settings
from geo.errors import DataError, NetworkError
from geo.network.sources import (
    ENTRY_NODE_NAME,
    SCHEMATIC_GENERATOR,
    SCHEMATIC_LABEL,
    schematic_osm_path,
    schematic_source_path,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Waypoint:
    name: str
    lon: float
    lat: float


def _read_schematic_source(source: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        msg = f"Cannot read the schematic road file {str(source)!r}: {e}. Fix its TOML syntax."
        raise NetworkError(msg) from e
    roads = data.get("road", [])
    if not roads:
        msg = f"The schematic road file {str(source)!r} lists no [[road]]; add at least one."
        raise NetworkError(msg)
    return data, roads


def _resolve_waypoints(
    data: dict[str, Any], roads: list[dict[str, Any]], source: Path
) -> dict[str, _Waypoint]:
    from geo.sites import Gazetteer, load_places

    extra = {
        str(w["name"]): _Waypoint(str(w["name"]), float(w["lon"]), float(w["lat"]))
        for w in data.get("waypoint", [])
    }
    gazetteer = Gazetteer(load_places())
    resolved: dict[str, _Waypoint] = {}
    for road in roads:
        for name in road.get("via", []):
            if name in resolved:
                continue
            if name in extra:
                resolved[name] = extra[name]
                continue
            match = gazetteer.lookup(name)
            if match is None:
                msg = (
                    f"Waypoint {name!r} in {str(source)!r} is neither a [[waypoint]] in the file "
                    "nor a place in data/platser; add it as a [[waypoint]] with lon/lat and a note."
                )
                raise NetworkError(msg)
            pt = gpd.GeoSeries([match.point], crs=settings.working_crs).to_crs(4326).iloc[0]
            resolved[name] = _Waypoint(name, round(pt.x, 7), round(pt.y, 7))
    return resolved


def build_schematic_osm(source: Path | None = None, target: Path | None = None) -> Path:
    """Turn the schematic road data file into OSM XML (deterministic, no timestamps).

    Parameters
    ----------
    source
        The road data file; default :func:`schematic_source_path`.
    target
        The ``.osm`` to write; default :func:`schematic_osm_path`.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    NetworkError
        If the data file is invalid or names an unknown waypoint.
    """
    source = source or schematic_source_path()
    target = target or schematic_osm_path()
    data, roads = _read_schematic_source(source)
    points = _resolve_waypoints(data, roads, source)
    node_id = {name: i for i, name in enumerate(points, start=1)}
    root = ET.Element("osm", {"version": "0.6", "generator": SCHEMATIC_GENERATOR})
    root.text = "\n"
    note = ET.Comment(
        " Schematic road network of Lekebergs kommun, generated from "
        f"{source.name}. APPROXIMATE: straight lines between places; not OpenStreetMap data. "
    )
    note.tail = "\n"
    root.append(note)
    for name, wp in points.items():
        node = ET.SubElement(
            root,
            "node",
            {
                "id": str(node_id[name]),
                "version": "1",
                "lat": f"{wp.lat:.7f}",
                "lon": f"{wp.lon:.7f}",
            },
        )
        ET.SubElement(node, "tag", {"k": "name", "v": name})
        node.tail = "\n"
    for i, road in enumerate(roads, start=1):
        via = list(road.get("via", []))
        if len(via) < 2 or "highway" not in road:
            msg = f"Road {i} in {str(source)!r} needs 'highway' and at least two 'via' waypoints."
            raise NetworkError(msg)
        way = ET.SubElement(root, "way", {"id": str(i), "version": "1"})
        for name in via:
            ET.SubElement(way, "nd", {"ref": str(node_id[name])})
        tags = {"highway": str(road["highway"]), "source": "schematic", "note": SCHEMATIC_LABEL}
        for key in ("ref", "name", "maxspeed"):
            if key in road:
                tags[key] = str(road[key])
        for key in sorted(tags):
            ET.SubElement(way, "tag", {"k": key, "v": tags[key]})
        way.tail = "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)
    logger.info("schematic network: %d waypoints, %d roads -> %s", len(points), len(roads), target)
    return target


def entry_node(G: nx.MultiDiGraph, *, name: str = ENTRY_NODE_NAME) -> int:
    """Return the node where the patrol car enters the kommun (the node named ``name``).

    Parameters
    ----------
    G
        The road graph.
    name
        The node's ``name`` tag.

    Returns
    -------
    int
        The node id.

    Raises
    ------
    DataError
        If no node has that name (real OSM has none: pass a point to :func:`nearest_nodes`).
    """
    for node, value in G.nodes(data="name"):
        if value == name:
            return int(node)
    msg = f"No node named {name!r} in the road graph; give the entry point as coordinates instead."
    raise DataError(msg)
