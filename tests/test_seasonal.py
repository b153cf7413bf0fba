"""Tests of geo.seasonal: a place's own season moves the default forecast, and only there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import forecast as fc
from geo import seasonal

CELL = 250.0
# cells 2 km apart (no smoothing between them): a bathing site, a town centre, and 60 quiet
# places (a few events a year each), whose long-run counts the forecast's weights must trust
BEACH, TOWN, QUIET = 0, 1, 60
XY = np.array(
    [[500_125.0 + 2_000.0 * (i % 8), 6_500_125.0 + 2_000.0 * (i // 8)] for i in range(62)]
)


def _history(seed: int, years: float = 2.5, end: str = "2026-11-30") -> tuple[np.ndarray, ...]:
    """Daily events: the beach only June–August (2 a day), the town all year (1 a day), the
    quiet places all year (one a month each)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(end=pd.Timestamp(end) - pd.Timedelta(days=1), periods=int(365 * years))
    summer = days.month.isin([6, 7, 8])
    rate = np.column_stack(
        [np.where(summer, 2.0, 0.0), np.ones(len(days)), np.full((len(days), QUIET), 1 / 30)]
    )
    k = rng.poisson(rate)
    where = np.concatenate([np.repeat(np.arange(rate.shape[1]), row) for row in k])
    when = np.repeat(days.to_numpy() + np.timedelta64(14, "h"), k.sum(axis=1))
    from geo.grid import cell_ids

    cells = cell_ids(XY[:, 0], XY[:, 1], cell_size_m=CELL)
    return cells[where], when, cells


def _forecast(week_monday: str, seed: int = 1) -> pd.Series:
    ev, t, cells = _history(seed)
    origin = pd.Timestamp(week_monday)
    keep = t < np.datetime64(origin)
    out = fc.predict_counts(
        ev[keep], t[keep], cells, origin=origin, horizon_days=7.0, cell_size_m=CELL
    )
    return pd.Series({"beach": out[BEACH], "town": out[TOWN], "quiet": out[2:].mean()})


def test_a_summer_place_is_forecast_by_its_season_not_by_the_months_before() -> None:
    # the kommun's bathing sites held 1.5 of December's 11 expected events a week (none had
    # happened there outside May–September): the weights that trust the quiet places'
    # long-run counts carried the beach's summer into the winter, and its spring into June
    june = _forecast("2026-06-08")  # the beach's season ahead: 14 a week, the town 7
    assert june["beach"] > 1.4 * june["town"]  # 0.96 × before
    autumn = _forecast("2026-09-28")  # a month after the beach's last event
    assert autumn["beach"] < 0.3 * autumn["town"]  # 0.39 × before
    # the quiet places keep their rate (one a month: 0.23 a week)
    assert autumn["quiet"] == pytest.approx(7 / 30, rel=0.35)


def test_the_season_is_only_counted_with_a_year_and_a_window_behind_the_origin() -> None:
    ev, t, cells = _history(2, years=1.0)
    pos = pd.Index(cells).get_indexer(ev)
    origin = pd.Timestamp("2026-11-30")
    start = pd.Timestamp(t.min())
    assert (origin - start).days < seasonal.YEAR_D + seasonal.SEASON_WINDOW_D
    assert seasonal.season_counts(pos, t, start, origin, len(cells), 7.0, lambda v: v) is None
    ev, t, cells = _history(2, years=2.0)
    pos = pd.Index(cells).get_indexer(ev)
    counts = seasonal.season_counts(
        pos, t, pd.Timestamp(t.min()), origin, len(cells), 7.0, lambda v: v
    )
    assert counts is not None
    # late November ± 4 weeks a year and two years before: no beach event; with little trust
    # the beach loses its share, with much it keeps the area's season
    assert counts.in_season[BEACH] == 0
    assert counts.factor(1.0)[BEACH] < 0.05 < 0.5 < counts.factor(1e6)[BEACH]
    # the town has its usual share in the windows, above the area's (which the beach lowers)
    assert counts.factor(1.0)[TOWN] > 1.1


def test_without_places_of_their_own_season_the_forecast_is_left_as_it_was() -> None:
    # every cell's window count is the area's share of its events: the factor is 1
    # everywhere, no trust improves the inner fit, and nothing is moved
    counts = seasonal.SeasonCounts(
        in_season=np.array([2.0, 4.0, 6.0]), expected=np.array([1.0, 2.0, 3.0]), area_factor=2.0
    )
    for shrink in seasonal.SEASON_SHRINK:
        assert np.allclose(counts.factor(shrink), 1.0)
    mu = np.array([0.5, 1.0, 1.5])
    y = np.array([1.0, 0.0, 2.0])
    assert seasonal.choose_shrink([mu], [y], [counts]) is None
    assert np.allclose(seasonal.redistribute(mu, counts.factor(3.0)), mu)


def test_the_trust_in_a_places_season_is_the_one_the_inner_origins_favour() -> None:
    # the beach's window was empty (0 of 20 expected): at the inner origins nothing happened
    # there either, so the most trust in its own season fits best
    counts = seasonal.SeasonCounts(
        in_season=np.array([0.0, 20.0]), expected=np.array([20.0, 20.0]), area_factor=0.5
    )
    mu = np.array([2.0, 2.0])
    y = np.array([0.0, 4.0])
    assert seasonal.choose_shrink([mu, mu], [y, y], [counts, counts]) == 1.0
    # a gain under the price of the parameter chosen (Akaike: a nat) is no reason to move
    # anything: it gains 2.7 nats an origin here
    assert seasonal.choose_shrink([mu], [y], [counts], min_gain=2.0) == 1.0
    assert seasonal.choose_shrink([mu], [y], [counts], min_gain=3.0) is None
    moved = seasonal.redistribute(mu, counts.factor(1.0))
    assert moved.sum() == pytest.approx(4.0) and moved[0] < 0.1
