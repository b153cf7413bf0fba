"""Set numbered markers that would cover each other apart, around their true places.

The printed plan map shows the whole kommun, so stops a few hundred metres apart (a place
visited on both trips, a road control beside the centre) fall on one spot of paper. As the web
plan map does on screen (``geo/maps/spread.js``), such markers are set on a ring around their
group's middle; the drawing code links each moved marker to its true point with a thin line.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

#: ``(x, y)`` on the paper (any unit, the same for ``diameter``).
XY = tuple[float, float]
#: Where the first marker of a ring of markers on one point goes: straight above it.
_TOP = math.pi / 2


def _ring(points: Sequence[XY], step: float) -> list[XY]:
    """Return places on a ring around the points' middle, adjacent ones ``step`` apart.

    Each marker keeps its side of the middle as far as a ring allows: the markers go round
    clockwise in the order of their true places (ties, such as one place visited twice, in
    the given order), the ring turned to fit. Markers on one point start at the top.
    """
    n = len(points)
    cx = sum(p[0] for p in points) / n
    cy = sum(p[1] for p in points) / n
    radius = step / (2 * math.sin(math.pi / n))
    angles = [math.atan2(p[1] - cy, p[0] - cx) for p in points]
    coincide = all(math.hypot(p[0] - cx, p[1] - cy) < 1e-9 * max(step, 1.0) for p in points)
    order = sorted(range(n), key=lambda i: (-angles[i], i)) if not coincide else list(range(n))
    slot = 2 * math.pi / n
    # the ring's turn that puts each marker nearest its own side (a circular mean)
    sx = sum(math.cos(angles[i] + k * slot) for k, i in enumerate(order))
    sy = sum(math.sin(angles[i] + k * slot) for k, i in enumerate(order))
    start = _TOP if coincide or math.hypot(sx, sy) < 1e-9 else math.atan2(sy, sx)
    out: list[XY] = [(cx, cy)] * n
    for k, i in enumerate(order):
        out[i] = (
            cx + radius * math.cos(start - k * slot),
            cy + radius * math.sin(start - k * slot),
        )
    return out


def spread_markers(points: Sequence[XY], *, diameter: float, gap: float = 0.0) -> list[XY]:
    """Return where to draw round markers so that none covers another.

    Markers whose circles would meet are grouped and set on a ring around the group's middle,
    adjacent ones ``diameter + gap`` apart; a ring that then meets another marker or ring takes
    it in, until no two meet. Markers that meet nothing stay on their true point.

    Parameters
    ----------
    points
        The markers' true centres, on the paper (points, say), in drawing order.
    diameter
        A marker's outer diameter, in the same unit.
    gap
        Free space kept between two moved markers.

    Returns
    -------
    list of tuple of float
        The centres to draw the markers at, in the order of ``points``; every two at least
        ``diameter`` apart.
    """
    step = diameter + gap
    drawn = [(float(x), float(y)) for x, y in points]
    groups = [[i] for i in range(len(drawn))]

    def meet(a: list[int], b: list[int]) -> bool:
        return any(math.dist(drawn[i], drawn[j]) < diameter for i in a for j in b)

    while True:
        pair = next(((a, b) for a, b in combinations(groups, 2) if meet(a, b)), None)
        if pair is None:
            return drawn
        merged = sorted(pair[0] + pair[1])
        groups = [g for g in groups if g is not pair[0] and g is not pair[1]] + [merged]
        for i, xy in zip(merged, _ring([points[i] for i in merged], step), strict=True):
            drawn[i] = xy
