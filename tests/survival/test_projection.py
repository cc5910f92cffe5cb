"""ArmProjection's design sums (computed per (stratum, arm) cell from the rows sorted by cell) against
their definitions computed row by row with NumPy on the rows in their original order."""
import numpy as np
import pytest

from evalexp.survival.projection import ArmProjection


@pytest.fixture
def design():
    rng = np.random.default_rng(7)
    n = 400
    x = np.column_stack([rng.normal(30.0, 5.0, n), rng.integers(0, 2, n), rng.normal(size=n)])
    stratum = rng.integers(0, 4, n)
    arm = rng.integers(0, 2, n)
    arm[stratum == 2] = 1            # cell (stratum 2, control) empty
    stratum[:1] = 3
    stratum[1:] = np.where(stratum[1:] == 3, 0, stratum[1:])   # stratum 3: one subject
    return x, arm, stratum


def test_cell_means_and_cross_products_equal_their_definitions(design):
    x, arm, stratum = design
    projection = ArmProjection(x, arm, stratum, 4)
    centred = x - x.mean(axis=0)
    for a in (0, 1):
        rows = arm == a
        np.testing.assert_allclose(projection.raw_gram[a], centred[rows].T @ centred[rows], rtol=1e-12)
        within = np.zeros((3, 3))
        for s in range(4):
            cell = rows & (stratum == s)
            assert projection.sizes[2 * s + a] == cell.sum()
            if cell.any():
                np.testing.assert_allclose(projection.means[2 * s + a], centred[cell].mean(axis=0), rtol=1e-12,
                                           atol=1e-12)
                within += (centred[cell] - centred[cell].mean(axis=0)).T @ (centred[cell] - centred[cell].mean(axis=0))
        np.testing.assert_allclose(projection.gram[a], within, rtol=1e-12, atol=1e-10)


def test_stratum_covariance_is_the_size_weighted_mean_of_the_strata_covariances(design):
    x, arm, stratum = design
    used = [s for s in range(4) if (stratum == s).sum() > 1]
    total = sum((stratum == s).sum() for s in used)
    expected = sum((stratum == s).sum() / total * np.cov(x[stratum == s], rowvar=False) for s in used)
    np.testing.assert_allclose(ArmProjection(x, arm, stratum, 4).stratum_covariance(), expected, rtol=1e-12)


def test_grouped_sums_are_the_centred_covariates_summed_by_group(design):
    x, arm, stratum = design
    projection = ArmProjection(x, arm, stratum, 4)
    group = (stratum * 2 + arm) * 3 + np.arange(x.shape[0]) % 3          # 3 groups per cell
    n_groups = 24
    cell = np.arange(n_groups) // 3
    grouped = projection.grouped(group, cell, np.bincount(group, minlength=n_groups))
    centred = x - x.mean(axis=0)
    expected = np.stack([np.bincount(group, weights=centred[:, j], minlength=n_groups) for j in range(3)], axis=1)
    np.testing.assert_allclose(grouped.sums, expected, rtol=1e-12, atol=1e-10)
