"""design_matrix: numeric as is, categorical as treatment dummies (first sorted level = reference)."""
import numpy as np
import pandas as pd

from evalexp.survival.design import design_matrix


def test_numeric_columns_pass_through_as_float():
    df = pd.DataFrame({"age": [20, 21, 19]})
    out = design_matrix(df, ["age"])
    assert out["age"].tolist() == [20.0, 21.0, 19.0]
    assert out["age"].dtype == float


def test_string_column_gets_dummies_with_first_sorted_level_as_reference():
    df = pd.DataFrame({"site": ["b", "a", "c", "a"]})
    out = design_matrix(df, ["site"])
    assert out.columns.tolist() == ["site[b]", "site[c]"]
    assert out["site[b]"].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_boolean_column_becomes_zero_one_under_its_name():
    out = design_matrix(pd.DataFrame({"female": [True, False]}), ["female"])
    assert out["female"].tolist() == [1.0, 0.0]


def test_incomplete_rows_are_dropped_and_counted():
    df = pd.DataFrame({"age": [20, np.nan, 19, 30], "site": ["a", "b", None, "b"]}, index=[10, 11, 12, 13])
    out = design_matrix(df, ["age", "site"])
    assert out.index.tolist() == [10, 13]
    assert out.attrs["n_dropped"] == 2


def test_categorical_dtype_keeps_its_category_order_when_ordered():
    col = pd.Categorical(["low", "high", "mid"], categories=["low", "mid", "high"], ordered=True)
    out = design_matrix(pd.DataFrame({"level": col}), ["level"])
    assert out.columns.tolist() == ["level[mid]", "level[high]"]
