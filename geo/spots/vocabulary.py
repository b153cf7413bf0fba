"""The words of a marked spot: categories, statuses and their workflow, owners, days, time bands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.model import CATEGORIES, KOMMUN_MATTERS
from geo.weeks import DAY_ABBR, DAY_NAMES

if TYPE_CHECKING:
    import geopandas as gpd

#: The categories a spot is marked with, in the form's order (:data:`geo.model.CATEGORIES`).
SPOT_CATEGORY_IDS: tuple[str, ...] = (
    "hastighet",
    "motorburen",
    "buller",
    "vardslos_korning",
    "parkering",
    "trafikfarlig_plats",
    "rattfylleri",
    "ovrigt",
)
#: Spot categories → Swedish label: the incidents' own (:data:`geo.model.CATEGORIES`), so a
#: marked spot reads the same in the form, the maps, the plan and the report. The form had
#: words of its own, and ``vardslos_korning`` read "Olämplig körning/parkering" there while
#: the incidents and the plan (a speed check) meant careless driving; parking is
#: ``parkering`` now, the kommun's matter (:data:`geo.model.KOMMUN_MATTERS`).
SPOT_CATEGORIES: dict[str, str] = {c: CATEGORIES[c].label for c in SPOT_CATEGORY_IDS}


#: Status workflow: id → Swedish label.
STATUSES: dict[str, str] = {
    "ny": "Ny",
    "bedomd": "Bedömd",
    "atgard_planerad": "Åtgärd planerad",
    "atgardad": "Åtgärdad",
    "avvisad": "Avvisad",
}


#: Statuses of a problem still open: its spot flows into the lägesbild and the plan.
OPEN_STATUSES: tuple[str, ...] = ("ny", "bedomd", "atgard_planerad")


def for_police(spots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the spots the police plan answers: open ones of a category the police act on.

    Parameters
    ----------
    spots
        Marked spots with ``status`` and ``category``.

    Returns
    -------
    geopandas.GeoDataFrame
        The open spots (:data:`OPEN_STATUSES`) not of a kommun matter
        (:data:`geo.model.KOMMUN_MATTERS`: a parking spot calls for no police check).
    """
    keep = spots["status"].astype(str).isin(OPEN_STATUSES)
    if "category" in spots:
        keep &= ~spots["category"].astype(str).isin(KOMMUN_MATTERS)
    return spots[keep]


#: Allowed status changes (a closed spot can be reopened as ``ny``).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "ny": ("bedomd", "avvisad"),
    "bedomd": ("atgard_planerad", "atgardad", "avvisad"),
    "atgard_planerad": ("atgardad", "avvisad"),
    "atgardad": ("ny",),
    "avvisad": ("ny",),
}


#: Who owns the next step: id → Swedish label.
OWNERS: dict[str, str] = {"kommun": "Kommunen", "polis": "Polisen", "trafikverket": "Trafikverket"}


#: ISO weekday number → Swedish name.
WEEKDAYS: dict[int, str] = {i + 1: name for i, name in enumerate(DAY_NAMES)}


@dataclass(frozen=True)
class TimeBand:
    """A band of the day when a problem happens.

    Attributes
    ----------
    label
        Swedish label.
    start_hour, end_hour
        Local hours, ``start_hour <= h < end_hour``.
    """

    label: str
    start_hour: int
    end_hour: int


#: Time bands: id → band.
TIME_BANDS: dict[str, TimeBand] = {
    "natt": TimeBand("natt 00–06", 0, 6),
    "morgon": TimeBand("morgon 06–09", 6, 9),
    "dag": TimeBand("dag 09–15", 9, 15),
    "eftermiddag": TimeBand("eftermiddag 15–18", 15, 18),
    "kvall": TimeBand("kväll 18–22", 18, 22),
    "sen_kvall": TimeBand("sen kväll 22–24", 22, 24),
}


def when_text(days: Sequence[int], bands: Sequence[str]) -> str:
    """Return when a spot's problem happens, in Swedish: "fre, lör kväll 18–22".

    Parameters
    ----------
    days
        Weekdays, Monday = 0 (a spot stores ISO days, Monday = 1); all seven or none name
        no day.
    bands
        Keys of :data:`TIME_BANDS` (others are skipped).

    Returns
    -------
    str
        Days, then bands; empty when the spot names neither.
    """
    parts = []
    if 0 < len(set(days)) < 7:
        parts.append(", ".join(DAY_ABBR[d % 7] for d in sorted(set(days))))
    labels = [TIME_BANDS[b].label for b in bands if b in TIME_BANDS]
    if labels:
        parts.append(", ".join(labels))
    return " ".join(parts)


#: Organisations whose editors may create spots.
CREATING_ORGS: tuple[str, ...] = ("kommun",)
