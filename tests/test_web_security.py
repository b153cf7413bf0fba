"""The marking app probed as an attacker and a clumsy client would, on a real ``geo serve``.

Sessions that end for real, and hostile or broken request bodies that get a Swedish refusal
rather than a server error, after which the server (and its store) keep working.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from _web_fixtures import (
    FJUGESTA,
    PASSWORD,
    client,
    csrf_from_html,
    login,
    make_store,
    running_server,
    spot_payload,
)

from geo import spots, users


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("security")
    path = make_store(folder)
    with running_server(path, folder / "server.log") as base:
        yield base, path


def copied(base: str, c: httpx.Client) -> httpx.Client:
    """Return a second client holding a copy of ``c``'s session cookie and CSRF header."""
    return httpx.Client(
        base_url=base,
        cookies={"geo_session": str(c.cookies.get("geo_session"))},
        headers={"X-CSRF-Token": c.headers["X-CSRF-Token"]},
        follow_redirects=False,
    )


def test_a_copy_of_the_session_cookie_is_logged_out_by_logout(server):
    base, path = server
    with client(base, "anna") as anna, copied(base, anna) as thief:
        assert thief.get("/api/me").json()["name"] == "anna"
        token = csrf_from_html(anna.get("/").text)
        assert anna.post("/logout", data={"csrf_token": token}).status_code == 303

        assert thief.get("/api/me").status_code == 401
        assert thief.get("/").headers["location"] == "/login"
        sid = str(uuid.uuid4())
        assert thief.put(f"/api/spots/{sid}", json=spot_payload()).status_code == 401
        assert spots.get_spot(sid, path=path) is None


def test_a_new_password_logs_the_account_out_everywhere(server):
    base, path = server
    with client(base, "ulla") as phone, client(base, "anna") as other:
        # a new role with the same password: the next request reads the role, no logout
        users.add_user("ulla", org="kommun", role="editor", password=PASSWORD, path=path)
        assert phone.get("/api/me").json()["role"] == "editor"
        users.add_user("ulla", org="kommun", role="viewer", password="nytt-lösenord-42", path=path)
        assert phone.get("/api/me").status_code == 401
        # another account's session is not touched, and the account logs in again
        assert other.get("/api/me").status_code == 200
    with client(base) as again:
        login(again, "ulla", "nytt-lösenord-42")
        assert again.get("/api/me").json()["name"] == "ulla"
    users.add_user("ulla", org="kommun", role="viewer", password=PASSWORD, path=path)


def test_a_removed_account_is_logged_out_at_once_and_its_spot_stays(server):
    base, path = server
    with client(base, "ulla") as phone, client(base, "anna") as anna:
        sid = str(uuid.uuid4())
        assert anna.put(f"/api/spots/{sid}", json=spot_payload()).status_code == 201
        users.remove_user("anna", path=path)
        assert anna.get("/api/me").status_code == 401
        assert anna.get("/").headers["location"] == "/login"
        assert anna.put(f"/api/spots/{uuid.uuid4()}", json=spot_payload()).status_code == 401
        # another account reads the spot under its author's name
        assert phone.get(f"/api/spots/{sid}").json()["properties"]["created_by"] == "anna"
    with client(base) as again:
        token = csrf_from_html(again.get("/login").text)
        form = {"name": "anna", "password": PASSWORD, "csrf_token": token}
        assert again.post("/login", data=form).status_code == 401
    users.add_user("anna", org="kommun", role="editor", password=PASSWORD, path=path)


def _last_seen(path, hours_ago: float) -> None:
    """Set every session's ``seen_at`` to ``hours_ago`` hours before now."""
    when = datetime.now(UTC) - timedelta(hours=hours_ago)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE web_sessions SET seen_at = ?", (f"{when:%Y-%m-%dT%H:%M:%S.%f}Z",))


def _seen(path) -> datetime:
    """Return the latest ``seen_at`` of the sessions."""
    with sqlite3.connect(path) as conn:
        seen = conn.execute("SELECT max(seen_at) FROM web_sessions").fetchone()[0]
    return datetime.fromisoformat(seen.replace("Z", "+00:00"))


def test_a_session_ends_after_12_hours_unused_and_is_renewed_while_used(server):
    base, path = server
    with client(base, "anna") as anna:
        _last_seen(path, 12.5)
        assert anna.get("/api/me").status_code == 401
    with client(base, "anna") as anna:
        _last_seen(path, 11.5)  # a shift's last request was 11.5 hours ago
        assert anna.get("/api/me").status_code == 200
        assert datetime.now(UTC) - _seen(path) < timedelta(minutes=5)
        _last_seen(path, 0.5)  # renewed at most once an hour: no write for this one
        assert anna.get("/api/me").status_code == 200
        assert datetime.now(UTC) - _seen(path) > timedelta(minutes=25)


def raw_put(c: httpx.Client, url: str, text: str) -> httpx.Response:
    """PUT ``text`` as a JSON body, byte for byte as a script (or an attacker) sends it."""
    return c.put(url, content=text.encode(), headers={"Content-Type": "application/json"})


def _spot_json(**overrides: object) -> str:
    # json.dumps writes a lone surrogate as \ud83d, as JSON.stringify does for a string
    # cut in the middle of an emoji
    return json.dumps(spot_payload(**overrides))


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        # half an emoji (a text cut between its two UTF-16 halves): no UTF-8 holds it
        (_spot_json(description="Buskörning varje kväll \ud83d"), 400, None),
        (_spot_json(unit="\udca9"), 400, None),
        # JSON nested deeper than the parser recurses
        ('{"geometry": ' + "[" * 100_000 + "]" * 100_000 + "}", 400, None),
        # a coordinate no float holds
        (_spot_json(geometry={"type": "Point", "coordinates": [10**400, 59.17]}), 422, "geometry"),
        (_spot_json(category=["hastighet"]), 422, "category"),
        (_spot_json(category={"id": "hastighet"}), 422, "category"),
    ],
)
def test_a_broken_spot_is_refused_in_swedish_and_the_server_keeps_working(
    server, body, status, field
):
    base, path = server
    with client(base, "anna") as anna:
        sid = str(uuid.uuid4())
        r = raw_put(anna, f"/api/spots/{sid}", body)
        assert r.status_code == status, r.text
        answer = r.json()
        assert answer["detail"].endswith(".") and "Internal" not in answer["detail"]
        if field:
            assert field in answer["errors"]
        assert spots.get_spot(sid, path=path) is None
        # nothing is left locked or broken: the next report is stored
        assert anna.put(f"/api/spots/{sid}", json=spot_payload()).status_code == 201


def test_half_an_emoji_is_refused_on_every_write_route(server):
    base, _ = server
    half = "\ud83d"
    with client(base, "anna") as anna, client(base, "per") as per:
        observation = {"category": "alkohol", "place": "Fjugesta centrum", "comment": half}
        for c, url, payload in (
            (anna, "/api/aktiviteter/2025-11/N2/kommun", {"times": 1, "comment": half}),
            (anna, f"/api/observations/{uuid.uuid4()}", observation),
            (per, f"/api/pass/{uuid.uuid4()}", {"date": "2025-12-02", "results": half}),
        ):
            r = raw_put(c, url, json.dumps(payload))
            assert r.status_code == 400, (url, r.text)
            assert "tecken" in r.json()["detail"]


NUL_SAID = (
    "Texten innehåller ett osynligt nolltecken (NUL) som inte går att spara; skriv in "
    "texten i stället för att klistra in den, eller ta bort tecknet, och försök igen."
)


def test_a_nul_in_a_text_is_refused_beside_its_field_on_every_write_route(server):
    # the GeoPackage export cut a description at its NUL ("Före\x00efter" became "Före")
    base, path = server
    nul = "Före\x00efter skolan"
    with client(base, "anna") as anna, client(base, "per") as per:
        sid = str(uuid.uuid4())
        assert anna.put(f"/api/spots/{sid}", json=spot_payload()).status_code == 201
        observation = {"category": "alkohol", "place": "Fjugesta centrum", "description": nul}
        for c, url, payload, field in (
            (anna, f"/api/spots/{uuid.uuid4()}", spot_payload(description=nul), "description"),
            (anna, f"/api/spots/{uuid.uuid4()}", spot_payload(unit=nul), "unit"),
            (anna, f"/api/observations/{uuid.uuid4()}", observation, "description"),
            (anna, "/api/aktiviteter/2025-11/N2/kommun", {"times": 1, "comment": nul}, "comment"),
            (per, f"/api/spots/{sid}/status", {"status": "bedomd", "comment": nul}, "comment"),
            (per, f"/api/pass/{uuid.uuid4()}", {"date": "2025-12-02", "results": nul}, "results"),
        ):
            r = c.request("PUT" if "/status" not in url else "POST", url, json=payload)
            assert r.status_code == 422, (url, r.text)
            assert r.json() == {"detail": "Kontrollera fälten.", "errors": {field: NUL_SAID}}
        # nothing was stored: the spot is as it was, no other spot names the text
        assert spots.get_spot(sid, path=path)["status"] == "ny"
        assert not [s for s in spots.list_spots(path=path) if "efter skolan" in s["description"]]


@pytest.mark.parametrize("category", [["alkohol"], {"id": "alkohol"}], ids=["list", "object"])
def test_an_observation_with_a_category_not_text_is_refused(server, category):
    base, _ = server
    with client(base, "anna") as anna:
        payload = {
            "category": category,
            "place": "Fjugesta centrum",
            "occurred_at": "2025-06-06T23:10",
        }
        r = anna.put(f"/api/observations/{uuid.uuid4()}", json=payload)
        assert r.status_code == 422, r.text
        assert "kategori" in r.json()["errors"]["category"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/aktiviteter?manad=0000-12",
        "/api/aktiviteter?manad=0001-01",
        "/aktiviteter?manad=0001-01",
        "/api/pass?vecka=0001-W01",
        "/pass?vecka=0001-W01",
    ],
)
def test_a_year_far_off_in_the_address_is_a_400_not_a_server_error(server, url):
    # a typed-over address (a year's digits lost) names a month or week the calendar of the
    # follow-up cannot hold
    base, _ = server
    with client(base, "per") as per:
        r = per.get(url)
        assert r.status_code == 400, r.text
        assert "finns inte" in r.json()["detail"]


def test_logging_a_month_far_off_is_refused_at_the_month(server):
    base, _ = server
    with client(base, "anna") as anna:
        r = anna.put("/api/aktiviteter/0000-01/N2/kommun", json={"times": 1})
        assert r.status_code == 422, r.text
        assert "month" in r.json()["errors"]


def test_a_logged_out_client_gets_no_description_of_the_api(server):
    # the login page and /healthz are all a client without an account reads
    base, _ = server
    with client(base) as anon:
        for url in ("/openapi.json", "/docs", "/redoc"):
            r = anon.get(url)
            assert r.status_code == 404, url
            assert "/api/" not in r.text
        assert anon.get("/healthz").json() == {"ok": True}


def test_a_flood_of_wrong_passwords_leaves_the_logged_in_staff_served(server):
    # more guessing clients than the server has worker threads (40): each login waited for
    # one of two argon2 slots inside a worker thread, so every page and API request of the
    # staff queued behind some twenty guesses (about 4 s with 60 guessing clients). Told by
    # how many guesses are answered while a request of the staff waits, not by a clock: the
    # machine's speed and load change both alike
    base, _ = server
    stop = threading.Event()
    answered = [0]  # wrong logins answered so far
    lock = threading.Lock()

    def guess() -> None:
        with httpx.Client(base_url=base, timeout=300) as c:
            token = csrf_from_html(c.get("/login").text)
            while not stop.is_set():
                # a new name each time: guesses at one name soon wait without a hash
                # (geo.web._throttle), and anna must still log in after this test
                name = f"gissning-{uuid.uuid4().hex[:8]}"
                form = {"name": name, "password": "gissning-1234", "csrf_token": token}
                assert c.post("/login", data=form).status_code == 401
                with lock:
                    answered[0] += 1

    with client(base, "anna") as anna:
        threads = [threading.Thread(target=guess) for _ in range(60)]
        for t in threads:
            t.start()
        while answered[0] < 2 * users.HASH_SLOTS:  # the guesses are hashing and queued
            time.sleep(0.05)
        behind = []
        for _ in range(3):
            before = answered[0]
            assert anna.get("/api/me", timeout=300).status_code == 200
            behind.append(answered[0] - before)
        stop.set()
        for t in threads:
            t.join()
    # a request of the staff waits for the guesses being hashed at most, not the queue's
    assert statistics.median(behind) <= 3 * users.HASH_SLOTS, behind


def test_a_stretch_of_a_hundred_thousand_points_is_refused_and_never_served(server):
    # 5 MB of points, under the 10 MB limit: three such stretches put 15 MB on every map
    # page's /api/spots, for every phone to draw
    base, path = server
    lon, lat = FJUGESTA
    coords = [[lon + i * 1e-7, lat + (i % 2) * 1e-6] for i in range(100_000)]
    with client(base, "anna") as anna:
        sid = str(uuid.uuid4())
        stretch = {"type": "LineString", "coordinates": coords}
        r = anna.put(f"/api/spots/{sid}", json=spot_payload(geometry=stretch))
        assert r.status_code == 422, r.text[:200]
        assert "100000 punkter" in r.json()["errors"]["geometry"]
        assert spots.get_spot(sid, path=path) is None
        # a stretch drawn by hand, a click at each bend, is taken
        drawn = {"type": "LineString", "coordinates": coords[:: 100_000 // 50]}
        assert anna.put(f"/api/spots/{sid}", json=spot_payload(geometry=drawn)).status_code == 201


def test_every_answer_carries_the_security_headers(server):
    # a page, JSON, the app's files, a redirect, a 404 and a 413 alike: the browser is told
    # to load nothing but the app's own files, to show no page inside another site's frame,
    # to take no file for another type, and to tell no other site the address it came from
    base, _ = server
    with client(base, "anna") as anna, client(base) as anon:
        answers = {
            "page": anna.get("/"),
            "login page": anon.get("/login"),
            "json": anna.get("/api/me"),
            "script": anon.get("/static/common.js"),
            "leaflet": anon.get("/vendor/leaflet/leaflet.js"),
            "redirect": anon.get("/"),
            "404": anon.get("/finns-inte"),
            "401": anon.get("/api/spots"),
            "413": anna.put(f"/api/spots/{uuid.uuid4()}", content=b"x" * 11 * 1024 * 1024),
        }
    assert answers["413"].status_code == 413
    for what, r in answers.items():
        csp = r.headers.get("content-security-policy", "")
        directives = dict(d.strip().partition(" ")[::2] for d in csp.split(";"))
        assert directives.get("default-src") == "'none'", what
        assert directives.get("script-src") == "'self'", what  # no inline script, no eval
        assert directives.get("style-src") == "'self'", what
        assert directives.get("frame-ancestors") == "'none'", what
        assert r.headers.get("x-frame-options") == "DENY", what
        assert r.headers.get("x-content-type-options") == "nosniff", what
        assert r.headers.get("referrer-policy") == "no-referrer", what


def _multipart(*parts: bytes) -> bytes:
    """Return a multipart body of ``parts`` (each its headers, a blank line and its value)."""
    return b"".join(b"--grans\r\n" + p + b"\r\n" for p in parts) + b"--grans--\r\n"


MULTIPART = "multipart/form-data; boundary=grans"
UNREADABLE = "Formuläret gick inte att läsa; ladda om sidan och försök igen."


@pytest.mark.parametrize(
    ("content_type", "body", "said"),
    [
        pytest.param("multipart/form-data", b"name=anna", UNREADABLE, id="no boundary"),
        pytest.param(
            MULTIPART,
            _multipart(b"Content-Disposition: form-data\r\n\r\nanna"),
            UNREADABLE,
            id="a part without a name",
        ),
        pytest.param(MULTIPART, b"--grans\r\nnot a header\r\n\r\n", UNREADABLE, id="garbage"),
        pytest.param(
            "application/x-www-form-urlencoded",
            "&".join(f"f{i}=1" for i in range(1001)).encode(),
            "Formuläret har för många fält; ladda om sidan och försök igen.",
            id="1001 fields",
        ),
        pytest.param(
            MULTIPART,
            _multipart(b'Content-Disposition: form-data; name="name"\r\n\r\n' + b"a" * 1_100_000),
            "Ett fält i formuläret är för stort; högst 1 MB tas emot.",
            id="a field over 1 MB",
        ),
    ],
)
@pytest.mark.parametrize("url", ["/login", "/logout"])
def test_a_form_body_the_parser_cannot_read_is_refused_in_swedish(
    server, url, content_type, body, said
):
    # Starlette's own English sentence ("Missing boundary in multipart.") reached the browser
    base, _ = server
    with client(base, "anna") as c:
        r = c.post(url, content=body, headers={"Content-Type": content_type})
        assert r.status_code == 400, r.text
        assert r.json() == {"detail": said}
        r = c.post(url, content=body, headers={"Content-Type": content_type, "Accept": "text/html"})
        assert r.status_code == 400
        assert "<h1>Förfrågan gick inte att läsa</h1>" in r.text and f"<p>{said}</p>" in r.text
        assert c.get("/api/me").status_code == 200  # still logged in: nothing was done


@pytest.mark.parametrize("url", ["/static/app.css", "/vendor/leaflet/leaflet.js", "/labels.js"])
def test_a_file_is_sent_whole_whatever_range_is_asked(server, url):
    # a malformed Range got Starlette's English 400 ("Only support bytes range")
    base, _ = server
    with client(base) as anon:
        whole = anon.get(url).content
        for asked in ("bytes=abc", "items=1-2", "bytes=5-1", "bytes=0-9"):
            r = anon.get(url, headers={"Range": asked})
            assert (r.status_code, r.content) == (200, whole), asked


def test_a_burst_of_guesses_at_one_name_gets_five_checked_not_all(server):
    # each guess counted once its hash was found wrong: twenty sent at once all passed the
    # brake before the first hash was done, and all twenty were checked
    base, _ = server
    name = f"burst-{uuid.uuid4().hex[:8]}"  # a name of its own: no other test's count
    start = threading.Barrier(20)
    answers: list[int] = []

    def guess() -> None:
        with httpx.Client(base_url=base, timeout=300) as c:
            token = csrf_from_html(c.get("/login").text)
            form = {"name": name, "password": "gissning-1234", "csrf_token": token}
            start.wait()
            answers.append(c.post("/login", data=form).status_code)

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(answers)) == [401, 429]
    # the five free ones, and one or two more should the burst outlast a wait of 1 s
    assert answers.count(401) <= 7, answers
