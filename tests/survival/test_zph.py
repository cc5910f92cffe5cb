"""Proportional-hazards test against R survival 3.5 cox.zph(fit) (KM transform, score test)."""
import numpy as np
import pytest

from evalexp.survival.cox import cox_ph
from evalexp.survival.zph import cox_zph

from .refdata import load_dataset

RTOL = 1e-6

CASES = [
    # (data, reference key, covariates, strata column, ties)   R: cox.zph(coxph(Surv ~ covariates [+ strata()]))
    ("veteran", "zph", ["treated"], None, "efron"),
    ("veteran", "zph_adj", ["treated", "karno", "age"], None, "efron"),
    ("veteran", "zph_strat", ["treated", "karno"], "celltype", "efron"),
    ("veteran", "zph_breslow", ["treated", "karno"], None, "breslow"),
    ("colon", "zph", ["treated"], None, "efron"),
    ("colon", "zph_strat", ["treated"], "extent", "efron"),
    ("rats", "zph", ["treated"], None, "efron"),
    ("pbc", "zph", ["treated"], None, "efron"),
    ("pbc", "zph_adj", ["treated", "age", "logbili", "albumin"], None, "efron"),
    ("ovarian", "zph", ["treated"], None, "efron"),
]


def _zph(name, terms, strata, ties):
    df = load_dataset(name)
    if name == "pbc":
        df["logbili"] = np.log(df["bili"])
    fit = cox_ph(df["time"], df["event"], df[terms], strata=None if strata is None else df[strata], ties=ties)
    return cox_zph(fit)


@pytest.mark.parametrize("name,key,terms,strata,ties", CASES)
def test_term_and_global_chisq_match_r(reference, name, key, terms, strata, ties):
    # R: cox.zph(fit)$table[, "chisq"] (terms then GLOBAL)
    z = _zph(name, terms, strata, ties)
    np.testing.assert_allclose(z.table["chisq"].to_numpy(), reference[name][key]["chisq"], rtol=RTOL)
    assert z.table.index[-1] == "GLOBAL"


@pytest.mark.parametrize("name,key,terms,strata,ties", CASES)
def test_p_values_match_r(reference, name, key, terms, strata, ties):
    # R: cox.zph(fit)$table[, "p"]
    z = _zph(name, terms, strata, ties)
    np.testing.assert_allclose(z.table["p"].to_numpy(), reference[name][key]["p"], rtol=RTOL)


def test_rejected_flag_follows_alpha():
    # veteran, ~ treated + karno + age: global p = 3.8e-4 (R), karno violates PH
    z = _zph("veteran", ["treated", "karno", "age"], None, "efron")
    assert z.rejected
    assert not cox_zph(cox_ph(*_veteran_unadjusted()), alpha=1e-4).rejected


def _veteran_unadjusted():
    df = load_dataset("veteran")
    return df["time"], df["event"], df[["treated"]]


def test_to_dict_holds_the_contract_keys_and_the_flag():
    out = _zph("rats", ["treated"], None, "efron").to_dict()
    assert {"statistic", "p_value", "rejected"} <= set(out)
    assert out["df"] == 1


def test_single_event_time_gives_an_undefined_test_not_a_crash():
    # g(t) centred over the events is 0 when all events share one time: no information on x*g
    fit = cox_ph([1, 1, 3, 4, 5, 6], [1, 1, 0, 0, 0, 0], np.array([1.0, 0, 1, 0, 1, 0]))
    z = cox_zph(fit)
    assert np.isnan(z.statistic) and z.to_dict()["statistic"] is None and not z.rejected
