"""Disclosure control: primary and secondary suppression, derived figures, truncated curves."""
import numpy as np
import pandas as pd

from evalexp.report.disclosure import (collapse_small_categories, find_identifiers, primary_mask, share_hidden,
                                       suppression_mask, truncate_at_risk)


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


def test_share_is_hidden_with_its_numerator_denominator_or_complement():
    assert share_hidden(5, 75, 11)
    assert share_hidden(70, 75, 11)       # 75 - 70 = 5 people are revealed
    assert share_hidden(5, 8, 11)
    assert not share_hidden(30, 75, 11)


def test_curve_is_cut_where_the_number_at_risk_falls_below_threshold():
    table = pd.DataFrame({"time": [1, 5, 9, 12], "n_risk": [30, 15, 10, 12]})
    assert truncate_at_risk(table, 11)["time"].tolist() == [1, 5]


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
