"""Inline the Leaflet and plugin JS/CSS from the pinned npm packages into a rendered map page.

folium links every script and stylesheet to a CDN. A police PC may have no internet, so
:func:`inline_assets` replaces each ``<script src="https://…">`` and
``<link rel="stylesheet" href="https://…">`` with the file's content from ``node_modules``
(installed from ``package.json`` by ``npm ci``), and turns every CSS ``url(…)`` (marker
icons, sprites, web fonts) into a ``data:`` URI. A CDN URL with no npm counterpart is an
error, so a new plugin cannot silently make a map depend on the network.
"""

from __future__ import annotations

import base64
import logging
import os
import re
from functools import lru_cache
from pathlib import Path

from geo.errors import GeoError

logger = logging.getLogger(__name__)

#: CDN URL pattern (matched against the end of the URL) → file under ``node_modules``;
#: ``None`` drops the link (the resource is not needed by any map we draw).
ASSETS: tuple[tuple[str, str | None], ...] = (
    (r"/leaflet@[\d.]+/dist/leaflet\.js", "leaflet/dist/leaflet.js"),
    (r"/leaflet@[\d.]+/dist/leaflet\.css", "leaflet/dist/leaflet.css"),
    (r"/jquery-3\.7\.1\.min\.js", "jquery/dist/jquery.min.js"),
    (r"/jquery/3\.7\.1/jquery\.min\.js", "jquery/dist/jquery.min.js"),
    (
        r"/bootstrap@[\d.]+/dist/js/bootstrap\.bundle\.min\.js",
        "bootstrap/dist/js/bootstrap.bundle.min.js",
    ),
    (r"/bootstrap@[\d.]+/dist/css/bootstrap\.min\.css", "bootstrap/dist/css/bootstrap.min.css"),
    (r"/bootstrap/3\.0\.0/css/bootstrap-glyphicons\.css", None),
    (
        r"/@fortawesome/fontawesome-free@[\d.]+/css/all\.min\.css",
        "@fortawesome/fontawesome-free/css/all.min.css",
    ),
    (
        r"/Leaflet\.awesome-markers/[\d.]+/leaflet\.awesome-markers\.js",
        "leaflet.awesome-markers/dist/leaflet.awesome-markers.min.js",
    ),
    (
        r"/Leaflet\.awesome-markers/[\d.]+/leaflet\.awesome-markers\.css",
        "leaflet.awesome-markers/dist/leaflet.awesome-markers.css",
    ),
    (r"/leaflet\.awesome\.rotate\.min\.css", None),
    (r"/leaflet_heat\.min\.js", "leaflet.heat/dist/leaflet-heat.js"),
    (
        r"/leaflet\.featuregroup\.subgroup@[\d.]+/dist/leaflet\.featuregroup\.subgroup\.js",
        "leaflet.featuregroup.subgroup/dist/leaflet.featuregroup.subgroup.js",
    ),
    (
        r"/leaflet\.markercluster/[\d.]+/leaflet\.markercluster\.js",
        "leaflet.markercluster/dist/leaflet.markercluster.js",
    ),
    (
        r"/leaflet\.markercluster/[\d.]+/MarkerCluster\.css",
        "leaflet.markercluster/dist/MarkerCluster.css",
    ),
    (
        r"/leaflet\.markercluster/[\d.]+/MarkerCluster\.Default\.css",
        "leaflet.markercluster/dist/MarkerCluster.Default.css",
    ),
    (
        r"/leaflet\.fullscreen@[\d.]+/Control\.FullScreen(\.min)?\.js",
        "leaflet.fullscreen/Control.FullScreen.js",
    ),
    (
        r"/leaflet\.fullscreen@[\d.]+/Control\.FullScreen\.css",
        "leaflet.fullscreen/Control.FullScreen.css",
    ),
    (
        r"/leaflet-measure@[\d.]+/dist/leaflet-measure(\.min)?\.js",
        "leaflet-measure/dist/leaflet-measure.js",
    ),
    (
        r"/leaflet-measure@[\d.]+/dist/leaflet-measure(\.min)?\.css",
        "leaflet-measure/dist/leaflet-measure.css",
    ),
    (
        r"/leaflet-search@[\d.]+/dist/leaflet-search\.min\.js",
        "leaflet-search/dist/leaflet-search.min.js",
    ),
    (
        r"/leaflet-search@[\d.]+/dist/leaflet-search\.min\.css",
        "leaflet-search/dist/leaflet-search.min.css",
    ),
    (r"/leaflet\.draw/[\d.]+/leaflet\.draw\.js", "leaflet-draw/dist/leaflet.draw.js"),
    (r"/leaflet\.draw/[\d.]+/leaflet\.draw\.css", "leaflet-draw/dist/leaflet.draw.css"),
)

_MIME = {
    ".png": "image/png",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
}
_SCRIPT = re.compile(r'<script\s+src="(https?://[^"]+)"\s*>\s*</script>')
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="(https?://[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_FONT_SRC = re.compile(r"src:([^;}]*?url\([^)]*\.woff2\)\s*format\([\"']woff2[\"']\))[^;}]*")
#: Font Awesome's v4/v5 compatibility faces repeat the v6 font files under old family
#: names that folium does not use; inlined, each repeat would add its font again.
_COMPAT_FONT_FACE = re.compile(
    r'@font-face\{font-family:"(FontAwesome|Font Awesome 5 [^"]+)"[^}]*\}'
)
_SOURCE_MAP = re.compile(r"/[*/]# sourceMappingURL=\S+(\s*\*/)?")

#: Leaflet finds its default marker icon by parsing a CSS URL, which fails once that URL is
#: a data URI; give it the inlined icons directly.
_ICON_FIX = """
(function () {
  var urls = %s;
  L.Icon.Default.include({_getIconUrl: function (name) { return urls[name + 'Url']; }});
})();
"""


class AssetError(GeoError):
    """A map needs a JS/CSS file that is not installed from ``package.json``."""


def node_modules_dir() -> Path:
    """Return the ``node_modules`` folder the assets are read from.

    Returns
    -------
    pathlib.Path
        ``$GEO_NODE_MODULES`` when set, else ``node_modules`` next to the ``geo`` package.
    """
    env = os.environ.get("GEO_NODE_MODULES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "node_modules"


def _asset_for(url: str) -> str | None:
    for pattern, rel in ASSETS:
        if re.search(pattern + r"$", url):
            return rel
    msg = (
        f"No pinned npm package provides {url!r}; add it to package.json "
        "(npm install --save-exact NAME@VERSION) and map it in geo.maps._assets.ASSETS."
    )
    raise AssetError(msg)


def _read(rel: str) -> Path:
    path = node_modules_dir() / rel
    if not path.is_file():
        msg = (
            f"Map asset {str(path)!r} is missing; run `npm ci` in the project folder "
            "(or `make`) to install the pinned JS/CSS packages."
        )
        raise AssetError(msg)
    return path


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower())
    if mime is None:
        msg = f"Cannot inline {str(path)!r}: unknown file type {path.suffix!r}."
        raise AssetError(msg)
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@lru_cache(maxsize=64)
def _css(rel: str) -> str:
    path = _read(rel)
    text = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
    # Chromium reads WOFF2; drop the TrueType fallbacks so the page stays small.
    text = _COMPAT_FONT_FACE.sub("", text)
    text = _FONT_SRC.sub(lambda m: "src:" + m.group(1), text)

    def replace(m: re.Match[str]) -> str:
        ref = m.group(2).strip()
        if ref.startswith(("data:", "#")):
            return m.group(0)
        if ref.startswith(("http:", "https:", "//")):
            msg = f"{rel!r} refers to {ref!r} on the network; it cannot be inlined."
            raise AssetError(msg)
        target = (path.parent / ref.split("?")[0].split("#")[0]).resolve()
        if not target.is_file():
            msg = f"{rel!r} refers to {ref!r}, not found at {str(target)!r}; run `npm ci`."
            raise AssetError(msg)
        return f'url("{_data_uri(target)}")'

    return _CSS_URL.sub(replace, text)


@lru_cache(maxsize=64)
def _js(rel: str) -> str:
    text = _SOURCE_MAP.sub("", _read(rel).read_text(encoding="utf-8"))
    if rel == "leaflet/dist/leaflet.js":
        images = node_modules_dir() / "leaflet" / "dist" / "images"
        urls = {
            "iconUrl": _data_uri(images / "marker-icon.png"),
            "iconRetinaUrl": _data_uri(images / "marker-icon-2x.png"),
            "shadowUrl": _data_uri(images / "marker-shadow.png"),
        }
        text += _ICON_FIX % repr(urls).replace("'", '"')
    return text


def inline_assets(html: str) -> str:
    """Replace CDN ``<script>``/``<link>`` tags by the pinned npm files' content.

    Parameters
    ----------
    html
        A rendered folium page.

    Returns
    -------
    str
        The page with every external script and stylesheet inlined.

    Raises
    ------
    AssetError
        If a URL has no npm counterpart or the package is not installed.
    """
    done: set[str] = set()

    def script(m: re.Match[str]) -> str:
        rel = _asset_for(m.group(1))
        if rel is None or rel in done:
            return ""
        done.add(rel)
        body = _js(rel).replace("</script", "<\\/script")
        return f"<script>/* {rel} */\n{body}\n</script>"

    def link(m: re.Match[str]) -> str:
        rel = _asset_for(m.group(1))
        if rel is None or rel in done:
            return ""
        done.add(rel)
        body = _css(rel).replace("</style", "<\\/style")
        return f"<style>/* {rel} */\n{body}\n</style>"

    out = _LINK.sub(link, _SCRIPT.sub(script, html))
    left = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', out)
    if left:
        msg = f"External resources left after inlining: {left!r}; map them in ASSETS."
        raise AssetError(msg)
    logger.debug("inlined %d assets", len(done))
    return out
