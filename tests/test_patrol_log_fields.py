"""The patrol log's closed fields: cancel reasons and control counts, read from cell or form."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.patrol_log_fields import (
    CANCEL_REASONS,
    CONTROL_COUNTS,
    MAX_COUNT,
    FieldValueError,
    cancel_label,
    count_conflicts,
    count_sums,
    done_passes,
    parse_cancel_reason,
    parse_count,
)


@given(st.integers(0, MAX_COUNT), st.text(" \t", max_size=3), st.text(" \t", max_size=3))
def test_a_whole_number_in_range_reads_as_itself_with_spaces_around(n, before, after):
    assert parse_count(f"{before}{n}{after}") == n
    assert parse_count(n) == n


@given(st.text(" \t", max_size=3))
def test_an_empty_count_is_not_given_rather_than_zero(blank):
    assert parse_count(blank) is None
    assert parse_count(None) is None


@given(st.integers(max_value=-1) | st.integers(min_value=MAX_COUNT + 1))
def test_a_count_out_of_range_is_refused_with_the_fix(n):
    for value in (n, str(n)):
        with pytest.raises(FieldValueError) as e:
            parse_count(value)
        assert "heltal" in e.value.fix or str(MAX_COUNT) in e.value.fix


@given(st.text(max_size=8).filter(lambda t: not t.strip().isascii() or not t.strip().isdigit()))
def test_anything_but_digits_is_refused_or_empty(text):
    """'40 st', '3,5', 'fyra', '-1', '²': a number the report cannot sum is never stored."""
    if not text.strip():
        assert parse_count(text) is None
        return
    with pytest.raises(FieldValueError) as e:
        parse_count(text)
    assert e.value.value == text.strip()
    assert "skriv ett heltal" in e.value.fix


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("personalbrist", "personal"),
        ("Personal", "personal"),
        ("annat larm", "larm"),
        ("Annat larm/prioriterat ärende", "larm"),
        ("annat", "annat"),  # a reason of its own, not the start of "annat larm"
        ("väder", "vader"),
        ("VÄDER/VÄGLAG", "vader"),
        ("fordon", "fordon"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_a_cancel_reason_is_read_by_its_key_label_or_the_labels_first_words(text, key):
    assert parse_cancel_reason(text) == key


@given(st.sampled_from(sorted(CANCEL_REASONS)))
def test_every_reason_reads_back_from_its_own_label(key):
    assert parse_cancel_reason(CANCEL_REASONS[key]) == key
    assert cancel_label(key) == CANCEL_REASONS[key]


@pytest.mark.parametrize("text", ["ja", "x", "1", "inställt", "Kalle var sjuk"])
def test_a_cancel_cell_naming_no_reason_is_refused_with_the_reasons(text):
    with pytest.raises(FieldValueError) as e:
        parse_cancel_reason(text)
    assert all(label in e.value.fix for label in CANCEL_REASONS.values())


def test_a_frame_without_the_new_columns_has_every_pass_done_and_no_counts():
    """Logs made before (and frames built by hand) read as they did."""
    log = pd.DataFrame({"minutes": [30.0, 45.0]})
    assert done_passes(log).equals(log)
    assert count_sums(log) == dict.fromkeys(CONTROL_COUNTS)  # not given, not 0


def test_counts_sum_with_empty_cells_as_zero_and_cancelled_rows_drop():
    log = pd.DataFrame(
        {
            "cancelled": ["", "personal", None],
            "checked": [40, float("nan"), 12],
            "breath_tests": [40, None, float("nan")],
        }
    )
    assert list(done_passes(log).index) == [0, 2]
    sums = count_sums(log)
    assert (sums["checked"], sums["breath_tests"], sums["fines"]) == (52, 40, None)


#: A pass's counts as the row checker reads them: each a whole number in range, or not given.
pass_counts = st.fixed_dictionaries(
    {field: st.none() | st.integers(0, MAX_COUNT) for field in CONTROL_COUNTS}
)


@given(pass_counts)
def test_only_more_breath_tests_than_drivers_checked_is_a_conflict(counts):
    """Blåsta ≤ kontrollerade; rattfylleri, böter and rapporter may exceed any other count."""
    blown, checked = counts["breath_tests"], counts["checked"]
    broken = blown is not None and checked is not None and blown > checked
    reasons = [bound.reason for bound in count_conflicts(counts)]
    assert reasons == (["fler blåsta än kontrollerade"] if broken else [])


@given(pass_counts, st.sampled_from(sorted(CONTROL_COUNTS)))
def test_a_count_not_given_conflicts_with_nothing(counts, field):
    """Empty is "not counted": 40 blåsta with kontrollerade empty is stored, and vice versa."""
    assert all(field not in bound.fields for bound in count_conflicts({**counts, field: None}))
    del counts[field]  # a frame or a form without the field
    assert all(field not in bound.fields for bound in count_conflicts(counts))


@pytest.mark.parametrize(
    "counts",
    [
        # drug driving is suspected without a breath test
        {"checked": 30, "breath_tests": 0, "dui_suspected": 2},
        # a driver and two passengers without seat belts: three fines, one vehicle
        {"checked": 1, "fines": 3},
        # one driver reported for drug driving, driving without a licence and drugs
        {"checked": 1, "breath_tests": 1, "dui_suspected": 1, "reports": 3},
        {"checked": 40, "breath_tests": 40},  # everyone blew
    ],
)
def test_true_passes_are_no_conflict(counts):
    assert count_conflicts(counts) == []
