"""The löfte's activity plan, ``data/aktivitetsplan.toml``: its lines, loaded and validated.

Each ``[[activity]]`` line names its theme, who carries it out and who answers for it, how
often it is planned, the months it runs and how it is followed up (the activity log, or
the patrol log's weeks of presence).
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geo import settings
from geo.errors import DataError
from geo.model import THEMES
from geo.months import MONTHS_SV
from geo.patrol_log_fields import CONTROL_TYPES

logger = logging.getLogger(__name__)


#: Who carries out or answers for an activity: id → Swedish label.
EXECUTORS: dict[str, str] = {"polis": "Polisen", "kommun": "Kommunen"}

#: Planned frequency units: id → Swedish label.
FREQUENCIES: dict[str, str] = {"week": "per vecka", "month": "per månad"}

#: How an activity line is followed up.
MEASURES: tuple[str, ...] = ("activity_log", "patrol_log")

#: Columns of :func:`load_plan`.
PLAN_COLUMNS: tuple[str, ...] = (
    "activity_id",
    "theme",
    "section",
    "text",
    "executors",
    "responsible",
    "frequency",
    "times",
    "months",
    "measured_by",
    "patrol_controls",
)


def plan_path() -> Path:
    """Return the default activity plan, ``<data_dir>/aktivitetsplan.toml``."""
    return settings.data_dir / "aktivitetsplan.toml"


@dataclass(frozen=True)
class _Field:
    kind: type
    required: bool = True


_FIELDS: dict[str, _Field] = {
    "id": _Field(str),
    "theme": _Field(str),
    "section": _Field(str),
    "text": _Field(str),
    "executors": _Field(list),
    "responsible": _Field(list),
    "frequency": _Field(str),
    "times": _Field(int),
    "months": _Field(list, required=False),
    "measured_by": _Field(str, required=False),
    "patrol_controls": _Field(list, required=False),
}


def validate_plan(data: Mapping[str, Any]) -> list[str]:
    """Return every problem in a parsed activity plan, as sentences naming the line and the fix.

    Parameters
    ----------
    data
        The parsed TOML: a table with an array ``activity`` of tables.

    Returns
    -------
    list of str
        Empty when the plan is valid.
    """
    lines = data.get("activity")
    if not isinstance(lines, list) or not lines:
        return ["the plan has no [[activity]] lines; add one per activity line of the löfte"]
    problems: list[str] = []
    seen: set[str] = set()
    for i, line in enumerate(lines, start=1):
        where = f"activity {i} ({line.get('id', '?')!r})" if isinstance(line, dict) else str(i)
        if not isinstance(line, dict):
            problems.append(f"{where} is not a table; write it as [[activity]]")
            continue
        for key, spec in _FIELDS.items():
            value = line.get(key)
            if value is None:
                if spec.required:
                    problems.append(f"{where} lacks {key!r}; add it")
                continue
            if not isinstance(value, spec.kind) or (spec.kind is int and isinstance(value, bool)):
                problems.append(f"{where} has {key} = {value!r}; it must be a {spec.kind.__name__}")
        unknown = sorted(set(line) - set(_FIELDS))
        if unknown:
            problems.append(f"{where} has unknown fields {unknown!r}; known: {list(_FIELDS)!r}")
        aid = str(line.get("id", ""))
        if aid in seen:
            problems.append(f"{where} repeats id {aid!r}; give each line its own id")
        seen.add(aid)
        if line.get("theme") not in THEMES:
            problems.append(f"{where} has theme {line.get('theme')!r}; use one of {list(THEMES)}")
        for key in ("executors", "responsible"):
            values = line.get(key)
            if isinstance(values, list) and (not values or any(v not in EXECUTORS for v in values)):
                problems.append(f"{where} has {key} = {values!r}; use 'polis', 'kommun' or both")
        if isinstance(line.get("frequency"), str) and line["frequency"] not in FREQUENCIES:
            problems.append(
                f"{where} has frequency {line['frequency']!r}; use one of {list(FREQUENCIES)}"
            )
        times = line.get("times")
        if isinstance(times, int) and times < 1:
            problems.append(f"{where} plans times = {times!r}; plan at least 1")
        months = line.get("months")
        if isinstance(months, list) and (
            not months or any(not isinstance(m, int) or not 1 <= m <= 12 for m in months)
        ):
            problems.append(f"{where} has months = {months!r}; list month numbers 1–12")
        measured = line.get("measured_by", "activity_log")
        if measured not in MEASURES:
            problems.append(f"{where} has measured_by {measured!r}; use one of {list(MEASURES)}")
        elif measured == "patrol_log" and line.get("executors") != ["polis"]:
            problems.append(
                f"{where} is measured by the patrol log, so executors must be ['polis']"
            )
        controls = line.get("patrol_controls")
        if isinstance(controls, list):
            if not controls or any(c not in CONTROL_TYPES for c in controls):
                problems.append(
                    f"{where} has patrol_controls = {controls!r}; "
                    f"list control types from {list(CONTROL_TYPES)}"
                )
            if "polis" not in (line.get("executors") or []) or measured != "activity_log":
                problems.append(
                    f"{where} counts patrol-log controls, so it must be carried out by 'polis' "
                    "and measured by the activity log"
                )
    return problems


def load_plan(path: Path | None = None) -> pd.DataFrame:
    """Load and validate the activity plan.

    Parameters
    ----------
    path
        A TOML plan; default :func:`plan_path`.

    Returns
    -------
    pandas.DataFrame
        One row per activity line, columns :data:`PLAN_COLUMNS`: ``executors`` and ``responsible``
        are tuples of :data:`EXECUTORS` keys, ``months`` a tuple of month numbers (all twelve when
        the line has no season), ``measured_by`` one of :data:`MEASURES`, ``patrol_controls`` a
        tuple of :data:`geo.patrol_log_fields.CONTROL_TYPES` keys (empty when the line counts no
        controls from the patrol log).

    Raises
    ------
    DataError
        If the file cannot be read or the plan is invalid (every problem is listed).
    """
    path = path or plan_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        msg = f"Cannot read the activity plan {str(path)!r}: {e}. Fix the TOML or pass --plan."
        raise DataError(msg) from e
    problems = validate_plan(data)
    if problems:
        msg = f"The activity plan {str(path)!r} is invalid: " + "; ".join(problems) + "."
        raise DataError(msg)
    rows = [
        {
            "activity_id": str(line["id"]),
            "theme": line["theme"],
            "section": line["section"],
            "text": " ".join(str(line["text"]).split()),
            "executors": tuple(line["executors"]),
            "responsible": tuple(line["responsible"]),
            "frequency": line["frequency"],
            "times": int(line["times"]),
            "months": tuple(line.get("months", range(1, 13))),
            "measured_by": line.get("measured_by", "activity_log"),
            "patrol_controls": tuple(line.get("patrol_controls", ())),
        }
        for line in data["activity"]
    ]
    logger.info("%d activity lines from %s", len(rows), path)
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS))


def season_text(months: Sequence[int]) -> str:
    """Say in Swedish which months a plan line runs, e.g. ``"mars–september"``.

    Parameters
    ----------
    months
        Month numbers 1–12 (a plan line's ``months``).

    Returns
    -------
    str
        ``"hela året"`` for all twelve; otherwise runs of consecutive months joined by
        commas, a run of two or more written ``"first–last"`` (``"maj, juli–augusti"``); a
        run across the new year continues from December to January (``"november–februari"``).
    """
    chosen = sorted({int(m) for m in months})
    if len(chosen) == 12:
        return "hela året"
    runs: list[list[int]] = []
    for m in chosen:
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    if len(runs) > 1 and runs[0][0] == 1 and runs[-1][-1] == 12:
        runs[0] = runs.pop() + runs[0]  # December runs on into January
    parts = [
        MONTHS_SV[r[0] - 1] if len(r) == 1 else f"{MONTHS_SV[r[0] - 1]}–{MONTHS_SV[r[-1] - 1]}"
        for r in sorted(runs, key=lambda r: r[0])
    ]
    return ", ".join(parts)
