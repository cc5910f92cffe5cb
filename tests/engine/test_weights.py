"""Frequency weights: each estimator on collapsed rows with counts equals it on the expanded rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalexp.competing.cif import cumulative_incidence
from evalexp.competing.gray import gray_test
from evalexp.survival._utils import as_weight_array
from evalexp.survival.cox import cox_ph
from evalexp.survival.km import kaplan_meier
from evalexp.survival.logrank import logrank_test
from evalexp.survival.zph import cox_zph


@pytest.fixture(scope="module")
def data():
    """600 rows on few distinct values (heavy ties), collapsed to their distinct rows with counts."""
    rng = np.random.default_rng(17)
    n = 600
    frame = pd.DataFrame({"time": rng.integers(1, 40, n) / 4.0,  # not whole days: the np.unique path
                          "status": rng.choice([0, 1, 2], n, p=[0.4, 0.4, 0.2]),
                          "treated": rng.integers(0, 2, n), "x": rng.integers(0, 3, n),
                          "stratum": rng.integers(0, 3, n), "cluster": rng.integers(0, 12, n)})
    frame["event"] = (frame["status"] > 0).astype(int)
    counts = frame.groupby(list(frame.columns)).size().rename("n").reset_index()
    assert len(counts) < len(frame)
    return frame, counts


def test_km_and_logrank(data):
    full, cells = data
    expanded = kaplan_meier(full["time"], full["event"])
    weighted = kaplan_meier(cells["time"], cells["event"], weights=cells["n"])
    for name in ("time", "n_risk", "n_event", "surv", "greenwood"):
        np.testing.assert_allclose(getattr(weighted, name), getattr(expanded, name), rtol=1e-12)
    a = logrank_test(full["time"], full["event"], full["treated"], strata=full["stratum"])
    b = logrank_test(cells["time"], cells["event"], cells["treated"], strata=cells["stratum"], weights=cells["n"])
    assert b.statistic == pytest.approx(a.statistic, rel=1e-12)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_cluster_robust_and_zph(data, ties):
    full, cells = data
    design = ["treated", "x"]
    a = cox_ph(full["time"], full["event"], full[design], strata=full["stratum"], cluster=full["cluster"], ties=ties)
    b = cox_ph(cells["time"], cells["event"], cells[design], strata=cells["stratum"], cluster=cells["cluster"],
               ties=ties, weights=cells["n"])
    np.testing.assert_allclose(b.params_, a.params_, rtol=1e-9)
    np.testing.assert_allclose(b.se_, a.se_, rtol=1e-9)
    np.testing.assert_allclose(b.naive_se_, a.naive_se_, rtol=1e-9)
    assert (b.n, b.n_events, b.loglik_) == (a.n, a.n_events, pytest.approx(a.loglik_, rel=1e-12))
    assert cox_zph(b).statistic == pytest.approx(cox_zph(a).statistic, rel=1e-9)


def test_cif_and_gray(data):
    full, cells = data
    a = cumulative_incidence(full["time"], full["status"], 1)
    b = cumulative_incidence(cells["time"], cells["status"], 1, weights=cells["n"])
    pd.testing.assert_frame_equal(b.table, a.table, rtol=1e-12)
    g = gray_test(full["time"], full["status"], full["treated"], cause=2, strata=full["stratum"])
    h = gray_test(cells["time"], cells["status"], cells["treated"], cause=2, strata=cells["stratum"],
                  weights=cells["n"])
    assert h.statistic == pytest.approx(g.statistic, rel=1e-9)


def test_weights_must_be_whole_counts():
    with pytest.raises(ValueError, match=r"weights must be whole numbers >= 1 \(frequency weights\)"):
        as_weight_array([1, 0.5], 2)
    with pytest.raises(ValueError, match="weights has length 1, time has length 2"):
        as_weight_array([1], 2)
