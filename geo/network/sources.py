"""Where the road graph comes from: local OSM files, the schematic network, the GraphML cache."""

from __future__ import annotations

import bz2
import logging
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from geo import settings
from geo.errors import NetworkError

logger = logging.getLogger(__name__)


#: Highway classes a patrol car does not drive on (dropped from local OSM files).
NON_DRIVABLE_HIGHWAYS: frozenset[str] = frozenset(
    {
        "abandoned",
        "bridleway",
        "bus_guideway",
        "bus_stop",
        "construction",
        "corridor",
        "crossing",
        "cycleway",
        "elevator",
        "escalator",
        "footway",
        "no",
        "path",
        "pedestrian",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
        "steps",
        "track",
    }
)


#: Name of the node where the patrol car enters the kommun (schematic network).
ENTRY_NODE_NAME = "Infart från Örebro"


SCHEMATIC_LABEL = "schematiskt vägnät"


SCHEMATIC_GENERATOR = "geo network build-schematic"


#: Swedish note printed with every map and plan drawn on the schematic network.
SCHEMATIC_NOTE = (
    "Schematiskt vägnät: vägarna är raka linjer mellan orter och är ungefärliga. "
    "Byt till riktiga OpenStreetMap-vägar med kommandot ”geo network fetch” på en dator med "
    "internet."
)


def osm_dir() -> Path:
    """Return the folder of road data, ``<data_dir>/osm``."""
    return settings.data_dir / "osm"


def schematic_source_path() -> Path:
    """Return the schematic road data file, ``<data_dir>/osm/lekeberg_roads.toml``."""
    return osm_dir() / "lekeberg_roads.toml"


def schematic_osm_path() -> Path:
    """Return the generated schematic OSM XML, ``<data_dir>/osm/lekeberg_schematic.osm``."""
    return osm_dir() / "lekeberg_schematic.osm"


def graphml_cache_path() -> Path:
    """Return the GraphML cache written by ``geo network fetch``."""
    return osm_dir() / f"kommun_{settings.kommunkod}.graphml"


def find_graph_source(directory: Path | None = None) -> Path:
    """Return the road data :func:`load_graph` would read, in the order of design §5.

    Parameters
    ----------
    directory
        Folder to look in; default :func:`osm_dir`.

    Returns
    -------
    pathlib.Path
        A cached ``.graphml``; else a local ``.osm``/``.osm.bz2``/``.osm.pbf`` (not the
        schematic); else the schematic ``.osm``.
    """
    folder = directory or osm_dir()
    schematic = folder / schematic_osm_path().name
    if folder.is_dir():
        for pattern in ("*.graphml", "*.osm.pbf", "*.osm.bz2", "*.osm"):
            found = sorted(p for p in folder.glob(pattern) if p.name != schematic.name)
            if found:
                return found[0]
    return schematic


def is_schematic_file(path: Path) -> bool:
    """Tell whether an OSM file was written by ``geo network build-schematic`` (its header)."""
    opener: Any = bz2.open if path.name.lower().endswith(".bz2") else open
    try:
        with opener(path, "rb") as f:
            head: bytes = f.read(1000)
    except OSError:
        return False
    return SCHEMATIC_GENERATOR.encode() in head


def _is_drivable(tags: dict[str, str]) -> bool:
    hwy = tags.get("highway")
    if hwy is None or hwy in NON_DRIVABLE_HIGHWAYS or tags.get("area") == "yes":
        return False
    if tags.get("access") in {"no", "private"} or tags.get("motor_vehicle") == "no":
        return False
    return tags.get("service") not in {"parking_aisle", "driveway", "emergency_access"}


def filter_highways(source: Path, target: Path, *, drivable_only: bool = True) -> tuple[int, int]:
    """Write a copy of an OSM XML file that keeps only ``highway=*`` ways and their nodes.

    osmnx's ``graph_from_xml`` turns every way into edges, so buildings, rivers and
    boundaries must be removed first.

    Parameters
    ----------
    source
        An ``.osm`` or ``.osm.bz2`` file.
    target
        The filtered ``.osm`` to write.
    drivable_only
        Also drop ways a car cannot use (footways, cycleways, tracks, private roads).

    Returns
    -------
    tuple of int
        Number of ways and nodes written.

    Raises
    ------
    NetworkError
        If the file is not OSM XML.
    """
    opener: Any = bz2.open if source.name.lower().endswith(".bz2") else open
    nodes: dict[str, ET.Element] = {}
    ways: list[ET.Element] = []
    try:
        with opener(source, "rb") as f:
            for _event, elem in ET.iterparse(f, events=("end",)):
                if elem.tag == "node":
                    nodes[elem.get("id", "")] = elem
                elif elem.tag == "way":
                    tags = {t.get("k", ""): t.get("v", "") for t in elem.iter("tag")}
                    keep = _is_drivable(tags) if drivable_only else "highway" in tags
                    if keep:
                        ways.append(elem)
                    else:
                        elem.clear()
                elif elem.tag == "relation":
                    elem.clear()
    except (OSError, ET.ParseError, EOFError) as e:
        msg = (
            f"Cannot read OSM XML {str(source)!r}: {e}. Check that it is an .osm or .osm.bz2 file."
        )
        raise NetworkError(msg) from e
    root = ET.Element("osm", {"version": "0.6", "generator": "geo.network.filter_highways"})
    used: dict[str, None] = {}
    kept_ways: list[ET.Element] = []
    for way in ways:
        for nd in list(way.iter("nd")):
            if nd.get("ref", "") not in nodes:
                way.remove(nd)
        refs = [nd.get("ref", "") for nd in way.iter("nd")]
        if len(refs) >= 2:
            used.update(dict.fromkeys(refs))
            kept_ways.append(way)
    for ref in used:
        node = nodes[ref]
        node.tail = "\n"
        root.append(node)
    for way in kept_ways:
        way.tail = "\n"
        root.append(way)
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)
    logger.info("%d highway ways, %d nodes kept from %s", len(kept_ways), len(used), source.name)
    return len(kept_ways), len(used)
