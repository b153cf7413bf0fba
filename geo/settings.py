"""Typed, environment-level defaults, optionally overridden by a ``geo.toml``.

Attributes
----------
working_crs : str
    Projected CRS all analysis runs in (``"EPSG:3006"``, SWEREF 99 TM).
display_crs : str
    CRS of GeoJSON and web maps (``"EPSG:4326"``).
timezone : str
    Time zone every stored time is expressed in.
kommunkod : str
    The kommun the tool is set up for (``"1814"``, Lekeberg).
kommun_name : str
    Its name, as the police open API spells it.
lan_name : str
    The län, as the police open API spells it.
kommun_localities : tuple of str
    Localities of the kommun that are no named place (no sourced point to put an event at,
    e.g. Lekhyttan, the village at the E18 junction by lake Leken): a police event of the
    län naming one is the kommun's, kept at the kommun centroid.
data_dir : Path
    Folder of the embedded data (boundary, places, police dumps, road network).
store_path : Path
    Default GeoPackage store.
maps_dir : Path
    Default output folder for maps and plans.
boundary_buffer_m : float
    How far outside the (coarse) kommun boundary a point still counts as inside.
privacy_k : int
    Cells with fewer events than this are suppressed in shared outputs.
polisen_api_url : str
    Base URL of the police open events API.
user_agent : str
    User-Agent sent with every download, as the police API rules ask.
polisen_min_interval_s : float
    Minimum seconds between two calls to the police API (its rule: 10 s).
polisen_max_calls_per_hour : int
    Maximum calls to the police API per hour (its rule: 60).
http_timeout_s : float
    Timeout of one HTTP request.

Settings are read at call time, never at import time, so tests and ``geo.toml`` can change them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from geo.errors import GeoError

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent

working_crs: str = "EPSG:3006"
display_crs: str = "EPSG:4326"
timezone: str = "Europe/Stockholm"
kommunkod: str = "1814"
kommun_name: str = "Lekeberg"
lan_name: str = "Örebro län"
kommun_localities: tuple[str, ...] = ("Lekhyttan",)
data_dir: Path = _PACKAGE_ROOT / "data"
store_path: Path = _PACKAGE_ROOT / "data" / "lagesbild.gpkg"
maps_dir: Path = _PACKAGE_ROOT / "maps"
boundary_buffer_m: float = 500.0
privacy_k: int = 5
polisen_api_url: str = "https://polisen.se/api/events"
user_agent: str = "Trygghetskartan/0.1 (Lekebergs kommun medborgarlofte; geo package)"
polisen_min_interval_s: float = 10.0
polisen_max_calls_per_hour: int = 60
http_timeout_s: float = 30.0

_PATH_KEYS = {"data_dir", "store_path", "maps_dir"}
_TYPES: dict[str, type] = {
    "working_crs": str,
    "display_crs": str,
    "timezone": str,
    "kommunkod": str,
    "kommun_name": str,
    "lan_name": str,
    "kommun_localities": tuple,
    "boundary_buffer_m": float,
    "privacy_k": int,
    "polisen_api_url": str,
    "user_agent": str,
    "polisen_min_interval_s": float,
    "polisen_max_calls_per_hour": int,
    "http_timeout_s": float,
}


def load_toml(path: Path) -> None:
    """Override settings from a TOML file (keys as the module attributes).

    Parameters
    ----------
    path
        A ``geo.toml``; relative paths inside it are relative to its folder.

    Raises
    ------
    GeoError
        If the file is not valid TOML or names an unknown setting.
    """
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        msg = (
            f"Cannot read settings file {str(path)!r}: {e}. Fix the TOML syntax or remove the file."
        )
        raise GeoError(msg) from e
    module = globals()
    for key, value in values.items():
        if key in _PATH_KEYS:
            module[key] = (path.parent / str(value)).resolve()
        elif key in _TYPES:
            module[key] = _TYPES[key](value)
        else:
            known = ", ".join(sorted(_PATH_KEYS | set(_TYPES)))
            msg = f"Unknown setting {key!r} in {str(path)!r}; known settings: {known}."
            raise GeoError(msg)
