"""Security headers on every answer of the marking app: what a browser may load and show.

The pages load only the app's own files: scripts from ``/static/``, ``/vendor/`` (Leaflet,
Leaflet.draw) and ``/labels.js``, style sheets likewise, Leaflet's marker and control
images, and ``fetch`` to the app's own API. No page has an inline script (the page's
settings travel in ``<script type="application/json">`` blocks, which are data and never
run), an inline ``style`` attribute or a ``<style>`` element; the scripts set positions and
colours through the CSSOM (``element.style.left = …``), which a Content-Security-Policy does
not restrict. No map tiles are fetched (the app is offline), so no other origin, ``data:``
or ``blob:`` is allowed.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The Content-Security-Policy: the app's own origin for scripts, styles, images and
#: requests, nothing else; no framing, no ``<base>``, forms sent only to the app.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
#: The headers set on every answer (a page, JSON, a file, an error).
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # for browsers that do not know frame-ancestors
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # a spot's address (/markering/<uuid>) is not told to another site
    "Referrer-Policy": "no-referrer",
}


class SecurityHeadersMiddleware:
    """Add :data:`SECURITY_HEADERS` to every HTTP answer of the wrapped app.

    Parameters
    ----------
    app
        The wrapped ASGI app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and add the headers to its answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadedApp(FastAPI):
    """A FastAPI app whose every answer carries :data:`SECURITY_HEADERS`, a server error's too.

    Starlette puts its error middleware (the plain-text 500 of an unhandled exception)
    outside every middleware added with ``add_middleware``; the headers are therefore added
    around the whole stack.
    """

    def build_middleware_stack(self) -> ASGIApp:
        """Return the app's middleware stack wrapped in :class:`SecurityHeadersMiddleware`."""
        return SecurityHeadersMiddleware(super().build_middleware_stack())
