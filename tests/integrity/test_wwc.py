"""Per-outcome WWC judgement on a trial with differential attrition, against hand-computed values."""
import math

import numpy as np
import pandas as pd
import pytest

from evalexp.integrity.outcomes import binary_outcomes
from evalexp.integrity.wwc import outcome_wwc, with_wwc

OMEGA_62 = 1 - 3 / (4 * 62 - 9)  # analysed sample: 36 treated + 26 control


def _trial() -> tuple[pd.DataFrame, np.ndarray]:
    """40 v 40; outcome missing for 4 treated (2 women) and 14 controls (6 women, all aged 30).

    Analysed: treated 18 women of 36, controls 14 of 26; ages alternate 20/22 in both analysed
    arms. Everyone randomised: 20 women per arm (Cox index 0).
    """
    rows = []
    for arm, missing_women, missing_men in (("treatment", 2, 2), ("control", 6, 8)):
        for i in range(40):
            woman = i < 20
            missing = (woman and i < missing_women) or (not woman and i - 20 < missing_men)
            age = 30.0 if missing and arm == "control" else (20.0 if i % 2 else 22.0)
            rows.append({"arm": arm, "female": int(woman), "age": age, "y": np.nan if missing else float(i % 3 == 0)})
    data = pd.DataFrame(rows)
    return data, data["y"].notna().to_numpy()


def test_attrition_of_the_outcome_is_high():
    data, seen = _trial()
    judged = outcome_wwc(data, "y", seen, ["female"], [], "cautious")
    assert judged.n_analysed == {"treatment": 36, "control": 26}
    assert judged.overall == pytest.approx(18 / 80)
    assert judged.differential == pytest.approx(10 / 40)
    assert judged.max_differential == 5.1  # cautious boundary, overall 22.5 % -> row 23
    assert judged.attrition_rating == "high"


def test_equivalence_is_judged_on_the_analysed_sample():
    data, seen = _trial()
    judged = outcome_wwc(data, "y", seen, ["female", "age"], [], "cautious")
    rows = judged.equivalence.set_index("covariate")
    cox = OMEGA_62 * (math.log(18 / 18) - math.log(14 / 12)) / 1.65  # = -0.09225
    assert rows.loc["female", "std_difference"] == pytest.approx(cox, abs=1e-12)
    assert rows.loc["female", "judgement"] == "not_adjusted"
    # ages 20/22 alternate in both analysed arms: g = omega * (21 - 21) / s_pooled = 0
    assert rows.loc["age", "std_difference"] == pytest.approx(0.0, abs=1e-12)
    assert rows.loc["age", "judgement"] == "satisfied"
    assert judged.rating == "does_not_meet"
    assert judged.reasons == ("high_attrition", "not_adjusted_for:female")


def test_adjusting_for_the_covariate_gives_reservations():
    data, seen = _trial()
    judged = outcome_wwc(data, "y", seen, ["female", "age"], ["female"], "cautious")
    assert judged.rating == "meets_with_reservations"
    assert judged.reasons == ("high_attrition", "adjusted_for:female")
    assert judged.to_dict()["baseline_equivalence"]["status"] == "adjusted"


def test_everyone_randomised_would_have_satisfied_female_but_not_age():
    data, _ = _trial()
    judged = outcome_wwc(data, "y", np.ones(len(data), bool), ["female", "age"], [], "cautious")
    rows = judged.equivalence.set_index("covariate")
    assert rows.loc["female", "std_difference"] == pytest.approx(0.0, abs=1e-12)
    assert rows.loc["age", "judgement"] == "fails"
    assert judged.rating == "meets"  # no attrition at all
    assert judged.reasons == ("low_attrition", "exceeds_025:age")


def test_high_attrition_without_baseline_measure_does_not_meet():
    data, seen = _trial()
    judged = outcome_wwc(data, "y", seen, [], [], "cautious")
    assert judged.rating == "does_not_meet"
    assert judged.reasons == ("high_attrition", "no_baseline_measure")


def test_demo_outcomes_carry_their_own_judgement_and_adjustment(demo):
    result = with_wwc(binary_outcomes(demo.cohort, demo.plan), demo.cohort, demo.plan)
    out = result.to_dict()
    for name in demo.plan.outcomes.binary:
        entry = out[name]
        assert entry["adjusted"] == list(demo.plan.adjust_covariates)
        assert set(entry["wwc"]) >= {"attrition", "baseline_equivalence", "rating", "reasons"}
        seen = demo.data[name].notna()
        assert sum(entry["wwc"]["attrition"]["n_analysed"].values()) == int(seen.sum())
        first = entry["wwc"]["baseline_equivalence"]["covariates"][0]
        assert first["n"]["treatment"] + first["n"]["control"] <= int(seen.sum())
