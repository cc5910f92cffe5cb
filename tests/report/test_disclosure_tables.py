"""Disclosure control: primary and secondary suppression, parts of a whole, coarsened curves."""
import numpy as np
import pandas as pd

from evalexp.disclosure.counts import small_missing, small_part
from evalexp.disclosure.curves import km_times, publishable_times, round_at_risk
from evalexp.disclosure.tables import collapse_small_categories, find_identifiers, primary_mask, suppression_mask


def _recoverable(counts: np.ndarray, mask: np.ndarray) -> bool:
    """Whether some hidden cell is the only hidden cell of its row or column (then totals reveal it)."""
    rows = (mask.sum(axis=1) == 1) & (mask.shape[1] > 1)
    cols = (mask.sum(axis=0) == 1) & (mask.shape[0] > 1)
    return bool(rows.any() or cols.any())


def test_counts_below_threshold_are_hidden_zero_included():
    assert primary_mask(np.array([0, 5, 10, 11, 40]), 11).tolist() == [True, True, True, False, False]


def test_a_single_hidden_cell_in_a_row_hides_the_smallest_other_cell():
    mask = suppression_mask(np.array([[5, 30, 20]]), 11)
    assert mask.tolist() == [[True, False, True]]


def test_secondary_suppression_reaches_a_fixed_point_in_two_dimensions():
    counts = np.array([[4, 30, 25], [40, 35, 50], [60, 12, 45]])
    # by hand: 4 is hidden; row 1 hides 25, column 1 hides 40, column 3 hides 45; then row 2
    # hides 35 and row 3 hides 12; every row and column now has two hidden cells.
    expected = [[True, False, True], [True, True, False], [False, True, True]]
    assert suppression_mask(counts, 11).tolist() == expected


def test_nothing_is_hidden_when_every_count_reaches_the_threshold():
    assert not suppression_mask(np.array([[11, 12], [30, 40]]), 11).any()


def test_secondary_suppression_on_random_tables_never_leaves_a_lone_hidden_cell():
    rng = np.random.default_rng(3)
    for _ in range(200):
        counts = rng.integers(0, 40, size=(rng.integers(2, 6), rng.integers(2, 6)))
        mask = suppression_mask(counts, 11)
        assert (mask >= (counts < 11)).all()
        assert not _recoverable(counts, mask)


def test_part_is_hidden_with_its_own_count_or_its_complement():
    assert small_part(5, 75, 11)
    assert small_part(70, 75, 11)       # 75 - 70 = 5 people are revealed
    assert small_part(5, 8, 11)
    assert not small_part(30, 75, 11)


def test_missing_counts_zero_is_published_one_to_ten_and_a_small_observed_rest_are_not():
    assert not small_missing(0, 75, 11)
    assert small_missing(1, 75, 11) and small_missing(10, 75, 11)
    assert not small_missing(11, 75, 11)
    assert small_missing(145, 150, 11)  # 5 observed out of 150


def test_numbers_at_risk_are_rounded_up_to_five_and_hidden_below_the_threshold():
    assert [round_at_risk(c, 11) for c in (10, 11, 12, 15, 16, 75)] == [None, 15, 15, 15, 20, 75]


def test_published_days_are_each_threshold_events_after_the_previous_one():
    times = np.array([10.0, 20, 40, 70, 100, 200])
    counts = np.array([6, 6, 3, 8, 2, 11])
    # 12 by day 30; 11 more by 90 (3 + 8); 2 by 120: skipped; 13 by 210
    assert publishable_times(times, counts, np.arange(30, 240, 30), 11).tolist() == [30, 90, 210]
    # the horizon (120) has priority: 90 is dropped since only 2 events separate it from 120
    assert publishable_times(times, counts, np.arange(30, 240, 30), 11, priority=120).tolist() == [30, 120, 210]


def test_curve_days_stop_before_the_number_at_risk_falls_below_threshold():
    table = pd.DataFrame({"time": [10.0, 50, 100, 130], "n_risk": [40, 28, 15, 10], "n_event": [12, 12, 2, 1]})
    # the curve stops at the last grid day before 130 (120); landmark 90 first, then grid days
    assert km_times(table, 11, landmarks=(90,), horizon=90).tolist() == [30, 90]


def test_identifiers_found_in_text_as_whole_tokens():
    assert find_identifiers("row ps_abc, and ps_def", ["ps_abc", "ps_zzz"]) == ["ps_abc"]
    assert find_identifiers("<td>P000012</td>", ["P000012", "P00001"]) == ["P000012"]


def test_small_categories_merge_until_the_group_reaches_the_threshold():
    counts = pd.DataFrame({"treatment": [30, 4, 9, 20], "control": [25, 6, 12, 40]},
                          index=["employer", "mutual", "trial", "apprentice"])
    # mutual (4) is small; mutual + trial = 13 and 18 reach 11 in both arms; the others stay
    assert collapse_small_categories(counts, 11, "other") == {
        "employer": "employer", "mutual": "other", "trial": "other", "apprentice": "apprentice"}


def test_categories_all_large_are_kept_and_all_small_are_merged():
    large = pd.DataFrame({"t": [11, 20], "c": [30, 12]}, index=["a", "b"])
    assert collapse_small_categories(large, 11, "other") == {"a": "a", "b": "b"}
    small = pd.DataFrame({"t": [2, 3, 4], "c": [1, 2, 3]}, index=["a", "b", "c"])
    assert set(collapse_small_categories(small, 11, "other").values()) == {"other"}
