"""The marking app: FastAPI routes, Swedish pages, JSON API and locally served Leaflet."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from http import HTTPStatus
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from shapely.geometry import mapping
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from geo import sessions, settings, spots, users
from geo.errors import GeoError, StoreError
from geo.model import CATEGORIES, normalize_text
from geo.network import graph_edges, load_graph, road_labels
from geo.sites import load_boundary, load_places, naming_order, nearest_place_names
from geo.web._headers import HeadedApp
from geo.web._history import describe_change, local_minute
from geo.web._parts import AppParts, FieldsRefusedError, fields_refused
from geo.web._plan_stops import planned_stops
from geo.web._security import (
    CSRF_FIELD,
    CSRF_HEADER,
    BodyLimitMiddleware,
    CodedHTTPError,
    WholeFilesMiddleware,
    csrf_ok,
    csrf_refused,
    csrf_token,
    forbidden,
    load_secret,
    read_form,
)
from geo.web._throttle import DeviceNames, LoginThrottle
from geo.web.activities import add_activity_routes
from geo.web.passes import add_pass_routes

logger = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
MAX_BODY_BYTES = 10 * 1024 * 1024
SESSION_MAX_AGE_S = sessions.MAX_AGE_S
#: Swedish messages for the framework's own errors (which say "Not Found" and the like).
HTTP_MESSAGES: dict[int, str] = {
    404: "Sidan finns inte.",
    405: "Metoden är inte tillåten för den här adressen.",
}
#: The headings of the error page a browser gets for a page (a stale link, an old form).
ERROR_TITLES: dict[int, str] = {
    400: "Förfrågan gick inte att läsa",
    401: "Du är inte inloggad",
    403: "Det är inte tillåtet",
    404: "Sidan finns inte",
    405: "Adressen tar inte emot det här",
}
#: Where only the app's scripts ask (JSON) or files are served: errors stay JSON there.
_NOT_PAGES = ("/api/", "/static/", "/vendor/")
#: npm packages served under ``/vendor/<name>/`` (their ``dist`` folders only).
VENDOR_PACKAGES: tuple[str, ...] = ("leaflet", "leaflet-draw")


def default_vendor_dir() -> Path:
    """Return the ``node_modules`` folder the maps read too.

    Returns
    -------
    pathlib.Path
        ``$GEO_NODE_MODULES`` when set (a worktree sharing another checkout's packages),
        else the checkout's ``node_modules`` (where ``make`` installs npm packages).
    """
    # imported here: the geo.maps package pulls in folium, which the app does not need
    from geo.maps._assets import node_modules_dir

    return node_modules_dir()


def _jsonable_spot(spot: dict[str, Any]) -> dict[str, Any]:
    return spots.spots_geojson([spot])["features"][0]  # type: ignore[no-any-return]


#: A spot's fields naming an account.
_ACCOUNT_FIELDS = ("created_by", "updated_by")


def _named_for(viewer: users.User, rows: list[dict[str, Any]], orgs: dict[str, str]) -> None:
    """Name the accounts in spots' fields as ``viewer`` may see them (:func:`users.shown_name`)."""
    for row in rows:
        for field in _ACCOUNT_FIELDS:
            if field in row:
                row[field] = users.shown_name(row[field], viewer, orgs)


def create_app(
    store_path: Path | None = None,
    *,
    secret_key: str | None = None,
    vendor_dir: Path | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    secure_cookies: bool = False,
    login_throttle: LoginThrottle | None = None,
) -> FastAPI:
    """Build the marking app for one store.

    Parameters
    ----------
    store_path
        The GeoPackage store (default ``settings.store_path``); the app adds its tables.
    secret_key
        Key signing the session cookie; default a random key kept in ``<store>.websecret``.
    vendor_dir
        ``node_modules`` holding leaflet and leaflet-draw; default :func:`default_vendor_dir`.
    max_body_bytes
        Larger request bodies are refused with 413.
    secure_cookies
        Mark the session cookie ``Secure`` (set when served over HTTPS).
    login_throttle
        The brake on wrong passwords per name (default :class:`LoginThrottle`'s; a test
        gives its own clock).

    Returns
    -------
    fastapi.FastAPI
        The app, ready for uvicorn.

    Raises
    ------
    StoreError
        If leaflet or leaflet-draw is not installed in ``vendor_dir``.
    """
    path = spots.ensure_schema(store_path)
    users.ensure_schema(path)
    sessions.ensure_schema(path)
    vendor = vendor_dir or default_vendor_dir()
    for pkg in VENDOR_PACKAGES:
        if not (vendor / pkg / "dist").is_dir():
            msg = (
                f"The npm package {pkg!r} is missing from {str(vendor)!r}; "
                "run `npm ci` (or `make`) in the project folder."
            )
            raise StoreError(msg)
    places = load_places()
    boundary = load_boundary()

    # no API description either: a client without an account reads the login page only
    app = HeadedApp(
        title="Trygghetskartan – markeringar", docs_url=None, redoc_url=None, openapi_url=None
    )
    secret = secret_key or load_secret(path)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="geo_session",
        max_age=SESSION_MAX_AGE_S,
        same_site="strict",
        https_only=secure_cookies,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(WholeFilesMiddleware)
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    for pkg in VENDOR_PACKAGES:
        app.mount(f"/vendor/{pkg}", StaticFiles(directory=vendor / pkg / "dist"), name=pkg)
    templates = Jinja2Templates(directory=_HERE / "templates")
    place_items = _place_items(places)
    boundary_geojson = json.loads(
        gpd.GeoSeries([boundary], crs=settings.working_crs).to_crs(settings.display_crs).to_json()
    )
    # where a marked place is accepted (the server's own check, geo.sites.inside_kommun): the
    # browser tests the user's position against it without sending the position anywhere
    area_geojson = json.loads(
        gpd.GeoSeries([boundary.buffer(settings.boundary_buffer_m)], crs=settings.working_crs)
        .to_crs(settings.display_crs)
        .to_json()
    )
    # each with its rank for naming (labels.js names the löfte's places, then the larger
    # localities first) and whether the löfte names it (its name may then lie on a bubble's ring)
    places_geojson = json.loads(
        places[["place_id", "name", "kind", "lofte", "geometry"]]
        .assign(rank=naming_order(places))
        .to_crs(settings.display_crs)
        .to_json()
    )
    roads_geojson, schematic, road_items = _roads()
    # a login waits for its password hash here, in the event loop, rather than in a worker
    # thread: a flood of wrong passwords (argon2, users.HASH_SLOTS at a time) held every
    # worker thread waiting, and each page and API request of the logged-in staff with them
    login_slots = asyncio.Semaphore(users.HASH_SLOTS)
    throttle = login_throttle or LoginThrottle()
    devices = DeviceNames(secret, secure=secure_cookies)

    def session_user(request: Request) -> users.User | None:
        # a session counts while its login's row is in the store (geo.sessions): a copy of
        # the cookie logs in no more after its logout or a password reset
        name, sid = request.session.get("user"), request.session.get("sid")
        if not (isinstance(name, str) and isinstance(sid, str)):
            return None
        if not sessions.is_live(sid, name, path=path):
            return None
        return users.get_user(name, path=path)

    async def api_user(request: Request, *, write: bool) -> users.User:
        user = await run_in_threadpool(session_user, request)
        if user is None:
            raise HTTPException(401, "Du är inte inloggad; logga in igen.")
        if write and not csrf_ok(request, request.headers.get(CSRF_HEADER)):
            raise csrf_refused()
        return user

    async def json_body(request: Request) -> dict[str, Any]:
        try:
            # JSON nested deeper than the parser recurses is no report either
            body = await request.json()
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise HTTPException(400, "Förfrågan är inte giltig JSON.") from e
        if not isinstance(body, dict):
            raise HTTPException(400, "Förfrågan ska vara ett JSON-objekt.")
        if not _storable_text(body):
            raise HTTPException(400, _HALF_CHARACTER)
        field = _field_with_nul(body)
        if field is not None:
            raise FieldsRefusedError({field: NUL_IN_TEXT})
        return body

    def page(request: Request, name: str, user: users.User | None, **ctx: object) -> HTMLResponse:
        cfg = {
            "csrf": csrf_token(request),
            "user": {"name": user.name, "org": user.org, "role": user.role} if user else None,
            # the account just logged out, whose reports the login page clears from the browser
            "logged_out": ctx.pop("logged_out", None),
            "categories": spots.SPOT_CATEGORIES,
            "observation_categories": {k: c.label for k, c in CATEGORIES.items()},
            "statuses": spots.STATUSES,
            "open_statuses": spots.OPEN_STATUSES,
            "owners": spots.OWNERS,
            "weekdays": spots.WEEKDAYS,
            "time_bands": {k: b.label for k, b in spots.TIME_BANDS.items()},
            "orgs": users.ORGS,
            "kommun": settings.kommun_name,
        }
        return templates.TemplateResponse(
            request,
            name,
            {"user": user, "cfg": cfg, "csrf": cfg["csrf"], "kommun": settings.kommun_name, **ctx},
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        """Answer an HTTP error: a page for a browser's page request, else JSON."""
        if not (isinstance(exc, StarletteHTTPException) and _wants_page(request)):
            return await _swedish_http_error(request, exc)
        user = await run_in_threadpool(session_user, request)
        title = ERROR_TITLES.get(exc.status_code, f"Fel {exc.status_code}")
        resp = page(request, "fel.html", user, title=title, message=_swedish_detail(exc))
        resp.status_code = exc.status_code
        resp.headers.update(exc.headers or {})
        return resp

    app.add_exception_handler(StarletteHTTPException, http_error)

    async def refused_fields(request: Request, exc: Exception) -> Response:
        return fields_refused(exc.errors if isinstance(exc, FieldsRefusedError) else {})

    app.add_exception_handler(FieldsRefusedError, refused_fields)

    def validation_response(e: spots.SpotValidationError) -> JSONResponse:
        return fields_refused(e.errors)

    # ------------------------------------------------------------------ pages

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        logged_out = request.session.pop("logged_out", None)
        return page(
            request,
            "login.html",
            None,
            error=None,
            login_name="",
            logged_out=logged_out if isinstance(logged_out, str) else None,
        )

    @app.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        form = await read_form(request)
        # a phone's keyboard may add a space after the name it suggests
        name = str(form.get("name") or "").strip()
        if not csrf_ok(request, str(form.get(CSRF_FIELD) or "")):
            error = "Sidan var för gammal; försök igen."
            return page(request, "login.html", None, error=error, login_name=name)
        # the browser that logged in as the name before never waits (geo.web._throttle)
        wait = 0.0 if devices.knows(request, name) else throttle.wait_s(name)
        if wait > 0:
            seconds = math.ceil(wait)
            error = (
                f"För många felaktiga lösenord för det här namnet; vänta {seconds} "
                f"{'sekund' if seconds == 1 else 'sekunder'} och försök igen (på en enhet där "
                "du har loggat in förut behövs ingen väntan)."
            )
            resp = page(request, "login.html", None, error=error, login_name=name)
            resp.status_code = 429
            resp.headers["retry-after"] = str(seconds)
            return resp
        password = str(form.get("password") or "")
        throttle.attempted(name)  # before the slow check: a burst of guesses counts at once
        async with login_slots:
            user = await run_in_threadpool(users.authenticate, name, password, path=path)
        if user is None:
            error = "Fel användarnamn eller lösenord."
            resp = page(request, "login.html", None, error=error, login_name=name)
            resp.status_code = 401
            return resp
        throttle.succeeded(name)
        request.session.clear()
        request.session["user"] = user.name
        request.session["sid"] = await run_in_threadpool(sessions.start, user.name, path=path)
        csrf_token(request)
        logger.info("login %s", user.name)
        done = RedirectResponse("/", status_code=303)
        devices.remember(request, done, user.name)
        return done

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        form = await read_form(request)
        if not csrf_ok(request, str(form.get(CSRF_FIELD) or "")):
            raise csrf_refused()
        name, sid = request.session.get("user"), request.session.get("sid")
        if isinstance(sid, str):
            await run_in_threadpool(sessions.end, sid, path=path)
        request.session.clear()
        if isinstance(name, str):
            # the login page's script clears this account's reports left in the browser's
            # outbox, also when the logout button's own clearing did not run (another tab)
            request.session["logged_out"] = name
        return RedirectResponse("/login", status_code=303)

    @app.get("/", response_class=HTMLResponse)
    async def map_page(request: Request) -> Response:
        user = await run_in_threadpool(session_user, request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        return page(request, "karta.html", user)

    @app.get("/observation", response_class=HTMLResponse)
    async def observation_page(request: Request) -> Response:
        user = await run_in_threadpool(session_user, request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        return page(request, "observation.html", user, places=place_items)

    @app.get("/lista", response_class=HTMLResponse)
    async def list_page(request: Request) -> Response:
        user = await run_in_threadpool(session_user, request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        q = request.query_params
        filters = {
            k: [v for v in q.getlist(k) if v] for k in ("status", "category", "org", "owner")
        }
        text = q.get("q") or None
        rows = await run_in_threadpool(lambda: spots.list_spots(path=path, text=text, **filters))
        # where and when, as the maps say them (a kommun officer's review: no place column,
        # and "· morgon 06–09" with no day ticked)
        _add_near(rows, places)
        for s in rows:
            s["when"] = (
                spots.when_text([int(d) - 1 for d in s["weekdays"]], list(s["time_bands"]))
                or "alla dagar och tider"
            )
        return page(request, "lista.html", user, rows=rows, filters=filters, text=text or "")

    @app.get("/markering/{spot_id}", response_class=HTMLResponse)
    async def spot_page(request: Request, spot_id: str) -> Response:
        user = await run_in_threadpool(session_user, request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        spot = await run_in_threadpool(spots.get_spot, spot_id, path=path)
        if spot is None:
            raise HTTPException(404, "Markeringen finns inte.")
        changes = await run_in_threadpool(spots.read_changes, spot_id, path=path)
        planned = await run_in_threadpool(
            lambda: planned_stops(
                spot_id,
                path,
                police=user.org == "polis",
                geometry=spot["geometry"],
                category=str(spot["category"]),
            )
        )
        orgs = await run_in_threadpool(lambda: users.account_orgs(path=path))
        _named_for(user, [spot], orgs)
        may_change = user.can_write and (user.org == "polis" or user.org == spot["org"])
        may_edit = user.can_write and user.org == spot["org"] and user.org in spots.CREATING_ORGS
        feature = _jsonable_spot(spot)
        return page(
            request,
            "markering.html",
            user,
            spot=spot,
            feature=feature,
            changes=[
                describe_change(c, who=users.shown_name(c["changed_by"], user, orgs))
                for c in changes.to_dict("records")
            ],
            may_change=may_change,
            may_edit=may_edit,
            geometry_3006=mapping(spot["geometry"]),
            created_at=local_minute(spot["created_at"]),
            next_statuses=spots.TRANSITIONS[spot["status"]],
            planned=planned,
        )

    # ------------------------------------------------------------------ API

    @app.get("/api/me")
    async def me(request: Request) -> dict[str, Any]:
        user = await api_user(request, write=False)
        return {"name": user.name, "org": user.org, "role": user.role, "csrf": csrf_token(request)}

    @app.get("/api/spots")
    async def api_spots(request: Request) -> dict[str, Any]:
        user = await api_user(request, write=False)
        q = request.query_params
        filters = {
            k: [v for v in q.getlist(k) if v] for k in ("status", "category", "org", "owner")
        }
        rows = await run_in_threadpool(
            lambda: spots.list_spots(path=path, text=q.get("q") or None, **filters)
        )
        orgs = await run_in_threadpool(lambda: users.account_orgs(path=path))
        _named_for(user, rows, orgs)
        # the list's "Nära", for each spot's name on the map (read out by a screen reader)
        await run_in_threadpool(_add_near, rows, places)
        return spots.spots_geojson(rows)

    @app.get("/api/spots/{spot_id}")
    async def api_spot(request: Request, spot_id: str) -> dict[str, Any]:
        user = await api_user(request, write=False)
        spot = await run_in_threadpool(spots.get_spot, spot_id, path=path)
        if spot is None:
            raise HTTPException(404, "Markeringen finns inte.")
        changes = await run_in_threadpool(spots.read_changes, spot_id, path=path)
        orgs = await run_in_threadpool(lambda: users.account_orgs(path=path))
        _named_for(user, [spot], orgs)
        feature = _jsonable_spot(spot)
        feature["changes"] = [
            {**c, "changed_by": users.shown_name(c["changed_by"], user, orgs)}
            for c in changes.to_dict("records")
        ]
        return feature

    @app.put("/api/spots/{spot_id}")
    async def api_put_spot(request: Request, spot_id: str) -> Response:
        user = await api_user(request, write=True)
        body = await json_body(request)
        try:
            result = await run_in_threadpool(spots.put_spot, spot_id, body, user=user, path=path)
        except spots.SpotValidationError as e:
            return validation_response(e)
        except spots.SpotPermissionError as e:
            raise forbidden(str(e)) from e
        content = {
            "spot": _jsonable_spot(result.spot),
            "created": result.created,
            "changed": result.changed,
            "hints": result.hints,
        }
        return JSONResponse(content, status_code=201 if result.created else 200)

    @app.post("/api/spots/check")
    async def api_check(request: Request) -> Response:
        await api_user(request, write=True)
        body = await json_body(request)
        geometry = body.get("geometry")
        exclude = body.get("spot_id")
        try:
            hints = await run_in_threadpool(
                lambda: spots.check_location(
                    geometry if isinstance(geometry, dict) else {},
                    crs=str(body["crs"]) if body.get("crs") else None,
                    path=path,
                    exclude=str(exclude) if exclude else None,
                )
            )
        except spots.SpotValidationError as e:
            return validation_response(e)
        return JSONResponse({"hints": hints})

    @app.post("/api/spots/{spot_id}/status")
    async def api_status(request: Request, spot_id: str) -> Response:
        user = await api_user(request, write=True)
        body = await json_body(request)
        try:
            spot = await run_in_threadpool(
                lambda: spots.set_status(
                    spot_id,
                    status=str(body.get("status") or ""),
                    owner=str(body["owner"]) if body.get("owner") else None,
                    comment=str(body.get("comment") or ""),
                    user=user,
                    path=path,
                )
            )
        except spots.SpotValidationError as e:
            return validation_response(e)
        except spots.SpotNotFoundError as e:
            raise HTTPException(404, str(e)) from e
        except spots.SpotPermissionError as e:
            raise forbidden(str(e)) from e
        return JSONResponse({"spot": _jsonable_spot(spot)})

    @app.put("/api/observations/{observation_id}")
    async def api_observation(request: Request, observation_id: str) -> Response:
        user = await api_user(request, write=True)
        body = await json_body(request)
        try:
            created = await run_in_threadpool(
                lambda: spots.record_observation(
                    observation_id, body, user=user, path=path, places=places
                )
            )
        except spots.SpotValidationError as e:
            return validation_response(e)
        except spots.SpotPermissionError as e:
            raise forbidden(str(e)) from e
        return JSONResponse({"created": created}, status_code=201 if created else 200)

    @app.get("/api/places")
    async def api_places(request: Request) -> list[dict[str, Any]]:
        await api_user(request, write=False)
        needle = normalize_text(request.query_params.get("q") or "")
        if not needle:
            return []
        hits = [p for p in [*place_items, *road_items] if any(needle in key for key in p["keys"])]
        return [{k: v for k, v in p.items() if k != "keys"} for p in hits[:10]]

    @app.get("/api/background")
    async def api_background(request: Request) -> dict[str, Any]:
        await api_user(request, write=False)
        return {
            "boundary": boundary_geojson,
            "area": area_geojson,
            "places": places_geojson,
            "roads": roads_geojson,
            "road_numbers": [{k: r[k] for k in ("name", "lat", "lon")} for r in road_items],
            "schematic_roads": schematic,
        }

    parts = AppParts(
        path=path,
        page=page,
        session_user=session_user,
        api_user=api_user,
        json_body=json_body,
        place_names=[str(p["name"]) for p in place_items],
    )
    add_pass_routes(app, parts)
    add_activity_routes(app, parts)

    @app.get("/labels.js")
    async def labels_js() -> FileResponse:
        return FileResponse(_MAP_ASSETS / "labels.js", media_type="text/javascript")

    @app.get("/mapkeys.js")
    async def mapkeys_js() -> FileResponse:
        # the maps' keyboard access to their points, the marked spots' too: one script
        return FileResponse(_MAP_ASSETS / "mapkeys.js", media_type="text/javascript")

    @app.get("/labels.css")
    async def labels_css() -> FileResponse:
        return FileResponse(_MAP_ASSETS / "labels.css", media_type="text/css")

    return app


#: The refusal of a body holding half a character (:func:`_storable_text`).
_HALF_CHARACTER = (
    "Texten innehåller ett halvt tecken (till exempel en avklippt emoji) som inte går att "
    "spara; ta bort det trasiga tecknet och försök igen."
)


def _storable_text(body: object) -> bool:
    r"""Tell whether every string in a JSON body can be stored (written as UTF-8).

    JSON may carry half of a character outside the basic plane (``"\ud83d"``, as a browser
    writes a text cut between the two halves of an emoji); Python reads it as a lone
    surrogate, which no UTF-8 text holds, so storing it failed with a server error that the
    outbox sent again for ever.

    Parameters
    ----------
    body
        The parsed JSON.

    Returns
    -------
    bool
        ``False`` when some string holds a lone surrogate.
    """
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


#: The refusal of a text holding a NUL character (:func:`_field_with_nul`), beside its field.
NUL_IN_TEXT = (
    "Texten innehåller ett osynligt nolltecken (NUL) som inte går att spara; skriv in "
    "texten i stället för att klistra in den, eller ta bort tecknet, och försök igen."
)


def _field_with_nul(body: dict[str, Any]) -> str | None:
    r"""Return the first field of a JSON body whose text holds a NUL character (``\x00``).

    No one types a NUL, but a paste or a script may bring one, and the GeoPackage export
    (GDAL's C strings) cut the text there: "Före\x00efter" was exported as "Före".

    Parameters
    ----------
    body
        The parsed JSON object.

    Returns
    -------
    str or None
        The top-level key whose value (or a text inside it, or a key in it) holds a NUL,
        or ``None``.
    """
    for field, value in body.items():
        todo: list[object] = [field, value]
        while todo:  # no recursion: the body may be nested as deep as the parser went
            item = todo.pop()
            if isinstance(item, str) and "\x00" in item:
                return field
            if isinstance(item, dict):
                todo.extend(item.keys())
                todo.extend(item.values())
            elif isinstance(item, list):
                todo.extend(item)
    return None


def _wants_page(request: Request) -> bool:
    """Return whether ``request`` is a browser's request for a page (it accepts HTML).

    Parameters
    ----------
    request
        The request that failed.

    Returns
    -------
    bool
        True for an address outside the API and the files that accepts ``text/html``: the
        browser shows a page in Swedish, with a title and a way back, rather than raw JSON.
    """
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith(_NOT_PAGES)


def _swedish_detail(exc: StarletteHTTPException) -> object:
    """Return an HTTP error's message, in Swedish when the framework gave its English phrase.

    Parameters
    ----------
    exc
        The ``HTTPException`` raised by a route or by the router.

    Returns
    -------
    object
        The route's own message (a string, or what a route gave), or
        :data:`HTTP_MESSAGES`' (``"Fel <status>."`` for a status without one).
    """
    detail: object = exc.detail
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = HTTP_MESSAGES.get(exc.status_code, f"Fel {exc.status_code}.")
    return detail


async def _swedish_http_error(request: Request, exc: Exception) -> Response:
    """Answer an HTTP error as JSON, in Swedish when the framework gave its English phrase.

    Parameters
    ----------
    request
        The request that failed (unused; the handler's signature).
    exc
        The ``HTTPException`` raised by a route or by the router.

    Returns
    -------
    starlette.responses.Response
        ``{"detail": message}`` with the error's status and headers, and the ``code`` of a
        :class:`~geo.web._security.CodedHTTPError` (a 403's ``"csrf"`` or ``"forbidden"``).
    """
    if not isinstance(exc, StarletteHTTPException):  # only registered for these
        raise exc
    body: dict[str, Any] = {"detail": _swedish_detail(exc)}
    if isinstance(exc, CodedHTTPError):
        body = {"code": exc.code, **body}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


#: Where the folium maps' label script and styles lie (``geo/maps/labels.js``, ``labels.css``)
#: and their keyboard script (``mapkeys.js``), served as they are; found by path so that the
#: web app does not import folium.
_MAP_ASSETS = Path(__file__).resolve().parent.parent / "maps"


def _roads() -> tuple[dict[str, Any], bool, list[dict[str, Any]]]:
    """Return the roads as GeoJSON lines, whether they are schematic, and the numbered roads.

    The marking page draws the lines under the places, so kommun staff can click along a
    road without internet, and each numbered road's number on its longest stretch; the
    place search finds a road by its number ("204", "väg 204", "E18"). With no road network
    at all the page shows none (logged).

    Returns
    -------
    tuple
        GeoJSON (display CRS, ``label``), schematic or not, and per road number an item as
        :func:`_place_items` makes them (``name`` "väg 204" or "E18", ``kind`` "väg", the
        point where its number is drawn).
    """
    try:
        graph = load_graph()
    except GeoError as e:
        logger.warning("marking app without roads: %s", e)
        return {"type": "FeatureCollection", "features": []}, False, []
    edges = graph_edges(graph)
    lines = gpd.GeoDataFrame(
        {"label": road_labels(edges)}, geometry=edges.geometry.to_numpy(), crs=edges.crs
    ).to_crs(settings.display_crs)
    items = []
    refs = [
        [str(r) for r in (v if isinstance(v, list) else [v]) if isinstance(r, str) and r]
        for v in (edges["ref"] if "ref" in edges.columns else [None] * len(edges))
    ]
    for ref in sorted({r for rs in refs for r in rs}):
        on = [i for i, rs in enumerate(refs) if ref in rs]
        longest = max(on, key=lambda i: edges.geometry.iloc[i].length)
        at = lines.geometry.iloc[longest].interpolate(0.5, normalized=True)
        name = f"väg {ref}" if ref.isdigit() else ref
        keys = [normalize_text(name), normalize_text(ref)]
        items.append(
            {"place_id": f"väg:{ref}", "name": name, "kind": "väg", "lon": round(at.x, 6),
             "lat": round(at.y, 6), "keys": keys}
        )  # fmt: skip
    return json.loads(lines.to_json()), bool(graph.graph.get("schematic", False)), items


def _add_near(rows: list[dict[str, Any]], places: gpd.GeoDataFrame) -> None:
    """Set each spot's ``near``: the named place nearest its centroid (the list's "Nära").

    Parameters
    ----------
    rows
        Spots as :func:`geo.spots.list_spots` returns them (geometry in EPSG:3006); changed
        in place.
    places
        The named places (:func:`geo.sites.load_places`).
    """
    centres = gpd.GeoSeries([s["geometry"] for s in rows], crs=settings.working_crs).centroid
    for s, name in zip(rows, nearest_place_names(centres, places), strict=True):
        s["near"] = name


def _place_items(places: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    shown = places.to_crs(settings.display_crs)
    items = []
    for row in shown.itertuples():
        point = row.geometry.representative_point()
        if isinstance(point, shapely.Point):
            keys = [normalize_text(str(row.name)), *(normalize_text(str(a)) for a in row.aliases)]
            items.append(
                {
                    "place_id": row.place_id,
                    "name": row.name,
                    "kind": row.kind,
                    "lon": round(point.x, 6),
                    "lat": round(point.y, 6),
                    "keys": keys,
                }
            )
    return sorted(items, key=lambda p: str(p["name"]))
