"""Column aliases (Swedish and English) and how a file's header maps onto incident fields."""

from __future__ import annotations

import re
from collections.abc import Iterable

from geo.model import normalize_text

#: Field → accepted header names (compared without case, diacritics, spaces, '-' or '_').
ALIASES: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "incident_id",
        "ärende",
        "ärendenummer",
        "ärendenr",
        "diarienummer",
        "händelse_id",
        "event_id",
        "uuid",
        "löpnummer",
    ),
    "lon": ("lon", "lng", "long", "longitude", "longitud", "längdgrad"),
    "lat": ("lat", "latitude", "latitud", "breddgrad"),
    "x": (
        "x",
        "e",
        "easting",
        "östlig",
        "öst",
        "ost",
        "koordinat_e",
        "x_koordinat",
        "xkoord",
        "x_sweref99tm",
        "sweref_e",
    ),
    "y": (
        "y",
        "n",
        "northing",
        "nordlig",
        "nord",
        "koordinat_n",
        "y_koordinat",
        "ykoord",
        "y_sweref99tm",
        "sweref_n",
    ),
    "datetime": (
        "tidpunkt",
        "datetime",
        "date_time",
        "occurred_at",
        "timestamp",
        "händelsetid",
        "inträffade",
        "datum_tid",
        "datum_och_tid",
        "starttid",
        "start",
    ),
    "date": ("datum", "date", "dag", "händelsedatum"),
    "time": ("tid", "time", "klockslag", "kl", "klocka", "tidpunkt_kl"),
    "until": ("sluttid", "occurred_until", "till", "end", "slut"),
    "category": (
        "kategori",
        "category",
        "typ",
        "type",
        "händelsetyp",
        "händelse",
        "brottstyp",
        "problem",
        "ärendetyp",
    ),
    "place": (
        "plats",
        "place",
        "place_name",
        "platsnamn",
        "adress",
        "address",
        "gatuadress",
        "område",
        "location",
        "ort",
    ),
    "description": (
        "beskrivning",
        "händelsebeskrivning",
        "ärendebeskrivning",
        "description",
        "text",
        "fritext",
        "kommentar",
        "notering",
        "summary",
        "sammanfattning",
        "anteckning",
    ),
    "source": ("källa", "source", "rapportkälla"),
    "reporter_org": (
        "rapportör",
        "reporter_org",
        "organisation",
        "verksamhet",
        "förvaltning",
        "avdelning",
        "rapporterad_av",
        "uppgiftslämnare",
    ),
    "reported_to_police": (
        "anmäld",
        "polisanmäld",
        "reported_to_police",
        "anmält_till_polis",
        "polisanmälan",
    ),
    "weight": ("vikt", "weight", "antal", "count"),
    "time_precision": ("tidsprecision", "time_precision"),
}


#: A CRS or unit written beside a coordinate column's name, as GIS and registry exports do:
#: ``Latitud (WGS84)``, ``N (SWEREF 99 TM)``, ``lat_wgs84``, ``Northing (m)``. Compared on
#: the name lower-cased and without diacritics; a word of the name alone, not inside another.
_QUALIFIER = re.compile(
    r"(?<![a-z0-9])(?:wgs\s*84|sweref\s*99(?:\s*tm)?|rt\s*90|epsg\s*:?\s*\d{4,5})(?![a-z0-9])"
    r"|[(\[]\s*(?:m|meter|metre|grader|degrees?|dd)\s*[)\]]"
)
#: Field of the coordinate columns, which alone may carry a :data:`_QUALIFIER`: "Datum
#: (rapport)" stays no date column, as before.
_COORDINATES = frozenset({"lat", "lon", "x", "y"})


def _key(name: str) -> str:
    return "".join(ch for ch in normalize_text(name) if ch.isalnum())


def _field(name: str) -> str | None:
    """Return the field a column name reads, a coordinate's also with a CRS or unit beside it."""
    field = _LOOKUP.get(_key(name))
    if field is not None:
        return field
    bare = _QUALIFIER.sub(" ", normalize_text(name))
    field = _LOOKUP.get(_key(re.sub(r"[(\[]\s*[)\]]", " ", bare)))
    return field if field in _COORDINATES else None


_LOOKUP: dict[str, str] = {
    _key(alias): field for field, names in ALIASES.items() for alias in names
}


def resolve_columns(columns: Iterable[object]) -> dict[str, str]:
    """Map incident fields to the file's column names.

    Parameters
    ----------
    columns
        The header of the file.

    Returns
    -------
    dict
        ``{field: column}`` for every field found (first matching column wins); a
        coordinate column may name its CRS or unit (``Latitud (WGS84)``, ``N (SWEREF 99
        TM)``, ``Northing (m)``), which was no coordinate column, its rows located by their
        place name instead.
    """
    found: dict[str, str] = {}
    for col in columns:
        field = _field(str(col))
        if field is not None and field not in found:
            found[field] = str(col)
    return found


def describe_aliases() -> str:
    """Return a one-line list of the main accepted column names, for error messages."""
    return (
        "lat/lon (latitud/longitud), x/y (E/N, easting/northing), datum + tid or tidpunkt, "
        "kategori, plats, beskrivning"
    )
