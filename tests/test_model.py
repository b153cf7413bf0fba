import json
from pathlib import Path

import pytest

from geo.model import (
    CATEGORIES,
    POLISEN_TYPE_CATEGORY,
    THEMES,
    category_from_polisen_type,
    category_from_text,
    normalize_text,
)

TYPES_FILE = (
    Path(__file__).parents[1]
    / "data"
    / "polisen"
    / "polisen_event_types_counts_sweden_2022-2026.json"
)


def _all_types() -> list[str]:
    return [t for t, _ in json.loads(TYPES_FILE.read_text(encoding="utf-8"))["types"]]


def test_all_97_police_types_map_to_a_known_category():
    types = _all_types()
    assert len(types) == 97
    for t in types:
        assert category_from_polisen_type(t) in CATEGORIES


def test_police_types_of_the_lofte_themes_are_not_lost_in_ovrigt():
    for t in _all_types():
        cat = category_from_polisen_type(t)
        if t.startswith(("Trafikolycka", "Rattfylleri", "Trafikbrott")):
            assert CATEGORIES[cat].theme == "T", t
        if t in ("Narkotikabrott", "Fylleri/LOB", "Alkohollagen"):
            assert CATEGORIES[cat].theme == "N", t
    assert category_from_polisen_type("Stöld/inbrott") == "inbrott"
    assert category_from_polisen_type("Skadegörelse") == "skadegorelse"
    assert category_from_polisen_type("Något helt nytt") == "ovrigt"


def test_mapping_targets_exist_and_themes_are_the_lofte_four():
    assert set(THEMES) == {"N", "T", "B", "S"}
    assert set(POLISEN_TYPE_CATEGORY.values()) <= set(CATEGORIES)
    assert {c.theme for c in CATEGORIES.values()} <= set(THEMES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hastighet", "hastighet"),
        ("Nedskräpning", "nedskrapning"),
        ("Rattfylleri", "rattfylleri"),
        ("EPA-traktorer kör runt torget", "motorburen"),
        ("Bilar kör för fort förbi skolan", "hastighet"),
        ("Mycket skräp och glas vid stranden", "nedskrapning"),
        ("klotter på omklädningsrummet", "skadegorelse"),
        ("misstänkt langning av narkotika", "narkotika"),
        ("Motorburen problematik", "motorburen"),
    ],
)
def test_category_from_swedish_text(text, expected):
    assert category_from_text(text) == expected


def test_unknown_text_has_no_category():
    assert category_from_text("solen skiner") is None
    assert category_from_text("") is None


def test_normalize_text_ignores_case_and_diacritics():
    assert normalize_text("  TÅNGERÅSA   kyrka ") == "tangerasa kyrka"
