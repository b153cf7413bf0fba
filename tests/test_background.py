"""Tests of the forked background runner the main job plans with (geo/background.py)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from geo.background import Background, ChildError
from geo.errors import DataError


def _pid_and_sum(values: np.ndarray, *, scale: float) -> tuple[int, float]:
    return os.getpid(), float(values.sum() * scale)


def _fail(message: str) -> None:
    raise DataError(message)


def _die() -> None:
    os._exit(3)


def _sleep_then_write(path: Path) -> None:
    time.sleep(2.0)
    path.write_text("the child outlived its parent's block")


def test_child_runs_elsewhere_on_inherited_data_and_returns_its_result():
    data = np.arange(1_000_000, dtype=float)  # inherited by the fork, never pickled
    with Background(_pid_and_sum, data, scale=2.0) as job:
        pid, total = job.result()
    assert pid != os.getpid()
    assert total == pytest.approx(2.0 * data.sum())


def test_the_childs_error_is_raised_in_the_parent_with_its_message():
    with Background(_fail, "no week to plan") as job, pytest.raises(DataError, match="no week"):
        job.result()


def test_a_child_that_dies_gives_a_clear_error():
    with Background(_die) as job, pytest.raises(ChildError, match="exit code 3"):
        job.result()


def test_leaving_the_block_without_the_result_stops_the_child(tmp_path):
    marker = tmp_path / "late.txt"
    failure = "the parent failed meanwhile"
    with pytest.raises(RuntimeError), Background(_sleep_then_write, marker):
        raise RuntimeError(failure)
    time.sleep(2.5)
    assert not marker.exists()


def _wait_for(signal: threading.Event) -> int:
    assert signal.wait(timeout=5), "the signal never came"
    return os.getpid()


def test_without_fork_the_call_runs_here_when_its_result_is_asked(monkeypatch):
    # Windows has no fork: the call must wait for result(), after the parent's signal
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    signal = threading.Event()
    with Background(_wait_for, signal) as job:
        signal.set()
        assert job.result() == os.getpid()


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in "ZX"  # a zombie has finished; only its parent's reaping is left


def test_the_maps_half_of_geo_run_ends_when_its_parent_is_killed(tmp_path):
    # geo run's child waits for the store; if the main process dies first it must not wait for ever
    code = (
        "import multiprocessing, os; from pathlib import Path; "
        "from geo.background import Background; from geo.pipeline import _analyse_and_draw; "
        f"job = Background(_analyse_and_draw, Path({str(tmp_path / 's.gpkg')!r}), "
        f"Path({str(tmp_path)!r}), 1, multiprocessing.Event(), os.getpid()); "
        "print(job._process.pid, flush=True); os._exit(0)"
    )
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        pid = int(proc.stdout.readline())  # not to EOF: the orphan holds the pipe open
    deadline = time.monotonic() + 30
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _gone(pid)
    assert not (tmp_path / "s.gpkg").exists()
