"""What the marking app's page modules (passes, activities) share: its parts, the 422 answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from geo import users


@dataclass(frozen=True)
class AppParts:
    """What a page module's routes take from the app built by :func:`geo.web.app.create_app`.

    Attributes
    ----------
    path
        The store.
    page
        Renders a template: ``page(request, name, user, **context)``.
    session_user
        The logged-in account of a request, or ``None``.
    api_user
        The account of an API request (401 when logged out; ``write=True`` checks CSRF).
    json_body
        The request's JSON object (400 otherwise).
    place_names
        The named places of the kommun, offered in the pass form's place list.
    """

    path: Path
    page: Callable[..., Response]
    session_user: Callable[[Request], users.User | None]
    api_user: Callable[..., Awaitable[users.User]]
    json_body: Callable[[Request], Awaitable[dict[str, Any]]]
    place_names: list[str]


def fields_refused(errors: Mapping[str, str]) -> JSONResponse:
    """Answer a write whose fields were refused: 422 with each field's Swedish message.

    Parameters
    ----------
    errors
        Field → the sentence the page shows next to it (``showErrors`` in ``common.js``).

    Returns
    -------
    fastapi.responses.JSONResponse
        ``{"detail": "Kontrollera fälten.", "errors": {...}}``, status 422.
    """
    return JSONResponse({"detail": "Kontrollera fälten.", "errors": dict(errors)}, status_code=422)


class FieldsRefusedError(Exception):
    """Raised where a write's fields are refused before its route reads them (the body).

    The app answers it with :func:`fields_refused`.

    Parameters
    ----------
    errors
        Field → the Swedish sentence shown next to it.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(dict(errors))
        self.errors = dict(errors)
