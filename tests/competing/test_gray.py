"""Gray's test against R cmprsk::cuminc(...)$Tests, unstratified and stratified."""
from __future__ import annotations

import numpy as np
import pytest

from evalexp.competing.gray import gray_test
from evalexp.errors import AnalysisError

from .refdata import dataset, reference

CASES = [(name, cause) for name in ("pbc", "mgus2", "tiny") for cause in (1, 2)]


@pytest.mark.parametrize("name,cause", CASES)
def test_matches_cuminc(name, cause):
    # R: cuminc(time, status, group)$Tests[cause, c("stat", "pv")]
    d = dataset(name)
    ref = reference()[name][f"cause_{cause}"]["gray"]
    result = gray_test(d["time"], d["status"], d["group"], cause=cause)
    assert result.statistic == pytest.approx(ref["statistic"], rel=1e-6)
    assert result.p_value == pytest.approx(ref["p_value"], rel=1e-6)
    assert result.df == 1 and not result.stratified


@pytest.mark.parametrize("name,cause", CASES)
def test_stratified_matches_cuminc(name, cause):
    # R: cuminc(time, status, group, strata = strata)$Tests[cause, c("stat", "pv")]
    d = dataset(name)
    ref = reference()[name][f"cause_{cause}"]["gray_strata"]
    result = gray_test(d["time"], d["status"], d["group"], cause=cause, strata=d["strata"])
    assert result.statistic == pytest.approx(ref["statistic"], rel=1e-6)
    assert result.p_value == pytest.approx(ref["p_value"], rel=1e-6)
    assert result.stratified


def test_group_labels_do_not_matter():
    d = dataset("mgus2")
    a = gray_test(d["time"], d["status"], d["group"], cause=2)
    b = gray_test(d["time"], d["status"], np.where(d["group"] == 1, "female", "male"), cause=2)
    assert a.statistic == pytest.approx(b.statistic, rel=1e-12)


def test_no_failure_of_the_cause_gives_nan():
    # cmprsk reports -1 for a singular variance; here NaN, so JSON null
    result = gray_test([1, 2, 3, 4], [2, 0, 2, 0], [0, 0, 1, 1], cause=1)
    assert np.isnan(result.statistic) and result.to_dict()["statistic"] is None


def test_one_group_is_refused():
    with pytest.raises(AnalysisError, match="two groups"):
        gray_test([1, 2, 3], [1, 0, 2], [0, 0, 0])


def test_to_dict_has_contract_keys():
    d = dataset("tiny")
    assert set(gray_test(d["time"], d["status"], d["group"]).to_dict()) >= {"statistic", "p_value"}


@pytest.mark.parametrize("name,cause", CASES)
def test_weight_exponent_rho_matches_cuminc(name, cause):
    # R: cuminc(time, status, group, strata = strata, rho = 1)$Tests
    d = dataset(name)
    ref = reference()[name][f"cause_{cause}"]["gray_strata_rho1"]
    result = gray_test(d["time"], d["status"], d["group"], cause=cause, strata=d["strata"], rho=1.0)
    assert result.statistic == pytest.approx(ref["statistic"], rel=1e-6)
    assert result.p_value == pytest.approx(ref["p_value"], rel=1e-6)


def test_missing_group_or_stratum_label_is_refused():
    # a missing label must not be scored in some group or silently left out
    with pytest.raises(AnalysisError, match="group has missing"):
        gray_test([1, 2, 3, 4, 5], [1, 1, 0, 1, 2], [0, 1, np.nan, 0, 1])
    with pytest.raises(AnalysisError, match="strata has missing"):
        gray_test([1, 2, 3, 4, 5], [1, 1, 0, 1, 2], [0, 1, 1, 0, 1], strata=[1, 1, None, 2, 2])
