"""The road graph: load (GraphML cache, local OSM, schematic), speeds, snapping, travel times.

One module per part, imported one way (each only from those above it):
:mod:`~geo.network.sources` (which file), :mod:`~geo.network.schematic` (the built-in
network), :mod:`~geo.network.loading` (graph and speeds), :mod:`~geo.network.snapping`,
:mod:`~geo.network.travel` (times and routes), :mod:`~geo.network.edges`.
"""

from geo.network.edges import graph_edges, road_labels
from geo.network.loading import (
    SWEDISH_DEFAULT_SPEEDS_KPH,
    add_travel_times,
    fetch_graph,
    load_graph,
    read_osm_pbf,
    save_graph,
)
from geo.network.schematic import build_schematic_osm, entry_node
from geo.network.snapping import nearest_nodes, snap_to_edges
from geo.network.sources import (
    ENTRY_NODE_NAME,
    NON_DRIVABLE_HIGHWAYS,
    SCHEMATIC_LABEL,
    SCHEMATIC_NOTE,
    filter_highways,
    find_graph_source,
    graphml_cache_path,
    osm_dir,
    schematic_osm_path,
    schematic_source_path,
)
from geo.network.travel import graph_matrix, route, route_travel_time_s, travel_time_matrix

__all__ = [
    "ENTRY_NODE_NAME",
    "NON_DRIVABLE_HIGHWAYS",
    "SCHEMATIC_LABEL",
    "SCHEMATIC_NOTE",
    "SWEDISH_DEFAULT_SPEEDS_KPH",
    "add_travel_times",
    "build_schematic_osm",
    "entry_node",
    "fetch_graph",
    "filter_highways",
    "find_graph_source",
    "graph_edges",
    "graph_matrix",
    "graphml_cache_path",
    "load_graph",
    "nearest_nodes",
    "osm_dir",
    "read_osm_pbf",
    "road_labels",
    "route",
    "route_travel_time_s",
    "save_graph",
    "schematic_osm_path",
    "schematic_source_path",
    "snap_to_edges",
    "travel_time_matrix",
]
