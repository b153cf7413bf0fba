"""Load benchmark of the marking app: N concurrent clients × M writes against ``geo serve``.

Starts a real server (uvicorn subprocess) on a temporary store, logs every client in, lets
each write M spots with its own UUIDs (idempotent PUT), then checks that every write is
stored exactly once and prints latency percentiles and throughput.

Usage: .venv/bin/python bench/bench_web.py [--clients 50] [--writes 200]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

from geo import spots, users

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-lösenord-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(store: Path, port: int) -> subprocess.Popen[bytes]:
    code = "import sys; from geo.cli.web import serve; serve(sys.argv[1:])"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--store", str(store), "--port", str(port)], cwd=ROOT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    msg = "server did not start"
    raise SystemExit(msg)


def login(client: httpx.Client) -> None:
    html = client.get("/login").text
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303, r.text
    client.headers["X-CSRF-Token"] = client.get("/api/me").json()["csrf"]


def payload(rng: np.random.Generator) -> dict:
    lon = 14.84 + rng.random() * 0.10
    lat = 59.15 + rng.random() * 0.04
    return {
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "category": "hastighet",
        "weekdays": [5, 6],
        "time_bands": ["kvall"],
        "since": "2025-01-01",
        "description": f"Bänktest {rng.integers(1_000_000)}",
        "unit": "bench",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--writes", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        run(Path(tmp) / "lagesbild.gpkg", args.clients, args.writes)


def run(store: Path, n_clients: int, n_writes: int) -> None:
    users.add_user("bench", org="kommun", role="editor", password=PASSWORD, path=store)
    port = free_port()
    proc = start(store, port)
    base = f"http://127.0.0.1:{port}"
    try:
        # argon2 makes a login slow on purpose: time a few, then share one session
        first = httpx.Client(base_url=base, timeout=120)
        t0 = time.perf_counter()
        for _ in range(5):
            login(first)
        login_s = (time.perf_counter() - t0) / 5
        clients = [
            httpx.Client(base_url=base, timeout=120, cookies=first.cookies, headers=first.headers)
            for _ in range(n_clients)
        ]
        first.close()

        def work(i: int) -> list[tuple[str, int, float]]:
            rng = np.random.default_rng(i)
            out = []
            for _ in range(n_writes):
                sid = str(uuid.uuid4())
                t = time.perf_counter()
                r = clients[i].put(f"/api/spots/{sid}", json=payload(rng))
                out.append((sid, r.status_code, time.perf_counter() - t))
            return out

        t0 = time.perf_counter()
        with ThreadPoolExecutor(n_clients) as pool:
            results = [r for part in pool.map(work, range(n_clients)) for r in part]
        wall_s = time.perf_counter() - t0
        for c in clients:
            c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    lat_ms = np.array([r[2] for r in results]) * 1000
    codes = [r[1] for r in results]
    stored = spots.read_spots(store)
    ids = {r[0] for r in results}
    n = len(results)
    print(
        f"{'clients':>8} {'writes':>7} {'total':>6} {'2xx':>6} {'5xx':>4} {'lost':>5} "
        f"{'stored':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'writes/s':>9} {'login ms':>9}"
    )
    print(
        f"{n_clients:>8} {n_writes:>7} {n:>6} {sum(200 <= c < 300 for c in codes):>6} "
        f"{sum(c >= 500 for c in codes):>4} {len(ids - set(stored['spot_id'])):>5} "
        f"{len(stored):>7} {np.percentile(lat_ms, 50):>7.1f} {np.percentile(lat_ms, 99):>7.1f} "
        f"{lat_ms.max():>7.1f} {n / wall_s:>9.1f} {login_s * 1000:>9.0f}"
    )
    assert len(stored) == n, "a write was lost"
    assert stored["spot_id"].is_unique, "a write was stored twice"


if __name__ == "__main__":
    main()
