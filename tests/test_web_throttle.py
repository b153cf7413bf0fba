"""The brake on guessing an account's password: a wait per name that spares its own browser."""

from __future__ import annotations

import base64
import warnings

import pytest
from _web_fixtures import PASSWORD, csrf_from_html, make_store

from geo.web import create_app
from geo.web._throttle import LoginThrottle

with warnings.catch_warnings():
    # starlette asks for the httpx2 fork; the TestClient works the same with httpx
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_wait_doubles_after_five_wrong_passwords_and_a_login_ends_it():
    clock = Clock()
    throttle = LoginThrottle(clock=clock, max_wait_s=8)
    for _ in range(5):
        assert throttle.wait_s("anna") == 0
        throttle.attempted("anna")
    waits = []
    for _ in range(6):
        waits.append(throttle.wait_s(" ANNA "))  # the name as a login compares it
        clock.now += waits[-1]
        assert throttle.wait_s("anna") == 0  # its wait over, the next guess is checked
        throttle.attempted("Anna")
    assert waits == [1, 2, 4, 8, 8, 8]
    assert throttle.wait_s("per") == 0  # another name waits for nothing
    throttle.succeeded("anna")
    assert throttle.wait_s("anna") == 0


def test_only_the_latest_names_are_counted():
    throttle = LoginThrottle(clock=Clock(), tracked=2)
    for name in ("anna", "per", "ulla"):
        for _ in range(6):
            throttle.attempted(name)
    assert [throttle.wait_s(n) > 0 for n in ("anna", "per", "ulla")] == [False, True, True]


@pytest.fixture
def app(tmp_path):
    clock = Clock()
    app = create_app(
        make_store(tmp_path), secret_key="test", login_throttle=LoginThrottle(clock=clock)
    )
    app.state.clock = clock
    return app


def attempt(c: TestClient, password: str, name: str = "ulla"):
    token = csrf_from_html(c.get("/login").text)
    return c.post("/login", data={"name": name, "password": password, "csrf_token": token})


def test_a_guesser_waits_but_the_owners_own_phone_logs_in_at_once(app):
    phone = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    assert attempt(phone, PASSWORD).status_code == 303  # ulla's phone, logged in before
    assert (
        "ulla"
        not in base64.urlsafe_b64decode(phone.cookies["geo_device"].split(".")[0] + "==").decode()
    )
    phone.cookies.delete("geo_session")
    guesser = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    assert [attempt(guesser, f"gissning-{i}").status_code for i in range(5)] == [401] * 5
    # the sixth, even with the right password, is answered at once and not checked
    r = attempt(guesser, PASSWORD, name=" ULLA ")
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert "vänta 1 sekund och försök igen" in r.text
    assert guesser.get("/api/me").status_code == 401
    # a name no account has is braked alike: the brake tells no one which names exist
    assert [attempt(guesser, "x", name="nobody").status_code for _ in range(6)][-1] == 429
    # ulla's own phone is never kept waiting, and her login ends the guesser's wait
    assert attempt(phone, PASSWORD).status_code == 303
    assert phone.get("/api/me").json()["name"] == "ulla"
    assert attempt(guesser, "gissning-6").status_code == 401


def test_the_wait_ends_for_anyone_and_a_forged_device_cookie_does_not_skip_it(app):
    c = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    for i in range(5):
        attempt(c, f"gissning-{i}")
    c.cookies.set("geo_device", "WyJ1bGxhIl0.forged")
    assert attempt(c, PASSWORD).status_code == 429
    app.state.clock.now += 1  # the wait over: a new phone of ulla's logs in
    assert attempt(c, PASSWORD).status_code == 303
