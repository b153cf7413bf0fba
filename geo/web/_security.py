"""Web plumbing: request-body limit, form bodies, the session secret and CSRF tokens."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import HTTPException
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
#: ``code`` of a 403 for a missing or stale CSRF token: the browser fetches a new token and
#: sends again.
CODE_CSRF = "csrf"
#: ``code`` of a 403 for an account not allowed to do what it asked: sending again cannot
#: help, so the browser's outbox moves the report to the refused ones with ``detail``.
CODE_FORBIDDEN = "forbidden"


class CodedHTTPError(HTTPException):
    """An HTTP error answered as ``{"code": code, "detail": detail}``.

    The ``code`` lets the browser tell refusals of the same status apart (a 403 for a stale
    CSRF token from one for a permission) without reading the Swedish sentence.

    Parameters
    ----------
    status_code
        The HTTP status.
    detail
        The Swedish sentence shown to the user.
    code
        The machine-readable kind of refusal (:data:`CODE_CSRF`, :data:`CODE_FORBIDDEN`).
    """

    def __init__(self, status_code: int, detail: str, *, code: str) -> None:
        super().__init__(status_code, detail)
        self.code = code


def forbidden(detail: str) -> CodedHTTPError:
    """Return the 403 of a permission refusal, ``code`` :data:`CODE_FORBIDDEN`.

    Parameters
    ----------
    detail
        Why the account may not (Swedish), shown with the refused report.

    Returns
    -------
    CodedHTTPError
        The exception to raise.
    """
    return CodedHTTPError(403, detail, code=CODE_FORBIDDEN)


def csrf_refused() -> CodedHTTPError:
    """Return the 403 of a missing or wrong CSRF token, ``code`` :data:`CODE_CSRF`.

    Returns
    -------
    CodedHTTPError
        The exception to raise.
    """
    return CodedHTTPError(403, "Ogiltig säkerhetstoken (CSRF); ladda om sidan.", code=CODE_CSRF)


class _BodyTooLargeError(Exception):
    pass


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, by header or while streaming.

    Parameters
    ----------
    app
        The wrapped ASGI app.
    max_bytes
        Largest accepted body.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 413 when its body is too large."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLargeError:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        mb = self.max_bytes / 1024 / 1024
        response = JSONResponse(
            {"detail": f"Förfrågan är för stor; högst {mb:.0f} MB tas emot."},
            status_code=413,
            headers={"connection": "close"},
        )
        await response(scope, receive, send)


#: Swedish refusals of a form body the parser could not read, by the start of Starlette's
#: English message; any other such message gets :data:`FORM_UNREADABLE`.
FORM_REFUSALS: dict[str, str] = {
    "Too many fields": "Formuläret har för många fält; ladda om sidan och försök igen.",
    "Too many files": "Formuläret har för många fält; ladda om sidan och försök igen.",
    "Field exceeded maximum size": "Ett fält i formuläret är för stort; högst 1 MB tas emot.",
    "Part exceeded maximum size": "Ett fält i formuläret är för stort; högst 1 MB tas emot.",
}
FORM_UNREADABLE = "Formuläret gick inte att läsa; ladda om sidan och försök igen."


async def read_form(request: Request) -> FormData:
    """Return the request's form, or refuse a body the parser cannot read with a Swedish 400.

    Starlette answers a broken multipart body (no boundary, a part without a name, too many
    fields, a part over 1 MB) with its own English sentence; the login page's browser
    showed it as it was.

    Parameters
    ----------
    request
        A request with a form body (urlencoded or multipart).

    Returns
    -------
    starlette.datastructures.FormData
        The fields (none for a body of another content type).

    Raises
    ------
    fastapi.HTTPException
        400 with a sentence of :data:`FORM_REFUSALS` or :data:`FORM_UNREADABLE`.
    """
    try:
        return await request.form()
    except StarletteHTTPException as e:
        said = str(e.detail)
        detail = next((sv for en, sv in FORM_REFUSALS.items() if said.startswith(en)), None)
        raise HTTPException(400, detail or FORM_UNREADABLE) from e


class WholeFilesMiddleware:
    """Send every file whole: drop a request's ``Range`` header before the app reads it.

    Starlette answers a malformed ``Range`` (``bytes=abc``, ``items=1-2``) for a file with
    an English 400 in plain text; no page needs part of a file (the largest, Leaflet's
    script, is 150 kB).

    Parameters
    ----------
    app
        The wrapped ASGI app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on without its ``Range`` header."""
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"range"]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def load_secret(store_path: Path) -> str:
    """Return the session-signing secret kept beside the store (created once, mode 0600).

    Parameters
    ----------
    store_path
        The store; the secret lives in ``<store>.websecret``.

    Returns
    -------
    str
        The secret.
    """
    path = store_path.with_name(store_path.name + ".websecret")
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    secret = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secret)
    return secret


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating one if the session has none.

    Parameters
    ----------
    request
        The current request (with a session).

    Returns
    -------
    str
        The token to put in forms and the ``X-CSRF-Token`` header.
    """
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, sent: str | None) -> bool:
    """Tell whether ``sent`` matches the session's CSRF token (constant-time).

    Parameters
    ----------
    request
        The current request.
    sent
        The token from the header or the form.

    Returns
    -------
    bool
        ``True`` when both exist and match.
    """
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token or not sent:
        return False
    return secrets.compare_digest(token.encode(), sent.encode())
