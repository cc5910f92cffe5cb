"""Stratum and cluster labels: the one missing-value policy of evalexp.

Every estimator that groups participants by a plan column — randomisation strata
(``[survival] strata``) or clusters (``[survival] cluster``) — takes its labels from
:func:`group_labels`: the labels as text, and **every participant without a label in one
level of its own, ``"(missing)"``** (:data:`MISSING_LABEL`). The survival, competing-risks,
binary-outcome, compliance, subgroup, site-heterogeneity and calibration analyses therefore
agree on the groups of a trial.

Why one ``"(missing)"`` level rather than each unlabelled participant alone:

- strata: a participant alone in a stratum adds nothing to a stratified log-rank test or
  Cox model (no comparison within a stratum of one), so "each alone" would silently drop
  the unlabelled from the stratified analyses; one extra stratum keeps them compared with
  each other;
- clusters: "each alone" assumes the unlabelled are independent of everyone, the most
  favourable assumption, and inflates the number of clusters G on which the small-sample
  rules and the CR2 degrees of freedom rest (evalexp.integrity.small_sample); one extra
  cluster lets them share whatever they have in common (typically the site whose code was
  not recorded) and counts them once;
- the primary analysis (evalexp.survival.survival_analysis) already did this and records a note
  naming the count, so the rest of the analyses now follow it.

Dropping the rows (R's ``na.action``) would change ``n`` between analyses of one trial and is
not done.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: The level of the participants with no stratum or cluster label.
MISSING_LABEL = "(missing)"


def group_labels(values: pd.Series) -> np.ndarray:
    """Stratum or cluster labels as text, every missing label becoming :data:`MISSING_LABEL`.

    Parameters
    ----------
    values : pandas.Series
        The plan's strata or cluster column.

    Returns
    -------
    numpy.ndarray of str
        One label per participant (``str`` of the value; ``"(missing)"`` where missing).

    Examples
    --------
    >>> group_labels(pd.Series(["ML01", None, "ML02", float("nan")])).tolist()
    ['ML01', '(missing)', 'ML02', '(missing)']
    """
    values = values.astype(object)
    return values.where(values.notna(), MISSING_LABEL).astype(str).to_numpy()
