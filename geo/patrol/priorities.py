"""The plan's rules and priorities (``data/prioriteringar.toml``) and the week's seed."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from geo import settings
from geo.errors import DataError
from geo.model import ACTIVITIES, ALCOHOL_ACTION, CATEGORIES, PRESENCE, VEHICLE_CHECK, theme_of
from geo.weeks import DAY_ABBR

__all__ = [
    "ACTIVITIES",
    "ALCOHOL_ACTION",
    "PRESENCE",
    "VEHICLE_CHECK",
    "PlanSettings",
    "load_priorities",
    "week_seed",
]

#: Shortest and longest stop in minutes (the Koper curve): no stop is planned outside them.
DWELL_RANGE_MIN: tuple[float, float] = (10.0, 16.0)


@dataclass(frozen=True)
class PlanSettings:
    """Rules and priorities of the plan (``data/prioriteringar.toml``).

    Attributes
    ----------
    budget_min
        Minutes per ISO week inside the kommun, driving included.
    dwell_min
        Minutes per stop, 10–16 (Koper curve).
    max_trips
        1, or 2 trips on different days.
    allowed_days
        Days (Monday = 0) a trip may be made.
    allowed_hours
        ``(start, end)`` local hours; a trip lies inside ``[start, end)``.
    theme_priority, category_priority
        Weight of one expected event per theme, and overrides per category.
    activities
        Activity per theme; ``sobriety_categories`` call for a sobriety check.
    sobriety_categories
        Traffic categories that make a stop a nykterhetskontroll.
    vehicle_check_categories
        Traffic categories that make a stop a :data:`VEHICLE_CHECK` (motorburen problematik:
        A-traktorer, EPA, mopeds, revving and loud music from cars).
    presence_categories
        Traffic categories that make a stop :data:`PRESENCE`, visible traffic supervision at
        the place: a trafikfarlig plats (a blind exit, a crossing, a pedestrian crossing) is
        no speeding, and a speed check, held on a straight stretch away from junctions,
        answered it until 2026-11-29; nor is an accident alone evidence of speeding (until
        2026-11-29 a traffic accident, in no list, called for the theme's speed check, and on
        the roads for none).
    alcohol_categories
        Narcotics-and-alcohol categories that make a stop an :data:`ALCOHOL_ACTION` where
        they lead (drinking in public, langning), instead of the theme's drugs operation.
    repeat_factor
        Value share of a second visit to the same place in the week (candidates within
        ``same_place_m`` of each other count as one place).
    last_week_factor
        Value share kept by a place in a weekday and hour band it was planned in during the
        last ``history_weeks`` weeks.
    history_weeks
        Earlier weeks' stored plans whose places, weekdays and hour bands are avoided.
    same_place_m
        Candidates closer than this (single linkage) are one place for ``repeat_factor``.
    busy_share
        A stop is only planned in a window holding at least this share of its best window's
        share of the place's week (its busy hours).
    near_optimal
        The plan is drawn (seeded by the ISO week) among plans worth at least this share of
        the best plan's expected value.
    forecast_method
        Method of :func:`geo.forecast.forecast_week`.
    max_hot_cells, hot_cell_spacing_m
        Hot grid cells outside named places that become candidates, and their spacing.
    max_control_points
        Road control points that become candidates.
    spot_risk_week
        Expected events per week assumed at an open kommun-marked spot.
    place_prior_week
        Expected events per week assumed at a named place without data.
    entry_name, entry_lonlat
        The entry point from Örebro: a node name of the road graph, else these coordinates.
    kind_hours
        Typical ``(days, (start, end))`` per place kind, used as a prior profile.
    """

    budget_min: float = 120.0
    dwell_min: float = 15.0
    max_trips: int = 2
    allowed_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    allowed_hours: tuple[int, int] = (8, 24)
    theme_priority: dict[str, float] = field(
        default_factory=lambda: {"N": 1.0, "T": 0.85, "B": 0.8, "S": 0.5}
    )
    category_priority: dict[str, float] = field(default_factory=dict)
    activities: dict[str, str] = field(
        default_factory=lambda: {
            "N": "riktad narkotikainsats",
            "T": "hastighetskontroll",
            "B": "närvaro/synlighet",
            "S": "närvaro/synlighet",
        }
    )
    sobriety_categories: tuple[str, ...] = ("rattfylleri",)
    vehicle_check_categories: tuple[str, ...] = ("motorburen", "buller")
    presence_categories: tuple[str, ...] = ("trafikfarlig_plats", "trafikolycka")
    alcohol_categories: tuple[str, ...] = ("alkohol",)
    repeat_factor: float = 0.3
    last_week_factor: float = 0.3
    history_weeks: int = 4
    same_place_m: float = 400.0
    busy_share: float = 0.5
    near_optimal: float = 0.95
    forecast_method: str = "default"
    max_hot_cells: int = 20
    hot_cell_spacing_m: float = 750.0
    max_control_points: int = 8
    spot_risk_week: float = 0.25
    place_prior_week: float = 0.05
    entry_name: str = "Infart från Örebro"
    entry_lonlat: tuple[float, float] = (14.92830, 59.25626)
    kind_hours: dict[str, tuple[tuple[int, ...], tuple[int, int]]] = field(default_factory=dict)

    def traffic_activity(self, category: str) -> str:
        """Return the control a traffic event of ``category`` calls for.

        Parameters
        ----------
        category
            A category id of :data:`geo.model.CATEGORIES` (``rattfylleri``, ``motorburen`` …).

        Returns
        -------
        str
            ``nykterhetskontroll`` for :attr:`sobriety_categories`, :data:`VEHICLE_CHECK`
            for :attr:`vehicle_check_categories`, :data:`PRESENCE` for
            :attr:`presence_categories`, else the activity of theme ``T``.
        """
        if category in self.sobriety_categories:
            return "nykterhetskontroll"
        if category in self.vehicle_check_categories:
            return VEHICLE_CHECK
        if category in self.presence_categories:
            return PRESENCE
        return self.activities.get("T", "hastighetskontroll")

    def category_activity(self, category: str) -> str:
        """Return the activity an event of ``category`` calls for at a stop of its theme.

        Parameters
        ----------
        category
            A category id of :data:`geo.model.CATEGORIES`.

        Returns
        -------
        str
            For traffic, :meth:`traffic_activity`; for narcotics and alcohol,
            :data:`ALCOHOL_ACTION` for :attr:`alcohol_categories`, else the theme's own
            (a planner's review: Fjugesta centrum's 61 alcohol and 49 narcotics events were a
            "riktad narkotikainsats"); other themes their own.
        """
        theme = theme_of(category, default="S")
        if theme == "T":
            return self.traffic_activity(category)
        if theme == "N" and category in self.alcohol_categories:
            return ALCOHOL_ACTION
        return self.activities.get(theme, "närvaro/synlighet")

    def activity_categories(self, activity: str) -> frozenset[str]:
        """Return the traffic categories whose events call for ``activity``.

        The inverse of :meth:`traffic_activity`: a speed check is for speeding and reckless
        driving, a vehicle check for motorburen problematik and noise, a sobriety check for
        drunk driving, presence for a trafikfarlig plats, so a check is timed and compared
        with last year by its own events.

        Parameters
        ----------
        activity
            One of :data:`ACTIVITIES`.

        Returns
        -------
        frozenset of str
            Category ids of theme ``T``; empty for an activity no traffic event calls for.
        """
        traffic = (c.id for c in CATEGORIES.values() if c.theme == "T")
        return frozenset(c for c in traffic if self.traffic_activity(c) == activity)

    def validated(self) -> PlanSettings:
        """Return ``self`` after checking the values.

        Returns
        -------
        PlanSettings
            The same settings.

        Raises
        ------
        DataError
            On a dwell outside 10–16 min, a non-positive budget, bad hours or trips.
        """
        problems = []
        low, high = DWELL_RANGE_MIN
        if not low <= self.dwell_min <= high:
            problems.append(f"dwell_min {self.dwell_min!r} is outside 10-16 min (Koper curve)")
        if not 0 <= self.busy_share <= 1 or not 0 < self.near_optimal <= 1:
            problems.append(
                f"busy_share {self.busy_share!r} and near_optimal {self.near_optimal!r} "
                "must be shares (0-1)"
            )
        if self.history_weeks < 0:
            problems.append(f"history_weeks {self.history_weeks!r} must be >= 0")
        if self.budget_min <= 0:
            problems.append(f"budget_min {self.budget_min!r} must be > 0")
        start, end = self.allowed_hours
        if not 0 <= start < end <= 24:
            problems.append(f"allowed_hours {self.allowed_hours!r} must be 0 <= start < end <= 24")
        if self.max_trips not in (1, 2):
            problems.append(f"max_trips {self.max_trips!r} must be 1 or 2")
        if not self.allowed_days or not set(self.allowed_days) <= set(range(7)):
            problems.append(f"allowed_days {self.allowed_days!r} must be days 0-6")
        bad = set(self.activities.values()) - set(ACTIVITIES)
        if bad:
            problems.append(f"unknown activities {sorted(bad)!r}; use {list(ACTIVITIES)!r}")
        if problems:
            fix = "data/prioriteringar.toml, or the --budget/--dwell/--trips given to geo plan"
            msg = f"Invalid plan settings: {'; '.join(problems)}. Fix {fix}."
            raise DataError(msg)
        return self


def priorities_path() -> Path:
    """Return ``<data_dir>/prioriteringar.toml``."""
    return settings.data_dir / "prioriteringar.toml"


def load_priorities(path: Path | None = None) -> PlanSettings:
    """Read the plan's priorities and rules from ``prioriteringar.toml``.

    Parameters
    ----------
    path
        The file; default :func:`priorities_path`. A missing default file gives the defaults.

    Returns
    -------
    PlanSettings
        Validated settings.

    Raises
    ------
    DataError
        If the file is not valid TOML or holds invalid values.
    """
    file = path or priorities_path()
    if not file.exists() and path is None:
        return PlanSettings().validated()
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        msg = f"Cannot read the priorities file {str(file)!r}: {e}. Fix the TOML syntax."
        raise DataError(msg) from e
    base = PlanSettings()
    plan = raw.get("plan", {})
    acts = dict(raw.get("aktiviteter", {}))
    sobriety = tuple(acts.pop("nykterhet", base.sobriety_categories))
    vehicle = tuple(acts.pop("fordonskontroll", base.vehicle_check_categories))
    presence = tuple(acts.pop("narvaro", base.presence_categories))
    alcohol = tuple(acts.pop("alkohol", base.alcohol_categories))
    entry = raw.get("infart", {})
    try:
        days = tuple(
            DAY_ABBR.index(str(d)) if not isinstance(d, int) else d
            for d in plan.get("allowed_days", DAY_ABBR)
        )
        kind_hours = {
            str(kind): (tuple(int(d) for d in v["days"]), (int(v["hours"][0]), int(v["hours"][1])))
            for kind, v in raw.get("tider", {}).items()
        }
        out = replace(
            base,
            budget_min=float(plan.get("budget_min", base.budget_min)),
            dwell_min=float(plan.get("dwell_min", base.dwell_min)),
            max_trips=int(plan.get("max_trips", base.max_trips)),
            allowed_days=days,
            allowed_hours=tuple(int(h) for h in plan.get("allowed_hours", base.allowed_hours)),  # type: ignore[arg-type]
            theme_priority={**base.theme_priority, **raw.get("teman", {})},
            category_priority=dict(raw.get("kategorier", {})),
            activities={**base.activities, **acts},
            sobriety_categories=sobriety,
            vehicle_check_categories=vehicle,
            presence_categories=presence,
            alcohol_categories=alcohol,
            repeat_factor=float(plan.get("repeat_factor", base.repeat_factor)),
            last_week_factor=float(plan.get("last_week_factor", base.last_week_factor)),
            history_weeks=int(plan.get("history_weeks", base.history_weeks)),
            same_place_m=float(plan.get("same_place_m", base.same_place_m)),
            busy_share=float(plan.get("busy_share", base.busy_share)),
            near_optimal=float(plan.get("near_optimal", base.near_optimal)),
            forecast_method=str(plan.get("forecast_method", base.forecast_method)),
            max_hot_cells=int(plan.get("max_hot_cells", base.max_hot_cells)),
            hot_cell_spacing_m=float(plan.get("hot_cell_spacing_m", base.hot_cell_spacing_m)),
            max_control_points=int(plan.get("max_control_points", base.max_control_points)),
            spot_risk_week=float(plan.get("spot_risk_week", base.spot_risk_week)),
            place_prior_week=float(plan.get("place_prior_week", base.place_prior_week)),
            entry_name=str(entry.get("name", base.entry_name)),
            entry_lonlat=(
                float(entry.get("lon", base.entry_lonlat[0])),
                float(entry.get("lat", base.entry_lonlat[1])),
            ),
            kind_hours=kind_hours,
        )
    except (KeyError, ValueError, TypeError, IndexError) as e:
        msg = f"Invalid value in {str(file)!r}: {e!r}. Compare with docs/patrol-plan.md."
        raise DataError(msg) from e
    return out.validated()


def week_seed(week: str, seed: int | None = None) -> int:
    """Return a stable seed for an ISO week (and an optional user seed)."""
    text = f"{week}:{seed if seed is not None else ''}"
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)
