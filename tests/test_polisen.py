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


def _event(i: int, etype: str, summary: str, location: str = "Lekeberg", text: str = "") -> dict:
    return {
        "id": 900000 + i,
        "datetime": "2026-02-22 13:43:39 +01:00",
        "name": f"22 februari 13.43, {etype}, {location}",
        "summary": summary,
        "type": etype,
        "location": {"name": location, "gps": "59.196938,14.842727"},
        "html_text_excerpt": text,
    }


def test_road_events_are_not_put_on_a_bathing_site():
    # real texts of the Lekeberg dump: "Lekhyttan" was an alias of Badplats Leken, so E18 and
    # Lv 691 accidents were stored 250 m from the beach and counted for theme B
    import numpy as np
    import pandas as pd

    from geo.ingest.polisen import BETWEEN_PRECISION_M, normalize_events
    from geo.sites import load_places

    events = [
        _event(1, "Trafikolycka", "Singelolycka på E 18 vid Lekhyttan.", "Örebro län"),
        _event(2, "Trafikolycka", "Två personbilar har kolliderat på Lv 691 mellan Lanna och "
               "Lekhyttan."),
        _event(3, "Trafikolycka", "E18 är avstängd i västlig riktning ca 2,5 kikometer väster "
               "om Lekhyttan."),
        _event(4, "Trafikolycka", "En singelolycka, bilist med påkopplad husvagn har inträffat "
               "i höjd med Leken på E 18."),
        _event(5, "Trafikolycka", "En olycka har inträffat i höjd med Lekhyttan", "Örebro län"),
        _event(6, "Trafikolycka", "En trafikolycka har under morgonen inträffat i Lanna.",
               text="En trafikolycka har skett på länsväg 204 mellan Fjugesta och Lanna."),
        _event(7, "Ordningsstörning", "Stökiga ungdomar vid Lanna badgruva."),
        _event(8, "Trafikolycka", "En trafikolycka har inträffat på Lv 561 i Fjugesta."),
    ]  # fmt: skip
    places = load_places()
    out = normalize_events(events, np.arange(1, len(events) + 1), places)
    assert out.quarantine.empty  # the län's events naming Lekhyttan are still Lekeberg's
    got = out.incidents.set_index("incident_id")
    bathing = set(places.loc[places["kind"] == "badplats", "place_id"])
    roads = got.loc[[f"polisen:{900000 + i}" for i in (1, 2, 3, 4, 5)]]
    assert not roads["place_id"].isin(bathing).any()
    assert (roads["location_flag"] == "kommun_centroid").all()
    assert (roads["location_precision_m"] > 10_000).all()
    # on a stretch between two places: at the first, as imprecise as the stretch, no place
    between = got.loc["polisen:900006"]
    assert between["location_flag"] == "place_from_text" and pd.isna(between["place_id"])
    assert between["location_precision_m"] == BETWEEN_PRECISION_M
    # an event at the bathing site itself, and a road event in a village, keep their place
    assert got.loc["polisen:900007", "place_id"] == "lanna_badgruva"
    assert got.loc["polisen:900008", "place_id"] == "fjugesta_centrum"
    assert got.loc["polisen:900008", "location_precision_m"] == 700


def test_the_lekeberg_dump_puts_no_traffic_accident_at_a_bathing_site(tmp_path):
    result = ingest.import_file(
        DATA / "polisen_events_lekeberg_2023-2026.json", store_path=tmp_path / "s.gpkg"
    )
    stored = store.read_incidents(tmp_path / "s.gpkg")
    # the 4 left out are Örebro kommun's (E18 "väster om trafikplats Lekhyttan", a town)
    assert result.stored == len(stored) == 47 and result.reasons == {"outside_kommun": 4}
    # an import review: the dump's lines 4 and 14 name Vintrosa, 7 trafikplats Lekhyttan, and
    # each read "names none of its places"
    said = {row.line: row.detail for row in result.examples}
    for line, place in ((4, "Vintrosa"), (7, "Lekhyttan"), (14, "Vintrosa")):
        assert f"in 'Örebro', not 'Lekeberg', though it names {place!r}" in said[line]
    accidents = stored[stored["category"] == "trafikolycka"]
    assert not accidents["place_id"].isin(["leken", "lanna_badgruva"]).any()
    lekhyttan = stored[stored["description"].str.contains("Lekhyttan")]
    assert len(lekhyttan) >= 6 and lekhyttan["place_id"].isna().all()
