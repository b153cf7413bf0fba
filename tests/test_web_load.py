"""Load and crash tests of the marking app against a real ``geo serve`` subprocess."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from _web_fixtures import free_port, login, make_store, running_server, spot_payload, start_server

from geo import spots

pytestmark = pytest.mark.slow

CLIENTS = 50
WRITES = 20


def shared_session_clients(base: str, n: int, *, timeout: float) -> list[httpx.Client]:
    # one login (argon2 is slow on purpose); every client sends that session's cookie
    with httpx.Client(base_url=base) as first:
        login(first, "anna")
        return [
            httpx.Client(
                base_url=base, timeout=timeout, cookies=first.cookies, headers=first.headers
            )
            for _ in range(n)
        ]


def payload(rng: np.random.Generator) -> dict:
    # spread over ~6 × 4 km around Fjugesta, inside the kommun
    lon = 14.84 + rng.random() * 0.10
    lat = 59.15 + rng.random() * 0.04
    return spot_payload(
        geometry={"type": "Point", "coordinates": [lon, lat]},
        description=f"Lasttest {rng.integers(1_000_000)}",
    )


def test_concurrent_clients_lose_nothing_and_store_each_write_once(tmp_path):
    path = make_store(tmp_path)
    with running_server(path, tmp_path / "server.log") as base:
        clients = shared_session_clients(base, CLIENTS, timeout=60)

        def work(i: int) -> list[tuple[str, int]]:
            rng = np.random.default_rng(i)
            out = []
            for k in range(WRITES):
                sid = str(uuid.uuid4())
                body = payload(rng)
                r = clients[i].put(f"/api/spots/{sid}", json=body)
                out.append((sid, r.status_code))
                if k % 5 == 0:  # a retry of an acknowledged write, as the outbox may send
                    again = clients[i].put(f"/api/spots/{sid}", json=body)
                    assert again.status_code == 200
                    assert again.json()["changed"] is False
            return out

        with ThreadPoolExecutor(CLIENTS) as pool:
            results = [r for part in pool.map(work, range(CLIENTS)) for r in part]
        for c in clients:
            c.close()
    codes = [code for _, code in results]
    assert codes.count(201) == CLIENTS * WRITES
    stored = spots.read_spots(path)
    assert len(stored) == CLIENTS * WRITES
    assert set(stored["spot_id"]) == {sid for sid, _ in results}
    changes = spots.read_changes(path=path)
    assert len(changes) == CLIENTS * WRITES
    assert changes["spot_id"].is_unique


def test_kill_9_while_writing_keeps_every_acknowledged_write(tmp_path):
    path = make_store(tmp_path)
    port = free_port()
    log = tmp_path / "server.log"
    proc = start_server(path, port, log)
    base = f"http://127.0.0.1:{port}"
    acked: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    stop = threading.Event()
    clients = shared_session_clients(base, 8, timeout=10)

    def writer(i: int) -> int:
        rng = np.random.default_rng(100 + i)
        errors = 0
        while not stop.is_set():
            sid = str(uuid.uuid4())
            try:
                r = clients[i].put(f"/api/spots/{sid}", json=payload(rng))
            except httpx.TransportError:
                errors += 1
                if errors > 3:
                    return errors
                continue
            assert r.status_code < 500
            if r.status_code == 201:
                with lock:
                    acked.append(sid)
                    if len(acked) >= 100:
                        enough.set()
        return errors

    try:
        with ThreadPoolExecutor(len(clients)) as pool:
            futures = [pool.submit(writer, i) for i in range(len(clients))]
            assert enough.wait(timeout=120), "the server did not acknowledge 100 writes"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            stop.set()
            for f in futures:  # re-raises a writer's failed assertion (a 5xx)
                f.result(timeout=60)
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
        for c in clients:
            c.close()
    assert proc.returncode == -signal.SIGKILL
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with running_server(path, log) as base2, httpx.Client(base_url=base2, timeout=30) as c:
        login(c, "anna")
        on_server = {f["id"] for f in c.get("/api/spots").json()["features"]}
    assert set(acked) <= on_server
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n_spots = conn.execute("SELECT count(*) FROM spots").fetchone()[0]
        n_created = conn.execute(
            "SELECT count(*) FROM spot_changes WHERE action='skapad'"
        ).fetchone()[0]
    assert n_spots == n_created >= len(acked)
