"""A marked spot's weeks in the police's stored plans, as the spot's page lists them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import shapely

from geo import store
from geo.patrol.priorities import load_priorities
from geo.patrol.stored import read_candidate_stops
from geo.roads import checked_categories, segment_of_spot
from geo.weeks import DAY_NAMES


def _control_candidate(geometry: shapely.Geometry, path: Path) -> str | None:
    """Return the candidate id of the control point on the road segment a spot counts on.

    The plan's road checks stand on the ranked segments (``kontroll:<segment_id>``), and an
    open marked spot counts as one of its segment's events (:func:`geo.roads.road_segments`).
    """
    if "road_segments" not in store.list_layers(path):
        return None
    segments = store.read_layer("road_segments", path)[["segment_id", "geometry"]]
    segment = segment_of_spot(segments, geometry)
    return f"kontroll:{segment}" if segment else None


def planned_stops(
    spot_id: str,
    path: Path,
    *,
    police: bool,
    geometry: shapely.Geometry | None = None,
    category: str | None = None,
) -> list[str]:
    """Return the stored patrol plans' stops at a marked spot, as its page lists them.

    A kommun officer's review: a spot the week's plan did not take vanished without a word,
    and neither the kommun nor the police could tell whether it had ever been planned. A
    road check at the control point of the segment the spot lies on counts too, said so: the
    spot is one of the events it is planned for (an app review found such a week listed as
    "Inte med i någon veckoplan").

    Parameters
    ----------
    spot_id
        The spot.
    path
        The store.
    police
        The reader is the police's: the day, time, minutes and activity are said. To the
        kommun only the week (the plan's times and places stay with the police, design §8,
        as on the page Pass).
    geometry
        The spot (EPSG:3006), to find its road segment's control point; ``None``: only the
        stops at the spot itself.
    category
        The spot's category: one a road check does not answer
        (:func:`geo.roads.checked_categories` of the plan's priorities file: a trafikfarlig
        plats, "övrigt") counts on no segment, and its segment's check is not its own;
        ``None``: not known, the check counts.

    Returns
    -------
    list of str
        ``"vecka 49 (2026): fredag 4/12 20:28, 16 min, fordonskontroll (A-traktor/EPA/moped)"``,
        a road check on the spot's segment followed by ``" vid kontrollpunkten på samma
        vägavsnitt (väg 204 vid Hidinge)"`` (the kommun: ``"vecka 49 (2026)"``, ``"vecka 49
        (2026), kontroll på samma vägavsnitt"``), the latest week first; empty when no stored
        plan has any.
    """
    frames = [read_candidate_stops(f"markering:{spot_id}", path)]
    checked = category is None or category in checked_categories(load_priorities())
    control = _control_candidate(geometry, path) if geometry is not None and checked else None
    if control:
        frames.append(read_candidate_stops(control, path))
    stops = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    stops = stops.sort_values(["week", "start"], ascending=[False, True], kind="stable")
    out = []
    for s in stops.to_dict("records"):
        year, num = str(s["week"]).split("-W")
        at_control = s["candidate_id"] == control
        start = pd.Timestamp(s["start"])
        if not police:
            same = ", kontroll på samma vägavsnitt" if at_control else ""
            out.append(f"vecka {int(num)} ({year}){same}")
            continue
        where = f" vid kontrollpunkten på samma vägavsnitt ({s['place']})" if at_control else ""
        out.append(
            f"vecka {int(num)} ({year}): {DAY_NAMES[start.day_of_week]} {start.day}/"
            f"{start.month} {start:%H:%M}, {int(s['dwell_min'])} min, {s['activity']}{where}"
        )
    return out
