"""Tests of geo.ceiling: the simulated ceiling of a rate-knowing forecast over count_3m."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geo.ceiling import _swing_shape, simulate_pai, stationary_ceiling
from geo.errors import DataError

SIDE = 30  # cells per side, 150 m each
X0, Y0 = 500_000.0, 6_500_000.0


def points_from_rates(rates, *, months=6, k=None, seed=0, weeks=None, skip=()):
    """Draw monthly counts per cell (gamma-Poisson when ``k``) and place them inside the cells.

    With ``weeks`` the rates are per ISO week, from Monday 1 January 2024 (whole weeks);
    steps in ``skip`` get no events.
    """
    rng = np.random.default_rng(seed)
    frames = []
    for m in range(weeks or months):
        if m in skip:
            continue
        lam = rates * (rng.gamma(k, 1 / k, rates.size) if k else 1.0)
        n = rng.poisson(lam)
        span = 7 if weeks else (pd.Period("2024-01", "M") + m).days_in_month  # the whole step
        cell = np.repeat(np.arange(rates.size), n)
        col, row = cell % SIDE, cell // SIDE
        frames.append(
            pd.DataFrame(
                {
                    "x": X0 + (col + rng.uniform(0.1, 0.9, cell.size)) * 150,
                    "y": Y0 + (row + rng.uniform(0.1, 0.9, cell.size)) * 150,
                    "t": (
                        pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=m)
                        if weeks
                        else (pd.Period("2024-01", "M") + m).start_time
                    )
                    + pd.to_timedelta(rng.uniform(0, span, cell.size), unit="D"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def true_ratio(rates, train_steps=3):
    """PAI ratio of knowing the true rates over counting, in the world that made the data."""
    oracle, count = simulate_pai(
        rates, float("inf"), train_steps=train_steps, coverage=0.05, simulations=200, seed=9
    )
    return oracle / count


def test_equal_rates_leave_nothing_to_know_and_the_ceiling_is_generous():
    rates = np.full(SIDE * SIDE, 2.0)
    assert true_ratio(rates) == pytest.approx(1.0, abs=0.05)
    got = stationary_ceiling(points_from_rates(rates), simulations=100)
    # six months of means make some cells look busier than they are: the ceiling errs high
    assert true_ratio(rates) - 0.03 <= got.ratio < 1.35


def test_a_few_busy_cells_are_found_by_counting_alone():
    rates = np.full(SIDE * SIDE, 0.02)
    rates[:20] = 30.0  # 2 % of the cells, 30 events a month each: three months name them
    assert true_ratio(rates) == pytest.approx(1.0, abs=0.05)
    got = stationary_ceiling(points_from_rates(rates), simulations=100)
    assert got.ratio == pytest.approx(1.0, abs=0.05)


def test_many_quiet_hot_cells_leave_counting_far_behind_the_rates():
    rates = np.full(SIDE * SIDE, 0.01)
    rates[::10] = 0.4  # 10 % of the cells, a few events a quarter: counts are noisy
    assert true_ratio(rates) > 1.1
    got = stationary_ceiling(points_from_rates(rates, months=24), simulations=100)
    assert got.ratio >= true_ratio(rates) - 0.03
    assert got.pai_oracle > got.pai_count


def test_a_month_without_events_counts_as_a_month_of_zeros():
    rates = np.full(SIDE * SIDE, 0.01)
    rates[::10] = 0.4
    full = stationary_ceiling(points_from_rates(rates, months=12), simulations=50)
    gap = stationary_ceiling(points_from_rates(rates, months=12, skip={5}), simulations=50)
    assert full.steps == gap.steps == 12  # the empty June is one of the twelve, not left out


def test_weekly_the_baseline_counts_thirteen_weeks_and_part_weeks_are_left_out():
    rates = np.full(SIDE * SIDE, 0.0025)
    rates[::10] = 0.1  # a few events a quarter in 10 % of the cells, as in the monthly test
    points = points_from_rates(rates, weeks=60)
    got = stationary_ceiling(points, step="week", simulations=100)
    assert (got.step, got.steps, got.train_steps) == ("week", 60, 13)
    assert got.ratio >= true_ratio(rates, train_steps=13) - 0.03 > 1.05
    late = points[points["t"] >= pd.Timestamp("2024-01-03")]  # begins on a Wednesday
    assert stationary_ceiling(late, step="week", simulations=10).steps == 59
    with pytest.raises(DataError, match="'month' or 'week'"):
        stationary_ceiling(points, step="day")


def test_months_the_data_cover_in_part_are_left_out():
    rates = np.full(SIDE * SIDE, 0.5)
    whole = points_from_rates(rates, months=6, seed=3)
    # three days of July (a Poisson world: the swings must stay Poisson, k = ∞ or near it)
    rng = np.random.default_rng(4)
    july = whole.sample(60, random_state=1).assign(
        t=pd.Timestamp("2024-07-01") + pd.to_timedelta(rng.uniform(0, 3, 60), unit="D")
    )
    # and a file that begins on 20 December
    december = whole.sample(80, random_state=2).assign(
        t=pd.Timestamp("2023-12-20") + pd.to_timedelta(rng.uniform(0, 12, 80), unit="D")
    )
    cut = pd.concat([december, whole, july], ignore_index=True)
    a = stationary_ceiling(whole, cell_size_m=150, simulations=50, seed=1)
    b = stationary_ceiling(cut, cell_size_m=150, simulations=50, seed=1)
    assert a.steps == b.steps == 6
    assert b.shape_k == a.shape_k


def test_the_swing_shape_is_recovered_from_the_months():
    rng = np.random.default_rng(5)
    lam = rng.uniform(2, 20, 4_000)
    k = 1.5
    counts = rng.poisson(lam * rng.gamma(k, 1 / k, (12, lam.size)))
    assert _swing_shape(counts.astype(float), counts.mean(axis=0)) == pytest.approx(k, rel=0.2)
    poisson = rng.poisson(lam, (12, lam.size)).astype(float)
    assert _swing_shape(poisson, poisson.mean(axis=0)) > 20  # no swings beyond Poisson


def test_one_month_is_not_enough():
    one = points_from_rates(np.full(SIDE * SIDE, 1.0), months=1)
    with pytest.raises(DataError, match="two months"):
        stationary_ceiling(one)


def test_the_cli_reports_the_ceiling(tmp_path):
    from click.testing import CliRunner

    from geo.cli.analysis import evaluate_command

    rates = np.full(SIDE * SIDE, 0.02)
    rates[::10] = 0.5
    path, out = tmp_path / "p.csv", tmp_path / "out.json"
    points_from_rates(rates).to_csv(path, index=False)
    args = [str(path), "--x-col", "x", "--y-col", "y", "--time-col", "t", "--crs", "EPSG:3006"]
    result = CliRunner().invoke(
        evaluate_command, [*args, "--methods", "count_3m", "--ceiling", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    ceiling = json.loads(out.read_text())["ceiling"]
    assert ceiling["months"] == 6 and ceiling["ratio_pai_5"] > 1.0
    assert "a forecast that knew every rate" in result.output
    weekly = CliRunner().invoke(
        evaluate_command, [*args, "--methods", "count_3m", "--ceiling", "--step", "week"]
    )
    assert weekly.exit_code == 0, weekly.output
    assert "swings between weeks" in weekly.output and "(13 weeks)" in weekly.output
