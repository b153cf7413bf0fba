"""Traffic spots marked by kommun staff: validation, storage with an audit trail, export.

Spots live in the store's GeoPackage: the feature table ``spots`` (Point or LineString,
EPSG:3006), the audit table ``spot_changes`` (one row per change: who, when, before/after)
and nothing is ever deleted. A spot is written with an idempotent "put by UUID": the same
UUID with the same content changes nothing, so a browser may retry until it is acknowledged.
Kommun EST observations from the same app go into the ``incidents`` table through
:func:`geo.store.write_import`.

One module per part, imported one way (each only from those above it):
:mod:`~geo.spots.vocabulary`, :mod:`~geo.spots.validation`, :mod:`~geo.spots.table`,
:mod:`~geo.spots.writing`, :mod:`~geo.spots.reading`, :mod:`~geo.spots.observations`. The
check of free text for personnummer, registration numbers and street addresses is
:mod:`geo.sensitive_text`'s, shared with the activity log and the patrol log.
"""

from geo.sensitive_text import GENERIC_ROAD_WORDS, STREET_SUFFIXES, has_street_address
from geo.spots.observations import record_observation, validate_observation
from geo.spots.reading import (
    export_spots,
    get_spot,
    list_spots,
    read_changes,
    read_spots,
    spots_geojson,
)
from geo.spots.table import SPOT_COLUMNS, ensure_schema
from geo.spots.validation import (
    MAX_LINE_LENGTH_M,
    MAX_LINE_POINTS,
    MAX_TEXT_CHARS,
    MAX_UNIT_CHARS,
    MIN_LINE_LENGTH_M,
    SpotDraft,
    SpotValidationError,
    validate_spot,
)
from geo.spots.vocabulary import (
    CREATING_ORGS,
    OPEN_STATUSES,
    OWNERS,
    SPOT_CATEGORIES,
    STATUSES,
    TIME_BANDS,
    TRANSITIONS,
    WEEKDAYS,
    TimeBand,
    for_police,
    when_text,
)
from geo.spots.writing import (
    NEARBY_RADIUS_M,
    SaveResult,
    SpotNotFoundError,
    SpotPermissionError,
    check_location,
    nearby_hint,
    put_spot,
    set_status,
)

__all__ = [
    "CREATING_ORGS",
    "GENERIC_ROAD_WORDS",
    "MAX_LINE_LENGTH_M",
    "MAX_LINE_POINTS",
    "MAX_TEXT_CHARS",
    "MAX_UNIT_CHARS",
    "MIN_LINE_LENGTH_M",
    "NEARBY_RADIUS_M",
    "OPEN_STATUSES",
    "OWNERS",
    "SPOT_CATEGORIES",
    "SPOT_COLUMNS",
    "STATUSES",
    "STREET_SUFFIXES",
    "TIME_BANDS",
    "TRANSITIONS",
    "WEEKDAYS",
    "SaveResult",
    "SpotDraft",
    "SpotNotFoundError",
    "SpotPermissionError",
    "SpotValidationError",
    "TimeBand",
    "check_location",
    "ensure_schema",
    "export_spots",
    "for_police",
    "get_spot",
    "has_street_address",
    "list_spots",
    "nearby_hint",
    "put_spot",
    "read_changes",
    "read_spots",
    "record_observation",
    "set_status",
    "spots_geojson",
    "validate_observation",
    "validate_spot",
    "when_text",
]
