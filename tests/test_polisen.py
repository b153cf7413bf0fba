import http.server
import json
import threading
from collections import Counter
from pathlib import Path

import pytest

from geo import ingest, settings, store
from geo.errors import NetworkError
from geo.ingest.polisen import RateLimiter, fetch_events

DATA = Path(__file__).parents[1] / "data" / "polisen"


def test_the_real_orebro_lan_dump_is_fully_accounted_for(tmp_path):
    result = ingest.import_file(
        DATA / "polisen_events_orebro_lan_2022-2026.json", store_path=tmp_path / "s.gpkg"
    )
    assert result.read == 4172
    assert result.read == result.stored + result.quarantined + result.duplicates
    assert set(result.reasons) == {"outside_kommun", "summary_not_incident"}
    stored = store.read_incidents(tmp_path / "s.gpkg")
    assert result.categories == dict(Counter(stored["category"]))
    assert len(stored) == result.stored > 30  # Lekeberg's own events (about 15 a year)
    by_category = Counter(stored["category"])
    assert (
        by_category.most_common(1)[0][0] == "trafikolycka"
    )  # half of Lekeberg's events are accidents
    # The API's coordinate is the kommun centroid: honest precision, or a place the text names.
    centroid = stored[stored["location_flag"] == "kommun_centroid"]
    assert (centroid["location_precision_m"] > 10_000).all() and centroid["place_id"].isna().all()
    named = stored[stored["location_flag"] == "place_from_text"]
    assert len(named) > 5 and (named["location_precision_m"] < 3000).all()
    fjugesta = named[named["description"].str.contains("Fjugesta")]
    assert set(fjugesta["place_id"]) == {"fjugesta_centrum"}


class _FakeApi(http.server.BaseHTTPRequestHandler):
    events: list[dict] = []
    seen: list[tuple[str, str | None]] = []

    def do_GET(self):
        type(self).seen.append((self.path, self.headers.get("User-Agent")))
        body = json.dumps(type(self).events).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_api():
    _FakeApi.events = json.loads(
        (DATA / "polisen_events_lekeberg_2023-2026.json").read_text(encoding="utf-8")
    )[:5]
    _FakeApi.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/events"
    server.shutdown()
    server.server_close()


class _Clock:
    def __init__(self):
        self.t = 1_000_000.0
        self.slept: list[float] = []

    def __call__(self):
        return self.t

    def sleep(self, s):
        self.slept.append(s)
        self.t += s


def test_live_import_from_a_local_fake_api_dedupes_and_keeps_updates(tmp_path, fake_api):
    clock = _Clock()
    limiter = RateLimiter(tmp_path / "calls.json", clock=clock, sleep=clock.sleep)
    path = fetch_events(
        location_names=["Lekeberg", "Örebro län"],
        out_dir=tmp_path / "api",
        base_url=fake_api,
        limiter=limiter,
    )
    first = ingest.import_file(path, store_path=tmp_path / "s.gpkg")
    assert first.read == 5 and first.stored + first.quarantined == 5
    url, agent = _FakeApi.seen[0]
    assert "locationname=Lekeberg%3B%C3%96rebro+l%C3%A4n" in url
    assert agent == settings.user_agent and "Trygghetskartan" in agent
    # The police update an event's summary; the next call brings it once, updated.
    _FakeApi.events[0] = {
        **_FakeApi.events[0],
        "summary": "Uppdaterad: " + _FakeApi.events[0]["summary"],
    }
    clock.t += 1.0
    path2 = fetch_events(
        location_names=["Lekeberg"], out_dir=tmp_path / "api", base_url=fake_api, limiter=limiter
    )
    assert clock.slept and clock.slept[0] == pytest.approx(9.0)  # waited out the 10 s rule
    second = ingest.import_file(path2, store_path=tmp_path / "s.gpkg")
    assert (second.stored, second.duplicates) == (1, first.stored - 1)
    stored = store.read_incidents(tmp_path / "s.gpkg")
    assert stored["incident_id"].is_unique
    assert stored["description"].str.contains("Uppdaterad").sum() == 1


def test_rate_limit_of_60_calls_an_hour(tmp_path):
    clock = _Clock()
    limiter = RateLimiter(tmp_path / "calls.json", clock=clock, sleep=clock.sleep)
    for _ in range(60):
        limiter.acquire()
    assert min(clock.slept) >= 10.0 - 1e-9 and len(clock.slept) == 59
    with pytest.raises(NetworkError, match="60 calls an hour"):
        limiter.acquire()
    clock.t += 3600
    limiter.acquire()  # a new hour


def test_unreachable_api_is_a_clear_network_error(tmp_path):
    clock = _Clock()
    limiter = RateLimiter(tmp_path / "calls.json", clock=clock, sleep=clock.sleep)
    with pytest.raises(NetworkError, match="Cannot reach the police API"):
        fetch_events(
            location_names=["Lekeberg"],
            out_dir=tmp_path,
            base_url="http://127.0.0.1:9/api/events",
            limiter=limiter,
        )


def test_cli_prints_counts_by_category_for_the_real_dump(tmp_path):
    from click.testing import CliRunner

    from geo.cli import main

    dump = DATA / "polisen_events_orebro_lan_2022-2026.json"
    out = CliRunner().invoke(main, ["import", str(dump), "--store", str(tmp_path / "s.gpkg")])
    assert out.exit_code == 0, out.output
    assert "read 4172, stored" in out.output
    assert "stored by category:" in out.output and "Trafikolycka" in out.output
    assert "summary_not_incident" in out.output
