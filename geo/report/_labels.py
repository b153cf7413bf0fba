"""Place names on a printed (matplotlib) map clear of its markers, lines and each other.

The web maps move names in the browser (``geo/maps/labels.js``); a printed map has no
browser, so a greedy placer does it here: each name, most important first, takes the first
spot around its place (on it, then right, left, above, below and the corners, a little
further out each round) whose box lies inside the axes and meets no obstacle (stop markers,
leader lines, routes, the entry point, the legend) and no name already placed. A name that
finds no room is left out: a missing name is better than one under a stop's number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import shapely

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.axes import Axes
    from matplotlib.text import Annotation

#: Spots tried around a place, as (dx, dy) directions and the text's alignment there.
_SPOTS: tuple[tuple[float, float, str, str], ...] = (
    (1, 0, "left", "center"),
    (-1, 0, "right", "center"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
    (0.8, 0.8, "left", "bottom"),
    (0.8, -0.8, "left", "top"),
    (-0.8, 0.8, "right", "bottom"),
    (-0.8, -0.8, "right", "top"),
)
#: Distances (points) from the place tried for the spots, nearest first.
_RINGS_PT = (3.0, 8.0, 14.0)
#: Free space kept around a name's box, in points.
_PAD_PT = 1.0


@dataclass(frozen=True)
class MapLabel:
    """A name to place.

    Attributes
    ----------
    text
        The name.
    xy
        The place, in data coordinates.
    gid
        The text artist's id (``label-<place_id>``), for tests and styling.
    style
        Keyword arguments of :meth:`matplotlib.axes.Axes.annotate` (font size, colour, …).
    centred
        Try the spot on the place itself first (a town's name on the town).
    """

    text: str
    xy: tuple[float, float]
    gid: str
    style: dict[str, object]
    centred: bool = True


def text_box_pt(text: Annotation, *, dpi: float) -> shapely.Polygon:
    """Return a drawn text's box in points from the figure's lower left.

    Parameters
    ----------
    text
        A text artist of a figure with an Agg canvas.
    dpi
        The figure's dots per inch.

    Returns
    -------
    shapely.Polygon
        The box.
    """
    fig = text.get_figure()
    assert fig is not None
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    x0, y0, x1, y1 = text.get_window_extent(renderer).extents
    k = 72.0 / dpi
    return shapely.box(x0 * k, y0 * k, x1 * k, y1 * k)


def place_labels(
    ax: Axes,
    labels: Sequence[MapLabel],
    *,
    obstacles: shapely.Geometry,
    taken: Sequence[shapely.Geometry] = (),
) -> list[Annotation]:
    """Draw each name where it meets nothing, most important first; leave out the rest.

    Parameters
    ----------
    ax
        The map's axes, its limits and position fixed.
    labels
        The names, most important first.
    obstacles
        What no name may cover, in points from the figure's lower left (markers as circles,
        lines buffered by half their width).
    taken
        Boxes (points) already used by other texts.

    Returns
    -------
    list of matplotlib.text.Annotation
        The names drawn; those that found no room are not drawn.
    """
    fig = ax.get_figure()
    assert fig is not None
    dpi = float(fig.dpi)
    x0, y0, x1, y1 = ax.get_window_extent().extents
    k = 72.0 / dpi
    frame = shapely.box(x0 * k, y0 * k, x1 * k, y1 * k)
    shapely.prepare(obstacles)
    placed: list[shapely.Geometry] = list(taken)
    drawn: list[Annotation] = []
    for label in labels:
        spots = [(0.0, 0.0, "center", "center")] if label.centred else []
        spots += [(dx * r, dy * r, ha, va) for r in _RINGS_PT for dx, dy, ha, va in _SPOTS]
        for dx, dy, ha, va in spots:
            text = ax.annotate(
                label.text, label.xy, xytext=(dx, dy), textcoords="offset points", ha=ha,
                va=va, gid=label.gid, annotation_clip=False, **label.style,  # type: ignore[arg-type]
            )  # fmt: skip
            box = text_box_pt(text, dpi=dpi).buffer(_PAD_PT, join_style="mitre")
            if (
                frame.contains(box)
                and not shapely.intersects(obstacles, box)
                and not any(box.intersects(p) for p in placed)
            ):
                placed.append(box)
                drawn.append(text)
                break
            text.remove()
    return drawn
