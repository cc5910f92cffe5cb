"""Level order and reference level of categorical covariates, against R's factor() and coxph().

tests/reference/levels/reference.json comes from tests/reference/levels/make_reference.R
(R 4.2.2, survival 3.5-3, ICU collation): ``levels(factor(x))`` of character vectors of mixed
case and accents, and ``coxph(Surv(time_days, event) ~ treated + age + female + diploma +
sector + strata(stratum), ties = "efron")`` on the demo cohort with diploma and sector
relabelled in French (RELABEL), with R's default reference levels and with
``relevel(diploma, ref = "sans diplôme")``.
"""
import json

import numpy as np
import pandas as pd
import pytest
from _foundation import DEMO, KEY, ROOT

from evalexp.errors import PlanError, UnknownLevelError
from evalexp.levels import level_order
from evalexp.load import load_frame
from evalexp.plan import plan_from_dict
from evalexp.survival.cox import cox_ph
from evalexp.survival.design import design_matrix

REFERENCE = json.loads((ROOT / "tests" / "reference" / "levels" / "reference.json").read_text(encoding="utf-8"))
RELABEL = {"diploma": {"none": "sans diplôme", "CAP-BEP": "CAP-BEP", "bac": "bac", "bac+2": "supérieur"},
           "sector": {"trade": "Commerce", "services": "services", "hospitality": "hôtellerie",
                      "construction": "BTP", "industry": "Industrie"}}
COVARIATES = ["age", "female", "diploma", "sector"]
#: Coefficients and SEs agree with R within (absolute); both are Newton-Raphson fits to convergence.
TOL = 1e-6


def _plan(**extra):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": 365, "covariates": COVARIATES,
                                                      "strata": "stratum"}, **extra}, source="plan.toml")


@pytest.fixture(scope="module")
def french_demo():
    frame = pd.read_csv(DEMO, dtype={"participant_id": str})
    for column, labels in RELABEL.items():
        frame[column] = frame[column].map(labels)
    return frame


def _fit(frame, plan):
    data = load_frame(frame, plan, key=KEY).data
    X = design_matrix(data, ["treated", *COVARIATES], plan.reference)
    return cox_ph(data["time_days"].to_numpy(float), data["event"].to_numpy(), X,
                  strata=data["stratum"].to_numpy(), ties="efron")


def _r_name(name):
    """R's ``diplomaCAP-BEP`` as design_matrix's ``diploma[CAP-BEP]``."""
    for column in ("diploma", "sector"):
        if name.startswith(column):
            return f"{column}[{name[len(column):]}]"
    return name


@pytest.mark.parametrize("name", ["diploma", "sector", "words"])
def test_level_order_is_r_factor_order(name, french_demo):
    levels = REFERENCE["levels"][name]
    values = french_demo[name] if name != "words" else pd.Series(levels[::-1])
    assert level_order(values) == levels


@pytest.mark.parametrize("model, extra", [("cox_default", {}),
                                          ("cox_reference", {"reference": {"diploma": "sans diplôme"}})])
def test_cox_coefficients_of_categorical_covariates_match_r(model, extra, french_demo):
    fit = _fit(french_demo, _plan(**extra))
    expected = REFERENCE[model]
    assert list(fit.terms) == [_r_name(n) for n in expected["names"]]
    np.testing.assert_allclose(fit.params_.to_numpy(), expected["coef"], rtol=0, atol=TOL)
    np.testing.assert_allclose(fit.se_.to_numpy(), expected["se"], rtol=0, atol=TOL)


def test_the_reference_level_leaves_the_treatment_estimate_unchanged(french_demo):
    """The same model under another coding: R's two fits agree on treated to 1e-15, ours to 1e-10."""
    default = _fit(french_demo, _plan())
    other = _fit(french_demo, _plan(reference={"diploma": "supérieur", "sector": "services"}))
    assert other.terms[3:6] == ("diploma[bac]", "diploma[CAP-BEP]", "diploma[sans diplôme]")
    assert other.params_["treated"] == pytest.approx(default.params_["treated"], abs=1e-10)
    assert other.se_["treated"] == pytest.approx(default.se_["treated"], abs=1e-10)


def test_a_reference_level_absent_from_the_data_is_refused(french_demo):
    with pytest.raises(UnknownLevelError) as info:
        load_frame(french_demo, _plan(reference={"diploma": "aucun"}), source="export.csv", key=KEY)
    assert str(info.value) == ("export.csv: column 'diploma': the plan's [reference] level 'aucun' is not among the "
                               "column's values ('bac', 'CAP-BEP', 'sans diplôme', 'supérieur')")


def test_a_reference_level_for_a_numeric_column_is_refused(french_demo):
    with pytest.raises(UnknownLevelError) as info:
        load_frame(french_demo, _plan(reference={"age": "18"}), source="export.csv", key=KEY)
    assert str(info.value) == ("export.csv: column 'age': the plan's [reference] gives the level '18', but the column "
                               "is numeric: a reference level applies to a categorical (text) covariate")


@pytest.mark.parametrize("reference, message", [
    ({"qpv": "1"}, ("[reference] 'qpv' is not a covariate of the plan ([survival] covariates, [outcomes] adjust, "
                   "[integrity] balance or subgroups: age, diploma, female, sector)")),
    ({"diploma": ""}, "[reference] 'diploma' must be a level (a non-empty text), got ''"),
    ({"diploma": 1}, "[reference] 'diploma' must be a level (a non-empty text), got 1"),
])
def test_bad_reference_tables_are_refused_at_plan_load(reference, message):
    with pytest.raises(PlanError) as info:
        _plan(reference=reference)
    assert str(info.value) == f"plan.toml: {message}"


def test_reference_named_by_a_subgroup_or_balance_column_is_accepted():
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 30}, "integrity": {"subgroups": ["sector"]},
                           "reference": {"sector": "BTP"}})
    assert plan.reference == {"sector": "BTP"}


def test_balance_and_subgroup_levels_follow_the_same_order(french_demo):
    from evalexp.integrity.balance import baseline_balance
    from evalexp.integrity.subgroups import subgroup_effects

    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365, "covariates": ["diploma"]},
                           "integrity": {"subgroups": ["sector"]}})
    cohort = load_frame(french_demo, plan, key=KEY)
    table = baseline_balance(cohort, plan).table
    assert table["level"].tolist() == REFERENCE["levels"]["diploma"]
    levels = [level.level for level in subgroup_effects(cohort, plan).levels]
    assert levels == REFERENCE["levels"]["sector"]
