"""Imports flow one way (design §1, README *Layout*): every import in ``geo`` is checked.

Each top-level module or package of ``geo`` has a level; a unit may import units of lower
levels, or of its own level as long as no cycle forms. Imports inside functions count too:
a lazy import upward still makes the lower layer depend on the upper one.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parent.parent / "geo"

#: The README's layers, lowest first: vocabulary and settings; the store, importers,
#: places, the road graph and the point files; analysis and planning; the outputs (maps,
#: reports, the marking app); ``geo run``; the command line.
LEVELS: dict[str, int] = {
    **dict.fromkeys(["errors", "settings"], 0),
    **dict.fromkeys(
        [
            "model", "projection", "outputfile", "words", "weeks", "months", "reportday",
            "holidays", "timespan", "timeformat", "timeparts", "sensitive_text", "_osm", "_gpkg",
            "background", "activity_words", "tabletext",
        ],
        1,
    ),
    **dict.fromkeys(
        [
            "store", "sites", "network", "ingest", "quarantine", "users", "audit", "grid",
            "privacy", "studyarea", "patrol_solver", "patrol_log_rows", "patrol_log_fields",
            "patrol_log_controls", "activity_plan", "activity_log_rows", "activity_log",
            "activity_log_import", "pointarea", "sessions",
            "pointcoords", "pointcsv", "pointfile", "pointjson", "pointods", "pointperiod",
            "pointtable", "pointtext", "pointxls",
        ],
        2,
    ),
    **dict.fromkeys(
        [
            "forecast", "seasonal", "hotspots", "evaluate", "ceiling", "roads", "patrol",
            "patrol_log", "patrol_passes", "patrol_instances", "spots", "presence_weeks",
            "activity_due", "activity_status", "activity_entries", "activity_followup", "sample",
        ],
        3,
    ),
    **dict.fromkeys(["maps", "report", "web"], 4),
    "pipeline": 5,
    "cli": 6,
    "__main__": 7,
}  # fmt: skip


def _unit_of(path: Path) -> str:
    """Return the top-level unit of ``geo`` a source file belongs to."""
    return path.relative_to(GEO).with_suffix("").parts[0]


def _imported_modules(source: str, package: tuple[str, ...]) -> set[str]:
    """Return every ``geo`` name a module of ``package`` imports, anywhere in ``source``.

    ``from a import b`` gives both ``a`` and ``a.b`` (``b`` may be a module).
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.startswith("geo.")}


def _units() -> set[str]:
    return {p.stem for p in GEO.glob("*.py")} | {p.parent.name for p in GEO.glob("*/__init__.py")}


def _unit_imports() -> dict[str, dict[str, Path]]:
    """Map each unit to the units it imports, each with one file that does."""
    units = _units()
    edges: dict[str, dict[str, Path]] = defaultdict(dict)
    for path in sorted(GEO.rglob("*.py")):
        unit = _unit_of(path)
        package = path.relative_to(GEO.parent).with_suffix("").parts[:-1]
        for name in _imported_modules(path.read_text(encoding="utf-8"), package):
            target = name.split(".")[1]
            if target in units and target != unit:
                edges[unit].setdefault(target, path)
    return edges


def test_every_unit_has_a_level() -> None:
    """A new module must be placed in a layer (and in the README's table) before use."""
    assert sorted(_units() - {"__init__"} - LEVELS.keys()) == []
    assert sorted(LEVELS.keys() - _units()) == []


def test_no_import_goes_up_a_layer() -> None:
    upward = [
        f"{path.relative_to(GEO.parent)}: {unit} (level {LEVELS[unit]}) imports "
        f"{target} (level {LEVELS[target]})"
        for unit, targets in _unit_imports().items()
        for target, path in targets.items()
        if LEVELS[target] > LEVELS[unit]
    ]
    assert upward == []


def test_no_cycle_between_units() -> None:
    edges = _unit_imports()
    cycles: list[list[str]] = []

    def visit(unit: str, trail: list[str]) -> None:
        for target in edges.get(unit, {}):
            if target in trail:
                cycles.append([*trail[trail.index(target) :], target])
            elif len(trail) < len(LEVELS):
                visit(target, [*trail, target])

    for unit in sorted(edges):
        visit(unit, [unit])
    assert cycles == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import geo.store\n", {"geo.store"}),
        (
            "def f():\n    from geo.report.plan import write_outputs\n",
            {"geo.report.plan", "geo.report.plan.write_outputs"},
        ),
        ("from . import stored\n", {"geo.patrol", "geo.patrol.stored"}),
        ("from .windows import Windows\n", {"geo.patrol.windows", "geo.patrol.windows.Windows"}),
        ("from ..maps import io\n", {"geo.maps", "geo.maps.io"}),
        ("import numpy as np\nfrom pathlib import Path\n", set()),
    ],
)
def test_imports_are_read_inside_functions_and_relative(source: str, expected: set[str]) -> None:
    """What a module of ``geo/patrol/`` imports, as the layer checks read it."""
    assert _imported_modules(source, ("geo", "patrol")) == expected
