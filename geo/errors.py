"""Exceptions raised by the geo package; every message says what was wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Mapping


class GeoError(Exception):
    """Base class of every error the package raises on purpose; the CLI catches only this."""


class DataError(GeoError, ValueError):
    """Empty or invalid input data, or the wrong geometry type."""


class FieldsError(DataError):
    """A form's fields failed validation; ``errors`` maps each field to a Swedish sentence.

    Parameters
    ----------
    errors
        Field name → the message shown next to the field.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class ImportFileError(DataError):
    """A whole input file cannot be imported (unreadable, empty, no usable columns)."""


class CRSError(GeoError, ValueError):
    """The CRS is missing, unsupported, or geographic where metres are needed."""


class SiteError(GeoError, ValueError):
    """An unknown place, or a malformed file in ``data/platser``."""


class StoreError(GeoError):
    """The store cannot be opened, or is not a store this version understands."""


class NetworkError(GeoError):
    """A download failed, or the machine is offline with nothing cached."""


class InfeasiblePatrolError(GeoError):
    """The time budget cannot reach any candidate stop."""


class TLSFileError(GeoError):
    """A certificate or key for HTTPS is missing, unreadable, not PEM, or the two do not match."""


class EntryError(DataError):
    """An activity-log row does not fit the plan: one field, said in English and in Swedish.

    The message (``str(e)``) is the CLI's and the file import's; :attr:`form_message` is the
    sentence the marking app shows next to :attr:`field`.

    Parameters
    ----------
    message
        The English message: what was wrong, the value and the fix.
    field
        The field it is about: ``activity_id``, ``month``, ``executor``, ``times`` or ``comment``.
    form_message
        The Swedish sentence for the form: the value and the fix.
    """

    def __init__(self, message: str, *, field: str, form_message: str) -> None:
        super().__init__(message)
        self.field = field
        self.form_message = form_message
