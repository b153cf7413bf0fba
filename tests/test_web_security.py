"""The marking app probed as an attacker and a clumsy client would, on a real ``geo serve``.

Sessions that end for real, and hostile or broken request bodies that get a Swedish refusal
rather than a server error, after which the server (and its store) keep working.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from _web_fixtures import PASSWORD, client, csrf_from_html, make_store, running_server, spot_payload

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


def test_resetting_a_password_logs_the_account_out_everywhere(server):
    base, path = server
    with client(base, "ulla") as phone, client(base, "anna") as other:
        assert phone.get("/api/me").status_code == 200
        users.add_user("ulla", org="kommun", role="viewer", password=PASSWORD, path=path)
        assert phone.get("/api/me").status_code == 401
        # another account's session is not touched, and the account logs in again
        assert other.get("/api/me").status_code == 200
    with client(base, "ulla") as again:
        assert again.get("/api/me").json()["name"] == "ulla"
