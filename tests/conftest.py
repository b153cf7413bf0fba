"""Shared pytest fixtures: a headless Debian Chromium with every http(s) request blocked.

Hypothesis examples run without a time limit: speed goals live in ``bench/``, and a 200 ms
deadline failed a date test on a loaded 2-core machine.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from geo.report._pdf import CHROMIUM_ARGS as _PDF_CHROMIUM_ARGS

settings.register_profile("no_deadline", deadline=None)
settings.load_profile("no_deadline")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = list(_PDF_CHROMIUM_ARGS)
ARTIFACTS = Path(__file__).parent / "artifacts"


def _store_state(path: Path) -> tuple[int, int] | None:
    return (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None


@pytest.fixture(scope="session", autouse=True)
def _checkout_store_untouched() -> Iterator[None]:
    """Fail the run when a test wrote to the checkout's own store (``data/lagesbild.gpkg``).

    Tests make their stores under ``tmp_path``; one that left out a ``store_path`` saved its
    made-up plan into the user's store, where ``geo plan`` read it as last week's plan.
    """
    from geo import settings as geo_settings

    path = Path(geo_settings.store_path)
    before = _store_state(path)
    yield
    after = _store_state(path)
    assert after == before, f"a test wrote to {path}; give it a store under tmp_path"


#: The moment the tests plan their weeks at (a Thursday before 2026-W49 and W50, the weeks
#: they plan by name, and after the synthetic data's November).
PLANNED_AT = "2026-11-26 12:00"


@pytest.fixture(scope="session", autouse=True)
def _weeks_planned_before_they_begin() -> Iterator[None]:
    """Plan every week as before it begins, whatever day the tests run on.

    A week planned after it began is planned in the hours ahead only
    (:func:`geo.patrol.replan_not_before`, read from the clock): run late on the Sunday of
    2026-W49, the tests that plan W49 by name would find no hours left. The tests of that
    rule give their own time.
    """
    import pandas as pd

    from geo import weeks

    def planned_at(now: object = None) -> pd.Timestamp:
        return weeks.local_now(now if now is not None else pd.Timestamp(PLANNED_AT))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("geo.patrol.stored.local_now", planned_at)
        yield


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Launch Debian's Chromium once per session through Playwright (never a downloaded browser)."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"{CHROMIUM} is missing; install it with `apt-get install chromium` (make does this)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def offline_page(browser):
    """Yield a page whose http(s) requests are all aborted; ``page.blocked`` lists their URLs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    blocked: list[str] = []

    def block(route):
        url = route.request.url
        if url.startswith(("http://", "https://")):
            blocked.append(url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", block)
    page.blocked = blocked
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Return ``tests/artifacts`` (git-ignored), created, for screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
