"""One missing-value policy for strata and clusters (evalexp.grouping, issue 19): every analysis
puts the participants without a label in one level, "(missing)", as the primary analysis does."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalexp.cohort import Cohort, derive_survival
from evalexp.competing.competing_risks import analyze_competing
from evalexp.grouping import MISSING_LABEL, group_labels
from evalexp.integrity.compliance import complier_effects
from evalexp.integrity.outcomes import binary_outcomes, cluster_labels
from evalexp.plan import plan_from_dict
from evalexp.simulate import simulate


def test_group_labels_are_text_with_one_missing_level():
    values = pd.Series(["ML01", None, "ML02", np.nan, 3], dtype=object)
    assert group_labels(values).tolist() == ["ML01", MISSING_LABEL, "ML02", MISSING_LABEL, "3"]
    assert MISSING_LABEL == "(missing)"


def test_the_outcome_models_group_the_unlabelled_in_one_cluster():
    data = pd.DataFrame({"site": ["a", None, "b", None, np.nan]})
    assert cluster_labels(data, "site").tolist() == ["a", MISSING_LABEL, "b", MISSING_LABEL, MISSING_LABEL]


@pytest.fixture(scope="module")
def trial() -> tuple[Cohort, Cohort]:
    """A simulated trial with 8 sites, and the same with 20 site labels blanked."""
    data = derive_survival(simulate(n=300, seed=1).data)
    blank = data.copy()
    blank["site"] = blank["site"].astype(object)
    blank.loc[blank.index[::15], "site"] = np.nan
    labelled = blank.assign(site=blank["site"].where(blank["site"].notna(), "written as missing"))
    return Cohort(blank), Cohort(labelled)


PLAN = plan_from_dict({"title": "t", "survival": {"horizon_days": 365, "cluster": "site", "strata": "stratum",
                                                   "causes": "rupture_initiative"},
                       "outcomes": {"binary": ["employed_6m"]}})


def test_binary_outcomes_count_the_unlabelled_as_one_cluster(trial):
    blank, labelled = (binary_outcomes(cohort, PLAN).outcomes[0] for cohort in trial)
    assert blank.small_sample.clusters == labelled.small_sample.clusters == 9  # 8 sites + "(missing)"
    assert blank.cluster_robust.se == pytest.approx(labelled.cluster_robust.se, rel=1e-12)


def test_compliance_and_competing_risks_follow_the_same_policy(trial):
    blank, labelled = (complier_effects(cohort, PLAN).to_dict() for cohort in trial)
    assert blank == labelled
    blank, labelled = (analyze_competing(cohort, PLAN).to_dict() for cohort in trial)
    assert blank == labelled
