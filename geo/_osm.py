"""Download OpenStreetMap roads with osmnx: the only module that opens sockets for OSM."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import networkx as nx
import osmnx as ox
import requests
import shapely

from geo import settings
from geo.errors import NetworkError

logger = logging.getLogger(__name__)


@contextmanager
def _osmnx_settings(cache_dir: Path) -> Iterator[None]:
    saved: tuple[str | Path, bool, str, float, bool] = (
        ox.settings.cache_folder,
        ox.settings.use_cache,
        ox.settings.http_user_agent,
        ox.settings.requests_timeout,
        ox.settings.overpass_rate_limit,
    )
    ox.settings.cache_folder = cache_dir
    ox.settings.use_cache = True
    ox.settings.http_user_agent = settings.user_agent
    ox.settings.requests_timeout = settings.http_timeout_s
    try:
        yield
    finally:
        (
            ox.settings.cache_folder,
            ox.settings.use_cache,
            ox.settings.http_user_agent,
            ox.settings.requests_timeout,
            ox.settings.overpass_rate_limit,
        ) = saved


def _reachable(url: str) -> bool:
    """Tell whether the Overpass server answers (osmnx would otherwise wait a minute first)."""
    status = url.rstrip("/") + "/status"
    try:
        requests.get(
            status,
            timeout=min(settings.http_timeout_s, 10.0),
            headers={"User-Agent": settings.user_agent},
        )
    except requests.RequestException as e:
        logger.warning("Overpass server %s not reachable: %s", url, type(e).__name__)
        return False
    return True


def download_graph(
    polygon_4326: shapely.Polygon | shapely.MultiPolygon,
    *,
    cache_dir: Path,
    network_type: str = "drive",
) -> nx.MultiDiGraph:
    """Download the road graph inside a polygon from the Overpass API of osmnx's settings.

    Raw Overpass responses are cached in ``cache_dir``, so a repeated download of the same
    area is answered from the cache without the server.

    Parameters
    ----------
    polygon_4326
        The area in WGS84 (lon/lat).
    cache_dir
        Folder for osmnx's response cache.
    network_type
        osmnx network type (``"drive"`` for a patrol car).

    Returns
    -------
    networkx.MultiDiGraph
        Unprojected (EPSG:4326), unsimplified osmnx graph.

    Raises
    ------
    NetworkError
        If the server cannot be reached (and nothing is cached), answers with an error, or
        returns no roads.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _osmnx_settings(cache_dir):
        url = ox.settings.overpass_url
        if not _reachable(url):
            if not any(cache_dir.glob("*.json")):
                msg = (
                    f"Cannot reach the Overpass server {url!r} and nothing is cached in "
                    f"{str(cache_dir)!r}. Run `geo network fetch` on a machine with internet "
                    "access, or copy a cached GraphML or an .osm/.osm.pbf extract into data/osm/."
                )
                raise NetworkError(msg)
            logger.info("offline: trying the response cache only")
            ox.settings.overpass_rate_limit = False
        logger.info("downloading OSM roads from %s (cache %s)", ox.settings.overpass_url, cache_dir)
        try:
            G = ox.graph_from_polygon(
                polygon_4326, network_type=network_type, simplify=False, retain_all=True
            )
        except requests.RequestException as e:
            msg = (
                f"Downloading OSM roads from {ox.settings.overpass_url!r} failed "
                f"({type(e).__name__}: {e}). Check the internet connection and try "
                "`geo network fetch` again."
            )
            raise NetworkError(msg) from e
        except (ox._errors.InsufficientResponseError, ox._errors.ResponseStatusCodeError) as e:
            msg = (
                f"The Overpass server {ox.settings.overpass_url!r} returned no usable roads ({e}). "
                "Try again later or set another server in osmnx.settings.overpass_url."
            )
            raise NetworkError(msg) from e
    logger.info("downloaded %d nodes, %d edges", G.number_of_nodes(), G.number_of_edges())
    return G
