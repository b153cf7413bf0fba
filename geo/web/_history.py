"""Audit rows as the pages show them (a spot's, a pass's, an activity's): Swedish, no JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import pandas as pd

from geo import settings, spots, users
from geo.patrol_log_fields import CANCEL_REASONS, CONTROL_COUNTS
from geo.patrol_log_rows import REPEATED_HOUR_OFFSETS, repeated_offset

#: The audit's actions as the page names them.
ACTIONS: dict[str, str] = {
    "skapad": "Skapad",
    "ändrad": "Ändrad",
    "status": "Ny status",
    "borttagen": "Borttagen",
}

#: The fields of an audit row, in the page's order, by their Swedish names.
FIELD_LABELS: dict[str, str] = {
    "status": "Status",
    "owner": "Ansvarig",
    "category": "Kategori",
    "weekdays": "Dagar",
    "time_bands": "Tider",
    "since": "Sedan",
    "description": "Beskrivning",
    "unit": "Enhet",
    "geometry": "Plats",
    "org": "Organisation",
}
#: The fields of a pass's audit row (:mod:`geo.patrol_passes`), by their Swedish names.
PASS_FIELD_LABELS: dict[str, str] = {
    "start": "Start",
    "end": "Slut",
    "minutes": "Minuter",
    "places": "Platser",
    "activity": "Aktivitet",
    "results": "Resultat",
    "cancelled": "Inställt",
    **{field: label.capitalize() for field, label in CONTROL_COUNTS.items()},
}
#: The fields of an activity-log row's audit row (:mod:`geo.activity_entries`).
ACTIVITY_FIELD_LABELS: dict[str, str] = {"times": "Antal", "comment": "Kommentar"}


def _joined(names: dict[Any, str]) -> Callable[[Any], str]:
    return lambda values: ", ".join(names.get(v, str(v)) for v in values or []) or "–"


def _geometry(wkt: object) -> str:
    kind = str(wkt).split(" ", 1)[0].upper()
    return {"POINT": "en punkt", "LINESTRING": "en sträcka"}.get(kind, "–")


def _clock_time(value: object) -> str:
    """Return a stored time as ``2026-10-25 02:10``, and which one in October's repeated hour.

    ``sommartid`` or ``normaltid`` follows such a time, so a correction of that choice alone
    reads as one.
    """
    text = str(value)[:16].replace("T", " ")
    try:
        offset = repeated_offset(pd.Timestamp(str(value)))
    except (ValueError, TypeError):
        return text
    return f"{text} {REPEATED_HOUR_OFFSETS[offset]}" if offset else text


_FORMATS: dict[str, Callable[[Any], str]] = {
    "status": lambda v: spots.STATUSES.get(v, str(v)),
    "owner": lambda v: spots.OWNERS.get(v, str(v)),
    "category": lambda v: spots.SPOT_CATEGORIES.get(v, str(v)),
    "org": lambda v: users.ORGS.get(v, str(v)),
    "weekdays": _joined(spots.WEEKDAYS),
    "time_bands": _joined({k: b.label for k, b in spots.TIME_BANDS.items()}),
    "geometry": _geometry,
    "start": _clock_time,
    "end": _clock_time,
    "minutes": lambda v: f"{float(v):.0f} min",
    "cancelled": lambda v: CANCEL_REASONS.get(v, str(v)),
}


def _fields(text: object) -> dict[str, Any]:
    """Read an audit row's JSON column; nothing (NaN, ``None``, bad JSON) reads as ``{}``."""
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def show_value(field: str, value: object) -> str:
    """Return one field's value as the page shows it (labels, not ids; "–" for nothing).

    Parameters
    ----------
    field
        The audit's field name (``status``, ``weekdays`` …).
    value
        Its value as the audit's JSON holds it.

    Returns
    -------
    str
        The Swedish text.
    """
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _FORMATS.get(field, str)(value)


def local_minute(stamp: object) -> str:
    """Return an audit time (UTC, ``…Z``) as Swedish local time to the minute, or ``""``.

    Parameters
    ----------
    stamp
        ``changed_at`` as stored.

    Returns
    -------
    str
        ``YYYY-MM-DD HH:MM`` in ``settings.timezone``.
    """
    if not stamp:
        return ""
    ts = pd.Timestamp(str(stamp))
    if ts.tzinfo is None:  # written without a zone: UTC, as the audit writers do
        ts = ts.tz_localize("UTC")
    return f"{ts.tz_convert(settings.timezone):%Y-%m-%d %H:%M}"


def describe_change(
    change: Mapping[Hashable, Any],
    *,
    labels: Mapping[str, str] = FIELD_LABELS,
    who: str | None = None,
) -> dict[str, Any]:
    """Return one audit row for a page (a spot's history, a pass's).

    Parameters
    ----------
    change
        A record of :func:`geo.spots.read_changes` or :func:`geo.patrol_passes.read_pass_changes`
        (``before``/``after`` as JSON text, ``before`` missing for the row that created the
        record, ``after`` for the row that removed it).
    labels
        The fields shown, by their Swedish names: :data:`FIELD_LABELS` (a spot's),
        :data:`PASS_FIELD_LABELS` or :data:`ACTIVITY_FIELD_LABELS`; a field left out is
        not told at all (an activity's comment, for the other organisation).
    who
        Who the row names instead of its ``changed_by`` (the account, a command line, a file):
        the organisation, for a viewer from the other one (design §8: no names to the shared
        audience); ``None`` names ``changed_by``.

    Returns
    -------
    dict
        ``when`` ("2026-05-04 18:30"), ``who`` (``changed_by``, or ``who``), ``what``
        (Swedish action), ``fields``: a list of ``(label, before, after)`` for every field
        that changed (``before`` is ``None`` on the created row, ``after`` "–" on the removed
        row), ``comment``.
    """
    before, after = _fields(change.get("before")), _fields(change.get("after"))
    created = not before
    shown = after or before
    fields = [
        (
            label,
            None if created else show_value(key, before.get(key)),
            show_value(key, after.get(key)),
        )
        for key, label in labels.items()
        if key in shown and (created or before.get(key) != after.get(key))
    ]
    comment = change.get("comment")
    return {
        "when": local_minute(change.get("changed_at")),
        "who": (change.get("changed_by") or "") if who is None else who,
        "what": ACTIONS.get(str(change.get("action")), str(change.get("action"))),
        "fields": fields,
        "comment": comment if isinstance(comment, str) else "",
    }
