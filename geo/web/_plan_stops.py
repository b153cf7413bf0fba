"""A marked spot's weeks in the police's stored plans, as the spot's page lists them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.patrol.stored import read_candidate_stops
from geo.weeks import DAY_NAMES


def planned_stops(spot_id: str, path: Path, *, police: bool) -> list[str]:
    """Return the stored patrol plans' stops at a marked spot, as its page lists them.

    A kommun officer's review: a spot the week's plan did not take vanished without a word,
    and neither the kommun nor the police could tell whether it had ever been planned.

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

    Returns
    -------
    list of str
        ``"vecka 49 (2026): fredag 4/12 20:28, 16 min, fordonskontroll (A-traktor/EPA/moped)"``
        (the kommun: ``"vecka 49 (2026)"``), the latest week first; empty when no stored
        plan has it.
    """
    stops = read_candidate_stops(f"markering:{spot_id}", path)
    out = []
    for s in stops.to_dict("records"):
        year, num = str(s["week"]).split("-W")
        start = pd.Timestamp(s["start"])
        if not police:
            out.append(f"vecka {int(num)} ({year})")
            continue
        out.append(
            f"vecka {int(num)} ({year}): {DAY_NAMES[start.day_of_week]} {start.day}/"
            f"{start.month} {start:%H:%M}, {int(s['dwell_min'])} min, {s['activity']}"
        )
    return out
