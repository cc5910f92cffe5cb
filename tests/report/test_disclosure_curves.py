"""The publishable cumulative-incidence curves carry each single cause's confidence interval at the
published days only; groups of merged causes come last and carry none."""
import numpy as np
import pandas as pd
import pytest

from evalexp.competing.cif import cumulative_incidence
from evalexp.disclosure.curves import cif_bands, cif_curves


@pytest.fixture
def causes():
    rng = np.random.default_rng(3)
    time = rng.exponential(300, 200).round() + 1
    status = rng.choice(["apprentice", "employer", "mutual", "none"], 200, p=(0.3, 0.3, 0.1, 0.3))
    tables = {(c, "treatment"): cumulative_incidence(time, status, c, cencode="none").table
              for c in ("apprentice", "employer", "mutual")}
    steps = pd.concat([t.assign(cause=c, arm=arm)[["cause", "arm", "time", "cif"]] for (c, arm), t in tables.items()])
    return tables, steps


def test_single_cause_groups_carry_cumincs_interval_at_the_published_days(causes):
    tables, steps = causes
    groups = {"apprentice": "other", "employer": "employer", "mutual": "other"}
    days = np.array([60.0, 150.0, 300.0])
    out = cif_curves(steps, groups, {"treatment": days}, tables)
    assert list(dict.fromkeys(out["group"])) == ["employer", "other"]          # merged group last
    employer = out[out["group"] == "employer"]
    assert employer["time"].tolist() == [0.0, 60.0, 150.0, 300.0]
    exact = tables[("employer", "treatment")]
    pos = np.searchsorted(exact["time"], days, side="right") - 1
    assert employer["ci_low"].tolist()[1:] == pytest.approx(exact["ci_low"].to_numpy()[pos])
    assert employer["ci_high"].tolist()[1:] == pytest.approx(exact["ci_high"].to_numpy()[pos])
    assert employer["ci_low"].iloc[0] == 0 and employer["ci_high"].iloc[0] == 0
    assert out.loc[out["group"] == "other", ["ci_low", "ci_high"]].isna().all().all()


def test_without_tables_no_interval_is_published(causes):
    _, steps = causes
    out = cif_curves(steps, {"employer": "employer", "apprentice": "apprentice", "mutual": "mutual"},
                     {"treatment": np.array([90.0])})
    assert out[["ci_low", "ci_high"]].isna().all().all()
    low, high = cif_bands({}, "employer", "treatment", np.array([0.0, 90.0]))
    assert np.isnan(low).all() and np.isnan(high).all()
