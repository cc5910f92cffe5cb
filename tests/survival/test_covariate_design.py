"""covariate_design: the covariate-adjusted analysis's NumPy design equals design_matrix's (issue 15)."""
import numpy as np
import pandas as pd
import pytest

from evalexp.survival.covariate_design import covariate_design
from evalexp.survival.design import design_matrix


def _frames() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(15)
    n = 400
    frame = pd.DataFrame({
        "age": rng.normal(30, 5, n),
        "female": rng.integers(0, 2, n).astype(np.int8),
        "diploma": rng.choice(["none", "CAP-BEP", "bac", "bac+2"], n).astype(object),
        "size": pd.Categorical(rng.choice(["small", "mid", "large"], n), categories=["large", "mid", "small"],
                               ordered=True),
        "region": pd.Categorical(rng.choice(["b", "a", "c"], n)),
        "qpv": rng.random(n) < 0.3,
        "count": pd.array(rng.integers(0, 5, n), dtype="Int64"),
    }, index=rng.permutation(n) + 1000)
    gaps = frame.copy()
    gaps.loc[gaps.index[rng.random(n) < 0.1], "age"] = np.nan
    gaps.loc[gaps.index[rng.random(n) < 0.1], "diploma"] = None
    gaps.loc[gaps.index[rng.random(n) < 0.1], "count"] = pd.NA
    # "c" only on rows another covariate drops: design_matrix does not make it a level
    gaps.loc[gaps["age"].isna(), "region"] = "c"
    gaps.loc[gaps["age"].notna() & (gaps["region"] == "c"), "region"] = "a"
    gaps["region"] = pd.Categorical(gaps["region"])
    return {"complete": frame, "with_missing": gaps}


@pytest.mark.parametrize("name", ["complete", "with_missing"])
def test_it_equals_design_matrix_column_for_column(name):
    frame = _frames()[name]
    terms = list(frame.columns)
    expected = design_matrix(frame, terms)
    got = covariate_design(frame, terms)
    assert got.names == tuple(expected.columns)
    np.testing.assert_array_equal(got.x, expected.to_numpy(dtype=float))
    assert got.n_dropped == expected.attrs["n_dropped"]
    positions = frame.index.get_indexer(expected.index)
    if got.rows is None:
        np.testing.assert_array_equal(positions, np.arange(len(frame)))
    else:
        np.testing.assert_array_equal(got.rows, positions)


def test_missing_rows_are_dropped_and_a_level_seen_only_on_them_gets_no_dummy():
    got = covariate_design(_frames()["with_missing"], ["age", "region"])
    assert got.n_dropped > 0
    assert got.names == ("age", "region[b]")


def test_every_row_complete_gives_no_positions_and_the_matrix_is_column_major():
    frame = _frames()["complete"]
    got = covariate_design(frame, ["age", "diploma"])
    assert got.rows is None and got.n_dropped == 0
    assert got.x.flags["F_CONTIGUOUS"]
    # three dummies, in design_matrix's level order (evalexp.levels)
    assert got.names == tuple(design_matrix(frame, ["age", "diploma"]).columns) and len(got.names) == 4


def test_a_single_level_gives_no_column_and_an_unknown_column_is_refused():
    frame = pd.DataFrame({"age": [20.0, 30.0], "site": ["a", "a"]})
    assert covariate_design(frame, ["age", "site"]).names == ("age",)
    with pytest.raises(KeyError, match=r"columns not in the data: \['sex'\]"):
        covariate_design(frame, ["sex"])
