"""The marking app's routes: pages, JSON API, auth (401/403), CSRF, validation, limits."""

from __future__ import annotations

import html
import json
import re
import subprocess
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import shapely
import shapely.geometry
from _web_fixtures import (
    FJUGESTA,
    PASSWORD,
    ROOT,
    csrf_from_html,
    dated_cert,
    free_port,
    login,
    make_store,
    openssl,
    running_server,
    self_signed_cert,
    serve_command,
    spot_payload,
    trusting,
)
from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

from geo import spots, store
from geo.errors import GeoError
from geo.maps.base import MAPKEYS_JS
from geo.web import create_app

with warnings.catch_warnings():
    # starlette asks for the httpx2 fork; the TestClient works the same with httpx
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def app(store_path):
    return create_app(store_path, secret_key="test-secret")


def client_for(app, name=None):
    client = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    if name:
        login(client, name)
    return client


@pytest.fixture
def anon(app):
    return client_for(app)


@pytest.fixture
def anna(app):
    return client_for(app, "anna")


@pytest.fixture
def per(app):
    return client_for(app, "per")


@pytest.fixture
def ulla(app):
    return client_for(app, "ulla")


def new_id() -> str:
    return str(uuid.uuid4())


def put(client, payload=None, sid=None):
    sid = sid or new_id()
    return sid, client.put(f"/api/spots/{sid}", json=payload or spot_payload())


# ---------------------------------------------------------------- login and sessions


def test_login_sets_httponly_samesite_cookie(anon):
    token = csrf_from_html(anon.get("/login").text)
    r = anon.post("/login", data={"name": "anna", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert anon.get("/").status_code == 200


def test_login_failures(anon):
    token = csrf_from_html(anon.get("/login").text)
    r = anon.post("/login", data={"name": "anna", "password": "fel", "csrf_token": token})
    assert r.status_code == 401
    assert "Fel användarnamn eller lösenord" in r.text
    r = anon.post("/login", data={"name": "anna", "password": PASSWORD, "csrf_token": "fel"})
    assert r.status_code == 200
    assert "Sidan var för gammal" in r.text
    assert anon.get("/api/me").status_code == 401


def test_login_from_a_phone_keyboard(anon):
    # the page asks the keyboard for no capital letter and no "correction" of the name
    page = anon.get("/login").text
    name_input = next(t for t in page.split("<input") if 'name="name"' in t)
    for attribute in ('autocapitalize="none"', 'autocorrect="off"', 'spellcheck="false"'):
        assert attribute in name_input
    # a wrong password keeps the name typed and puts the cursor in the password field
    r = anon.post(
        "/login", data={"name": "anna", "password": "fel", "csrf_token": csrf_from_html(page)}
    )
    assert r.status_code == 401
    assert 'value="anna"' in r.text
    password_input = next(t for t in r.text.split("<input") if 'name="password"' in t)
    assert "autofocus" in password_input
    # the space a phone's keyboard adds after a suggested word is not part of the name
    token = csrf_from_html(r.text)
    r = anon.post("/login", data={"name": "anna ", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    assert anon.get("/api/me").json()["name"] == "anna"


def test_login_name_ignores_case_and_spaces_password_does_not(anon):
    # a phone that capitalises the first letter, or a name typed with spaces around it
    token = csrf_from_html(anon.get("/login").text)
    for wrong in ("fel-lösenord-123", PASSWORD.upper()):
        r = anon.post("/login", data={"name": "ANNA", "password": wrong, "csrf_token": token})
        assert r.status_code == 401
        assert "Fel användarnamn eller lösenord" in r.text
        assert 'value="ANNA"' in r.text
        assert anon.get("/api/me").status_code == 401
    r = anon.post("/login", data={"name": " Anna ", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    # the session holds the account's own name, not the one typed
    assert anon.get("/api/me").json()["name"] == "anna"


def test_menu_offers_observations_only_to_those_who_may_report_them(anna, per, ulla):
    assert 'href="/observation"' in anna.get("/").text
    for client in (per, ulla):
        assert 'href="/observation"' not in client.get("/").text


def test_logout_needs_csrf_and_ends_session(anna):
    r = anna.post("/logout", data={"csrf_token": "fel"})
    assert r.status_code == 403 and r.json()["code"] == "csrf"
    token = csrf_from_html(anna.get("/").text)
    assert anna.post("/logout", data={"csrf_token": token}).status_code == 303
    assert anna.get("/api/me").status_code == 401
    assert anna.get("/").headers["location"] == "/login"

    # the login page names the account just logged out once, for the browser to clear its
    # reports from the outbox; a later login page names nobody
    cfg = json.loads(re.search(r'id="cfg">(.*?)</script>', anna.get("/login").text).group(1))
    assert cfg["logged_out"] == "anna" and cfg["user"] is None
    again = re.search(r'id="cfg">(.*?)</script>', anna.get("/login").text)
    assert json.loads(again.group(1))["logged_out"] is None


@pytest.mark.parametrize("page", ["/", "/lista", "/observation", f"/markering/{uuid.uuid4()}"])
def test_pages_redirect_anonymous_to_login(anon, page):
    r = anon.get(page)
    assert r.status_code == 303
    assert r.headers["location"] == "/login"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/api/me"),
        ("GET", "/api/spots"),
        ("GET", f"/api/spots/{uuid.uuid4()}"),
        ("PUT", f"/api/spots/{uuid.uuid4()}"),
        ("POST", "/api/spots/check"),
        ("POST", f"/api/spots/{uuid.uuid4()}/status"),
        ("PUT", f"/api/observations/{uuid.uuid4()}"),
        ("GET", "/api/places?q=fjug"),
        ("GET", "/api/background"),
    ],
)
def test_api_needs_login(anon, method, url):
    r = anon.request(method, url, json=spot_payload())
    assert r.status_code == 401
    assert "inloggad" in r.json()["detail"]


def test_no_anonymous_write_reaches_the_store(anon, store_path):
    before = len(spots.read_spots(store_path))
    put(anon)
    assert len(spots.read_spots(store_path)) == before


# ---------------------------------------------------------------- CSRF


@pytest.mark.parametrize("token", [None, "", "fel-token"])
def test_state_changing_api_needs_csrf(anna, store_path, token):
    sid = new_id()
    headers = {"X-CSRF-Token": token} if token is not None else {}
    anna.headers.pop("X-CSRF-Token")
    for method, url in (
        ("PUT", f"/api/spots/{sid}"),
        ("POST", "/api/spots/check"),
        ("POST", f"/api/spots/{sid}/status"),
        ("PUT", f"/api/observations/{sid}"),
    ):
        r = anna.request(method, url, json=spot_payload(), headers=headers)
        assert r.status_code == 403, (method, url)
        assert "CSRF" in r.json()["detail"] and r.json()["code"] == "csrf"
    assert spots.get_spot(sid, path=store_path) is None


def test_csrf_token_of_another_session_is_refused(app, anna):
    other = client_for(app, "anna")
    r = anna.put(
        f"/api/spots/{new_id()}",
        json=spot_payload(),
        headers={"X-CSRF-Token": other.headers["X-CSRF-Token"]},
    )
    assert r.status_code == 403


# ---------------------------------------------------------------- spots API


def test_put_spot_creates_then_is_idempotent(anna, store_path):
    sid, r = put(anna)
    assert r.status_code == 201
    body = r.json()
    assert body["created"] is True
    assert body["spot"]["geometry"]["coordinates"] == pytest.approx(list(FJUGESTA), abs=1e-6)
    assert body["spot"]["properties"]["status"] == "ny"
    _, r = put(anna, sid=sid)
    assert r.status_code == 200
    assert r.json() == {**r.json(), "created": False, "changed": False}
    assert len(spots.read_changes(sid, path=store_path)) == 1
    r = anna.get(f"/api/spots/{sid}")
    assert r.status_code == 200
    assert [c["action"] for c in r.json()["changes"]] == ["skapad"]
    listed = anna.get("/api/spots").json()
    assert sid in {f["id"] for f in listed["features"]}


def test_put_spot_returns_nearby_hint(anna):
    put(anna)
    _, r = put(anna)
    assert any(h.startswith("Samma plats?") for h in r.json()["hints"])


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"category": "fel"}, "category"),
        ({"weekdays": [9]}, "weekdays"),
        ({"time_bands": ["x"]}, "time_bands"),
        ({"since": "2999-01-01"}, "since"),
        ({"description": "x" * 2001}, "description"),
        ({"description": "Regnr ABC 12D syntes"}, "description"),
        ({"geometry": {"type": "Point", "coordinates": [12.0, 57.7]}}, "geometry"),
        ({"geometry": {"type": "Point", "coordinates": [FJUGESTA[1], FJUGESTA[0]]}}, "geometry"),
        ({"unit": 5}, "unit"),
    ],
)
def test_put_spot_validation_errors(anna, override, field):
    _, r = put(anna, spot_payload(**override))
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert list(errors) == [field]
    assert errors[field].endswith(".")


def test_put_spot_bad_body_and_id(anna):
    r = anna.put(
        f"/api/spots/{new_id()}",
        content=b"{inte json",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400
    assert anna.put(f"/api/spots/{new_id()}", json=[1, 2]).status_code == 400
    r = anna.put("/api/spots/inte-ett-uuid", json=spot_payload())
    assert r.status_code == 422
    assert "spot_id" in r.json()["errors"]


def test_put_spot_forbidden_for_viewer_and_police(ulla, per):
    for client in (ulla, per):
        _, r = put(client)
        assert r.status_code == 403
        assert "får inte markera" in r.json()["detail"] and r.json()["code"] == "forbidden"


def test_check_route(anna):
    r = anna.post(
        "/api/spots/check", json={"geometry": {"type": "Point", "coordinates": [11.9, 57.7]}}
    )
    assert r.status_code == 422
    assert "utanför" in r.json()["errors"]["geometry"]
    r = anna.post(
        "/api/spots/check", json={"geometry": {"type": "Point", "coordinates": [14.80, 59.12]}}
    )
    assert r.json() == {"hints": []}


def test_status_route(anna, per, ulla, store_path):
    sid, _ = put(anna)
    url = f"/api/spots/{sid}/status"
    assert ulla.post(url, json={"status": "bedomd", "comment": "x"}).status_code == 403
    r = per.post(url, json={"status": "atgardad", "comment": "x"})
    assert r.status_code == 422
    assert "status" in r.json()["errors"]
    r = per.post(url, json={"status": "bedomd", "owner": "polis"})
    assert r.status_code == 422
    assert "comment" in r.json()["errors"]
    r = per.post(url, json={"status": "bedomd", "owner": "polis", "comment": "Vi tittar på det."})
    assert r.status_code == 200
    assert r.json()["spot"]["properties"]["owner"] == "polis"
    assert (
        per.post(
            f"/api/spots/{new_id()}/status", json={"status": "bedomd", "comment": "x"}
        ).status_code
        == 404
    )
    assert spots.get_spot(sid, path=store_path)["status"] == "bedomd"


def test_list_filters(anna, per):
    sid, _ = put(anna, spot_payload(category="buller", description="Varvning vid macken"))
    per.post(f"/api/spots/{sid}/status", json={"status": "avvisad", "comment": "Inte polisiärt"})
    ids = lambda r: {f["id"] for f in r.json()["features"]}  # noqa: E731
    assert sid in ids(anna.get("/api/spots?status=avvisad"))
    assert sid not in ids(anna.get("/api/spots?status=ny"))
    assert sid in ids(anna.get("/api/spots?category=buller&q=MACKEN"))
    page = anna.get("/lista?status=avvisad&category=buller").text
    assert sid in page
    assert sid not in anna.get("/lista?status=ny").text


def test_spot_page_shows_history_and_status_form(anna, per, ulla):
    sid, _ = put(anna)
    per.post(f"/api/spots/{sid}/status", json={"status": "bedomd", "comment": "Bedömd av LPO"})
    page = per.get(f"/markering/{sid}").text
    assert "Bedömd av LPO" in page
    assert 'id="statusform"' in page
    assert 'id="statusform"' not in ulla.get(f"/markering/{sid}").text
    assert anna.get(f"/markering/{uuid.uuid4()}").status_code == 404


def test_the_other_organisation_sees_an_account_as_its_organisation(anna, per, ulla):
    # design §8: no names to the shared audience; one's own organisation's by name
    sid, _ = put(anna)
    per.post(f"/api/spots/{sid}/status", json={"status": "bedomd", "comment": "Bedömd av LPO"})
    for kommun in (anna, ulla):
        page = kommun.get(f"/markering/{sid}").text
        assert ">Polisen<" in page and ">per<" not in page
        assert "av anna" in page  # the kommun's own account by name
        spot = kommun.get(f"/api/spots/{sid}").json()
        assert [c["changed_by"] for c in spot["changes"]] == ["anna", "Polisen"]
        assert spot["properties"]["updated_by"] == "Polisen"
        listed = kommun.get("/api/spots").json()["features"]
        assert {f["properties"]["updated_by"] for f in listed if f["id"] == sid} == {"Polisen"}
    spot = per.get(f"/api/spots/{sid}").json()
    assert [c["changed_by"] for c in spot["changes"]] == ["Kommunen", "per"]
    assert spot["properties"]["created_by"] == "Kommunen"
    assert "av Kommunen" in per.get(f"/markering/{sid}").text


# ---------------------------------------------------------------- observations, places, assets


def test_observation_route(anna, per, store_path):
    oid = new_id()
    payload = {
        "category": "alkohol",
        "place": "Fjugesta centrum",
        "occurred_at": "2025-06-06T23:10",
    }
    assert anna.put(f"/api/observations/{oid}", json=payload).status_code == 201
    assert anna.put(f"/api/observations/{oid}", json=payload).status_code == 200
    assert (
        len(store.read_incidents(store_path, sources=["kommun_est"], categories=["alkohol"])) == 1
    )
    r = anna.put(f"/api/observations/{new_id()}", json={**payload, "place": "Atlantis"})
    assert r.status_code == 422
    assert "platslistan" in r.json()["errors"]["place"]
    assert per.put(f"/api/observations/{new_id()}", json=payload).status_code == 403


def test_place_search_and_background(anna):
    hits = anna.get("/api/places?q=BADGRUVAN").json()
    assert [h["place_id"] for h in hits] == ["lanna_badgruva"]
    assert 59 < hits[0]["lat"] < 60
    assert anna.get("/api/places?q=").json() == []
    bg = anna.get("/api/background").json()
    assert bg["boundary"]["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert len(bg["places"]["features"]) >= 10
    # the app's map names the löfte's places first, as the lägesbild does (labels.js)
    props = {f["properties"]["name"]: f["properties"] for f in bg["places"]["features"]}
    assert props["Fjugesta centrum"]["rank"] == 0 and props["Fjugesta centrum"]["lofte"] is True
    assert props["Vintrosa"]["rank"] < props["Knista"]["rank"] and not props["Vintrosa"]["lofte"]
    # the roads to click along when marking a stretch, in lon/lat, labelled by road number
    roads = bg["roads"]["features"]
    assert roads and {f["geometry"]["type"] for f in roads} == {"LineString"}
    lon, lat = roads[0]["geometry"]["coordinates"][0]
    assert 14 < lon < 16 and 59 < lat < 60
    assert any("204" in f["properties"]["label"] for f in roads)
    assert bg["schematic_roads"] is True  # the embedded network; a real OSM file says False
    # the area where a place is accepted (boundary + 500 m): the browser tests the user's
    # position against it ("Min position") without sending the position
    area = shapely.geometry.shape(bg["area"]["features"][0]["geometry"])
    boundary = shapely.geometry.shape(bg["boundary"]["features"][0]["geometry"])
    assert area.contains(boundary)
    assert area.contains(shapely.Point(14.9233684299016, 59.2449628670858))  # Lanna badgruva
    assert not area.contains(shapely.Point(15.2066, 59.2741))  # Örebro


def test_pages_use_local_leaflet_only(anna):
    page = anna.get("/").text
    assert "/vendor/leaflet/leaflet.js" in page
    assert '<script src="/labels.js">' in page
    labels = anna.get("/labels.js")
    assert labels.status_code == 200 and "function geoPlaceLabels(map)" in labels.text
    assert '<link rel="stylesheet" href="/labels.css">' in page
    # the marked spots by keyboard: the maps' own script, served as it is (one source file)
    assert '<script src="/mapkeys.js">' in page
    keys = anna.get("/mapkeys.js")
    assert keys.headers["content-type"].startswith("text/javascript")
    assert keys.text == MAPKEYS_JS.read_text(encoding="utf-8")
    assert anna.get("/static/tangentbord.js").status_code == 404  # no copy of it
    styles = anna.get("/labels.css")
    assert styles.headers["content-type"].startswith("text/css") and ".geo-bath" in styles.text
    assert "/vendor/leaflet-draw/leaflet.draw.js" in page
    assert "http://" not in page
    assert "https://" not in page
    for asset in (
        "/vendor/leaflet/leaflet.js",
        "/vendor/leaflet-draw/leaflet.draw.css",
        "/vendor/leaflet-draw/images/spritesheet.svg",
        "/static/common.js",
    ):
        assert anna.get(asset).status_code == 200, asset
    assert anna.get("/vendor/leaflet/../../package.json").status_code == 404
    assert anna.get("/healthz").json() == {"ok": True}


# ---------------------------------------------------------------- hostile input


def test_html_payloads_are_stored_verbatim_and_escaped(anna, store_path):
    sid, r = put(anna, spot_payload(description=XSS, unit=XSS[:60]))
    assert r.status_code == 201
    assert spots.get_spot(sid, path=store_path)["description"] == XSS
    assert r.json()["spot"]["properties"]["description"] == XSS
    for page in (anna.get("/lista").text, anna.get(f"/markering/{sid}").text):
        assert "<script>window.__xss" not in page
        assert "<img src=x onerror" not in page
        assert html.escape(XSS, quote=True)[:40] in page or html.escape(XSS)[:40] in page


def test_body_over_10_mb_is_refused_with_413(anna, store_path):
    big = b'{"description": "' + b"x" * (10 * 1024 * 1024 + 10) + b'"}'
    sid = new_id()
    r = anna.put(f"/api/spots/{sid}", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert spots.get_spot(sid, path=store_path) is None

    def chunks():
        for _ in range(11):
            yield b"x" * (1024 * 1024)

    r = anna.put(
        f"/api/spots/{sid}", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413


# ---------------------------------------------------------------- CLI


def test_serve_binds_localhost_by_default_and_commands_have_help():
    from click.testing import CliRunner

    from geo.cli.web import serve, spots, users

    defaults = {p.name: p.default for p in serve.params}
    assert defaults["host"] == "127.0.0.1"
    assert defaults["port"] == 8000
    runner = CliRunner()
    for command, args in ((serve, []), (users, []), (users, ["add"]), (spots, ["export"])):
        r = runner.invoke(command, [*args, "--help"])
        assert r.exit_code == 0
        assert "Example:" in r.output


@pytest.fixture
def started(monkeypatch):
    """Stand in for uvicorn.run: ``geo serve`` returns at once; yield the options it got."""
    import uvicorn

    options = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: options.update(kwargs))
    return options


def test_serve_on_all_interfaces_prints_addresses_a_phone_can_open(store_path, started):
    from geo.cli.web import serve

    r = CliRunner().invoke(serve, ["--store", str(store_path), "--host", "0.0.0.0"])
    assert r.exit_code == 0, r.output
    assert started["host"] == "0.0.0.0" and started["port"] == 8000
    assert "Marking app on all interfaces (0.0.0.0), port 8000" in r.output
    assert "  http://127.0.0.1:8000/ (on this machine only)" in r.output
    assert "0.0.0.0:8000" not in r.output


def test_serve_reports_missing_leaflet(tmp_path):
    with pytest.raises(GeoError, match="npm"):
        create_app(tmp_path / "s.gpkg", vendor_dir=tmp_path)


def test_the_app_finds_node_modules_where_the_maps_do(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_NODE_MODULES", str(tmp_path / "elsewhere"))
    with pytest.raises(GeoError, match="elsewhere"):
        create_app(tmp_path / "s.gpkg")


# ---------------------------------------------------------------- HTTPS (geo serve --certfile)


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A self-signed certificate and key, another pair's key, and broken variants of them."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = self_signed_cert(folder)
    _, other_key = self_signed_cert(folder, "other")
    openssl("x509", "-in", cert, "-outform", "der", "-out", folder / "cert.der")
    openssl("pkey", "-in", key, "-aes256", "-passout", "pass:hemligt", "-out", folder / "enc.pem")
    (folder / "empty.pem").write_text("")
    return {"cert": cert, "key": key, "other_key": other_key, "folder": folder}


def tls_pair(tls, certfile, keyfile):
    """Return the two files named: a key of ``tls`` or a name in its folder."""
    return tuple(tls[f] if f in tls else tls["folder"] / f for f in (certfile, keyfile))


def test_serve_speaks_https_with_a_secure_cookie_and_no_plain_http(tmp_path, tls):
    log = tmp_path / "server.log"
    with running_server(make_store(tmp_path), log, (tls["cert"], tls["key"])) as base:
        assert base.startswith("https://")
        assert f"Marking app on {base}/" in log.read_text()
        assert "expires" not in log.read_text()
        with httpx.Client(base_url=base, verify=trusting(tls["cert"]), timeout=30) as client:
            login(client, "anna")
            (cookie,) = [c for c in client.cookies.jar if c.name == "geo_session"]
            assert cookie.secure
            assert client.get("/api/me").json()["name"] == "anna"
        # the same port hangs up on plain http without an answer, and goes on serving https
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(base.replace("https://", "http://") + "/healthz", timeout=10)
        assert httpx.get(f"{base}/healthz", verify=trusting(tls["cert"])).status_code == 200


@pytest.mark.parametrize(
    ("certfile", "keyfile", "words"),
    [
        (
            "other/cert.pem",
            "key",
            ["--certfile", "other/cert.pem", "no such file", "docs/marking-app.md"],
        ),
        (
            "cert",
            "other_key",
            ["--keyfile", "other-key.pem", "does not belong to the certificate", "openssl pkey"],
        ),
    ],
)
def test_serve_refuses_a_missing_cert_or_a_wrong_key_before_it_starts(
    store_path, tls, certfile, keyfile, words
):
    command = serve_command(store_path, free_port(), tls_pair(tls, certfile, keyfile))
    # a server that started would run until the timeout
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1, run.stderr
    assert run.stderr.startswith("Error: ") and "Traceback" not in run.stderr
    assert all(w in run.stderr for w in words), run.stderr
    assert "Marking app on" not in run.stderr


@pytest.mark.parametrize(
    ("certfile", "keyfile", "words"),
    [
        ("cert.der", "key", ["is not PEM", "openssl x509 -inform der -in"]),
        ("key", "cert", ["--certfile", "holds no certificate", "look swapped"]),
        ("cert", "enc.pem", ["passphrase", "openssl pkey -in", "enc.plain.pem"]),
        ("cert", "empty.pem", ["--keyfile", "empty.pem: is empty", "privkey.pem"]),
        (".", "key", ["--certfile", "is a folder", "fullchain.pem"]),
    ],
)
def test_tls_file_problems_name_the_file_what_is_wrong_and_the_fix(
    store_path, tls, certfile, keyfile, words
):
    from geo.cli.web import serve

    cert, key = tls_pair(tls, certfile, keyfile)
    args = ["--store", str(store_path), "--certfile", str(cert), "--keyfile", str(key)]
    r = CliRunner().invoke(serve, args)
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    assert all(w in r.output for w in words), r.output


def test_an_unreadable_tls_key_and_a_lone_certfile_are_refused(store_path, tls, monkeypatch):
    from geo.cli.web import serve

    read_bytes = Path.read_bytes

    def denied(path):
        if path == tls["key"]:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    # as root chmod 000 would not stop the read
    monkeypatch.setattr(Path, "read_bytes", denied)
    args = ["--store", str(store_path), "--certfile", str(tls["cert"])]
    r = CliRunner().invoke(serve, [*args, "--keyfile", str(tls["key"])])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    assert "--keyfile" in r.output and "cannot be read (Permission denied)" in r.output
    r = CliRunner().invoke(serve, args)
    assert r.exit_code == 2 and "--certfile and --keyfile go together" in r.output


NOW = datetime.now(UTC).replace(microsecond=0)
#: Certificates by the span they are valid in, relative to now.
DATED = {
    "expired": (NOW - timedelta(days=90), NOW - timedelta(days=3)),
    "future": (NOW + timedelta(days=2), NOW + timedelta(days=92)),
    "soon": (NOW - timedelta(days=80), NOW + timedelta(days=5, hours=1)),
    "later": (NOW - timedelta(days=70), NOW + timedelta(days=15)),
    # the last UTCTime second and the first GeneralizedTime one (RFC 5280)
    "y2050": (datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(2050, 1, 1, tzinfo=UTC)),
}


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    """Certificates and keys valid in each span of :data:`DATED`."""
    folder = tmp_path_factory.mktemp("dated")
    return {name: dated_cert(folder, name, *span) for name, span in DATED.items()}


def serve_with(store_path, files):
    from geo.cli.web import serve

    cert, key = files
    args = ["--store", str(store_path), "--certfile", str(cert), "--keyfile", str(key)]
    return CliRunner().invoke(serve, args)


def test_certificate_validity_is_read_from_the_pem_without_openssl(dated, tls):
    from geo.web._x509 import Validity, certificate_validity

    for name, span in DATED.items():
        assert certificate_validity(dated[name][0].read_text()) == Validity(*span)
    # a full chain: the first certificate is the server's
    chain = dated["soon"][0].read_text() + dated["y2050"][0].read_text()
    assert certificate_validity(chain) == Validity(*DATED["soon"])
    for text in ("", tls["key"].read_text(), "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END"):
        with pytest.raises(ValueError):
            certificate_validity(text)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (
            "expired",
            [
                "--certfile",
                "expired-cert.pem",
                f"expired on {DATED['expired'][1]:%Y-%m-%d %H:%M} UTC, 3 days ago",
                "warning page",
                "certbot renew",
                "kommunens IT",
            ],
        ),
        (
            "future",
            [
                "future-cert.pem",
                f"valid only from {DATED['future'][0]:%Y-%m-%d %H:%M} UTC",
                "clock",
                "timedatectl",
            ],
        ),
    ],
)
def test_serve_refuses_an_expired_or_not_yet_valid_certificate(
    store_path, dated, started, name, words
):
    r = serve_with(store_path, dated[name])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    assert all(w in r.output for w in words), r.output
    assert not started


def test_serve_warns_of_a_certificate_that_expires_within_14_days(
    store_path, dated, started, caplog
):
    r = serve_with(store_path, dated["soon"])
    assert r.exit_code == 0, r.output
    assert started["ssl_certfile"] == dated["soon"][0]
    (warning,) = [rec.getMessage() for rec in caplog.records if rec.levelname == "WARNING"]
    expiry = f"{DATED['soon'][1]:%Y-%m-%d %H:%M} UTC"
    assert "soon-cert.pem" in warning and f"expires on {expiry}, in 5 days" in warning
    assert "certbot renew" in warning
    caplog.clear()
    assert serve_with(store_path, dated["later"]).exit_code == 0
    assert not [rec for rec in caplog.records if rec.levelname == "WARNING"]


def test_a_certificate_whose_dates_cannot_be_read_is_served_with_a_warning(
    store_path, tls, started, caplog, monkeypatch
):
    from geo.web import tls as tls_module

    def unreadable(pem):
        msg = "DER tag 0x31 at byte 4 where 0x30 belongs"
        raise ValueError(msg)

    monkeypatch.setattr(tls_module, "certificate_validity", unreadable)
    assert serve_with(store_path, (tls["cert"], tls["key"])).exit_code == 0
    assert "validity dates not checked (DER tag 0x31" in caplog.text


def test_edit_form_only_for_the_spots_own_organisation(anna, per):
    sid, _ = put(anna)
    assert 'id="redigera"' in anna.get(f"/markering/{sid}").text
    assert 'id="redigera"' not in per.get(f"/markering/{sid}").text


# ---------------------------------------------------------------- privacy and Swedish text


def test_street_address_in_description_is_refused_and_never_listed(anna, per, store_path):
    # 8 hex digits make the text unique; 6 were a registration number 2 % of the time ("abc123")
    text = f"Sven Svensson på Storgatan 5 kör EPA-traktor {new_id()[:8]}"
    _, r = put(anna, spot_payload(description=text))
    assert r.status_code == 422
    message = r.json()["errors"]["description"]
    assert "gatuadress" in message and "korsningen vid skolan" in message
    assert text not in anna.get("/lista").text
    assert not [s for s in spots.list_spots(path=store_path) if s["description"] == text]
    # road numbers are places, not homes
    road = f"Buskörning på väg 204 mot E18 {new_id()[:8]}"
    sid, r = put(anna, spot_payload(description=road))
    assert r.status_code == 201
    # the same check guards the status comment and the EST observation
    r = per.post(f"/api/spots/{sid}/status", json={"status": "bedomd", "comment": "Kungsvägen 12"})
    assert r.status_code == 422 and "gatuadress" in r.json()["errors"]["comment"]
    observation = {
        "category": "alkohol",
        "place": "Fjugesta centrum",
        "occurred_at": "2025-06-06T23:10",
        "description": "Fest hos någon på Skolgatan 3",
    }
    r = anna.put(f"/api/observations/{new_id()}", json=observation)
    assert r.status_code == 422 and "gatuadress" in r.json()["errors"]["description"]


def test_description_warning_names_names_and_addresses_for_screen_readers(anna):
    page = anna.get("/").text
    assert 'aria-describedby="description-varning"' in page
    warning = page.split('id="description-varning">', 1)[1].split("</p>", 1)[0]
    assert "namn" in warning and "adresser till bostäder" in warning
    assert 'id="markera-mitten"' in page and "Markera kartans mitt" in page


def test_list_counts_in_swedish_singular_and_plural(anna):
    marker = new_id()[:8]
    put(anna, spot_payload(description=f"Ensam markering {marker}"))
    assert '<span id="antal">1</span> markering.' in anna.get(f"/lista?q={marker}").text
    assert '<span id="antal">0</span> markeringar.' in anna.get("/lista?q=finns-inte-alls").text


def test_framework_errors_are_in_swedish(anna):
    r = anna.get("/finns-inte")
    assert r.status_code == 404 and r.json() == {"detail": "Sidan finns inte."}
    r = anna.delete("/api/me")
    assert r.status_code == 405 and "inte tillåten" in r.json()["detail"]
    # the app's own messages are kept
    assert anna.get(f"/api/spots/{new_id()}").json() == {"detail": "Markeringen finns inte."}


PAGE = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # a browser's page request


@pytest.mark.parametrize("who", ["anna", None])
def test_a_browser_gets_an_error_page_in_swedish_with_a_way_back(app, who):
    # a stale link in a browser showed raw JSON: no language, no title, no heading, no link
    c = client_for(app, who)
    r = c.get("/markering/finns-inte", headers=PAGE) if who else c.get("/nej", headers=PAGE)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in r.text
    assert "<title>Sidan finns inte – " in r.text and "<h1>Sidan finns inte</h1>" in r.text
    said = "Markeringen finns inte." if who else "Sidan finns inte."
    assert f"<p>{said}</p>" in r.text
    assert ('<a href="/">Till kartan</a>' in r.text) is (who is not None)
    assert ('<a href="/login">Till inloggningen</a>' in r.text) is (who is None)
    r = c.get("/logout", headers=PAGE)  # the logout form's address, opened as a page
    assert r.status_code == 405 and "<h1>Adressen tar inte emot det här</h1>" in r.text
    assert "allow" in r.headers
    # the app's scripts ask the API, and get JSON whatever they accept
    r = c.get(f"/api/spots/{new_id()}", headers=PAGE)
    assert r.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2026-11-28T00:23:05.120Z", "2026-11-28 01:23"),  # winter: UTC+1, past midnight
        ("2026-07-01T22:30:00.000Z", "2026-07-02 00:30"),  # summer: UTC+2, the next day
        ("", ""),
    ],
)
def test_history_times_are_swedish_local_time(stored: str, shown: str) -> None:
    """The audit stores UTC; the history showed it cut to 16 characters as if it were local."""
    from geo.web._history import describe_change

    change = {"changed_at": stored, "changed_by": "per", "action": "created", "after": "{}"}
    assert describe_change(change, labels={})["when"] == shown


def test_a_spots_page_says_when_the_police_plan_took_it(anna, per, store_path):
    # a kommun officer's review: a spot the week's plan did not take vanished without a word;
    # whether it was ever planned, neither the kommun nor the police could tell
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geo import patrol

    sid, r = put(anna)
    assert r.status_code == 201
    said = anna.get(f"/markering/{sid}").text
    assert "Polisens plan" in said and "Inte med i någon veckoplan ännu" in said
    stops = gpd.GeoDataFrame(
        {
            "order": [1, 2],
            "candidate_id": ["plats:fjugesta_centrum", f"markering:{sid}"],
            "place": ["Fjugesta centrum", "väg 204 vid Fjugesta (markerad plats)"],
            # a week long past: the module's store serves other tests of this week's pages
            "start": pd.to_datetime(["2020-12-04 20:10", "2020-12-04 20:28"]).tz_localize(
                "Europe/Stockholm"
            ),
            "dwell_min": [15.0, 16.0],
            "theme": ["N", "T"],
            "activity": ["närvaro", "hastighetskontroll"],
        },
        geometry=[shapely.Point(492_666, 6_559_628)] * 2,
        crs="EPSG:3006",
    )
    routes = gpd.GeoDataFrame({"trip": []}, geometry=[], crs="EPSG:3006")
    meta = {"generated_at": "2020-11-30T12:00:00+01:00"}
    patrol.save_plan(patrol.Plan("2020-W49", 120.0, 120.0, stops, routes, meta), store_path)
    said = per.get(f"/markering/{sid}").text
    assert "vecka 49 (2020): fredag 4/12 20:28, 16 min, hastighetskontroll" in said
    assert "Inte med i någon veckoplan" not in said
    # the kommun learns the week, not the patrol's day and time (design §8, as on Pass)
    said = anna.get(f"/markering/{sid}").text
    assert "vecka 49 (2020)" in said and "20:28" not in said and "hastighetskontroll" not in said


def test_a_spots_page_names_a_road_check_on_its_segment(anna, per, store_path):
    # an app review: the plan put a hastighetskontroll at the control point of the road
    # segment a marked spot lies on (the spot one of the events it was planned for), and the
    # spot's page said "Inte med i någon veckoplan"
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geo import patrol, settings, store

    sid, r = put(anna, spot_payload(geometry={"type": "Point", "coordinates": [14.83, 59.16]}))
    assert r.status_code == 201, r.text
    x, y = gpd.GeoSeries([shapely.Point(14.83, 59.16)], crs=4326).to_crs(3006).iloc[0].coords[0]
    segments = gpd.GeoDataFrame(
        {"segment_id": ["seg00007", "seg00008"], "n_events": [3, 5]},
        geometry=[  # the spot's segment passes 20 m from it; the other 2 km away
            shapely.LineString([(x - 400, y + 20), (x + 400, y + 20)]),
            shapely.LineString([(x - 400, y + 2000), (x + 400, y + 2000)]),
        ],
        crs=settings.working_crs,
    )
    store.write_layer(segments, "road_segments", store_path)
    stops = gpd.GeoDataFrame(
        {
            "order": [1, 2],
            "candidate_id": ["kontroll:seg00008", "kontroll:seg00007"],
            "place": ["väg 691 vid Kägleholm", "väg 204 vid Hidinge"],
            "start": pd.to_datetime(["2019-12-06 20:10", "2019-12-06 20:40"]).tz_localize(
                "Europe/Stockholm"
            ),
            "dwell_min": [15.0, 15.0],
            "theme": ["T", "T"],
            "activity": ["nykterhetskontroll", "hastighetskontroll"],
        },
        geometry=[shapely.Point(x, y + 2000), shapely.Point(x, y + 20)],
        crs="EPSG:3006",
    )
    routes = gpd.GeoDataFrame({"trip": []}, geometry=[], crs="EPSG:3006")
    meta = {"generated_at": "2019-12-02T12:00:00+01:00"}
    patrol.save_plan(patrol.Plan("2019-W49", 120.0, 120.0, stops, routes, meta), store_path)
    said = per.get(f"/markering/{sid}").text
    assert (
        "vecka 49 (2019): fredag 6/12 20:40, 15 min, hastighetskontroll vid kontrollpunkten "
        "på samma vägavsnitt (väg 204 vid Hidinge)"
    ) in said
    assert "Kägleholm" not in said and "Inte med i någon veckoplan" not in said
    said = anna.get(f"/markering/{sid}").text
    assert "vecka 49 (2019), kontroll på samma vägavsnitt" in said and "20:40" not in said
    # a spot far from every segment counts on none: no road check is said to be its
    sid_far, r = put(anna, spot_payload(geometry={"type": "Point", "coordinates": [14.70, 59.25]}))
    assert r.status_code == 201
    assert "Inte med i någon veckoplan" in per.get(f"/markering/{sid_far}").text
    # a blind exit on the same road counts on no segment: the speed check is not its own
    sid_blind, r = put(
        anna,
        spot_payload(
            geometry={"type": "Point", "coordinates": [14.83, 59.16]},
            category="trafikfarlig_plats",
            description="Skymd sikt vid utfart.",
        ),
    )
    assert r.status_code == 201
    assert "Inte med i någon veckoplan" in per.get(f"/markering/{sid_blind}").text


def _list_rows(client, description: str) -> list[dict[str, str]]:
    """The cells of the list's rows holding ``description``, by their labels."""
    rows = re.findall(r"<tr data-spot=.*?</tr>", client.get("/lista").text, flags=re.S)
    return [
        {
            label: " ".join(re.sub(r"<[^>]+>", " ", text).split())
            for label, text in re.findall(r'<td data-label="([^"]+)"[^>]*>(.*?)</td>', row, re.S)
        }
        for row in rows
        if description in row
    ]


def _list_row(client, description: str) -> dict[str, str]:
    """The cells of the list's one row holding ``description``, by their labels."""
    (row,) = _list_rows(client, description)
    return row


def test_the_list_says_where_and_when_each_spot_is(anna):
    # a kommun officer's review: the list had no place column, and a spot of mornings
    # without a day ticked read "· morgon 06–09"
    text = f"Bilar i full fart vid skolan {new_id()[:8]}"
    _, r = put(anna, spot_payload(weekdays=[], time_bands=["morgon"], description=text))
    assert r.status_code == 201
    cells = _list_row(anna, text)
    assert cells["Dagar/tider"] == "morgon 06–09"
    assert cells["Nära"] == "Fjugesta centrum"
    _, r = put(anna, spot_payload(weekdays=[], time_bands=[], description=f"{text} igen"))
    assert r.status_code == 201
    assert _list_row(anna, f"{text} igen")["Dagar/tider"] == "alla dagar och tider"


def test_the_map_gets_each_spots_place_as_the_list_says_it(anna):
    # the map names each spot for a screen reader "… nära <place>", in the list's words
    text = f"Mopeder i hög fart vid utfarten {new_id()[:8]}"
    line = {"type": "LineString", "coordinates": [[14.83, 59.16], [14.8305, 59.16]]}
    for payload in (spot_payload(description=text), spot_payload(geometry=line, description=text)):
        assert put(anna, payload)[1].status_code == 201
    shown = [
        f["properties"]
        for f in anna.get("/api/spots").json()["features"]
        if f["properties"]["description"] == text
    ]
    assert sorted(p["near"] for p in shown) == sorted(c["Nära"] for c in _list_rows(anna, text))
    assert "Fjugesta centrum" in {p["near"] for p in shown}
    assert len({p["near"] for p in shown}) == 2  # each spot its own nearest place


def test_a_server_error_carries_the_security_headers_too(store_path):
    # Starlette writes an unhandled exception's 500 outside every added middleware
    app = create_app(store_path, secret_key="test-secret")

    def broken() -> None:
        msg = "a bug"
        raise RuntimeError(msg)

    app.add_api_route("/api/trasig", broken)
    r = TestClient(app, raise_server_exceptions=False).get("/api/trasig")
    assert r.status_code == 500
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
