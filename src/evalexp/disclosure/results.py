"""The rules applied to ``results.json``, one function per top-level key.

Each function reads the exact results (``ledger.data`` before its own changes are
made) and withholds, in the :class:`~evalexp.disclosure.ledger.Ledger`, what a
public reader must not receive. The order matters where a rule depends on what
an earlier one withheld (a share is hidden with its denominator): :func:`apply`
runs them in that order. docs/disclosure.md states every rule and its source.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..plan import ARMS
from .baseline import baseline
from .counts import hide_table, small, small_missing, small_part
from .curves import GRID_DAYS, cif_times, round_at_risk
from .ledger import Ledger
from .sites import heterogeneity
from .tables import collapse_small_categories
from .wwc import wwc

#: Keys published as they are: labels and metadata that carry no count. ``engine`` (a report from
#: counts, :class:`evalexp.engine.counts.CountsAnalysis`): the engine's name, its number of aggregated
#: cells (distinct combinations of arm, day and the plan's keys, not a number of participants) and the
#: fixed sentences naming the analyses the counts do not give.
METADATA = ("schema_version", "title", "software", "alpha", "primary", "suppressed", "audience", "provenance",
            "engine")

#: Minimum residual degrees of freedom of a published regression (ACRO's rule).
MIN_RESIDUAL_DF = 10

#: Decimals of a share (whole percent), a difference and its CI (whole points) and a p-value
#: published when the group size is withheld: at 0.1 point, the difference and its CI pin the
#: hidden numbers observed down (tests/report/test_attacks.py enumerates them).
PRECISION = {"share": 2, "difference": 2, "p": 1}


def arm_counts(ledger: Ledger) -> bool:
    """``n`` and ``events`` per arm, and whether the two-arm comparison of ruptures may be published.

    Arm sizes below the threshold are hidden (and the other arm's with them, since the total is
    published). Ruptures and contracts not broken form a 2 x 2 table whose margins (arm sizes and
    the total ruptures) are published: primary then secondary suppression. The comparison is
    publishable when every cell is at least the threshold.
    """
    n, events = ledger.source("n"), ledger.source("events")
    t = ledger.threshold
    if any(small(n[a], t) for a in ARMS):
        for a in ARMS:
            ledger.hide(("n", a), "primary" if small(n[a], t) else "secondary")
    table = np.array([[events[a] for a in ARMS], [n[a] - events[a] for a in ARMS]])
    ledger_paths = [[("events", a) for a in ARMS], [("_censored", a) for a in ARMS]]
    mask = hide_table(ledger, ledger_paths, table, row_totals=True, column_totals=True)
    return not mask.any() and not any(small(n[a], t) for a in ARMS)


#: Flags that an arm (or the cohort) without rupture sets.
TELLING_FLAGS = ("estimable", "ci_low_unbounded", "ci_high_unbounded")


def _telling(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Paths inside ``node`` of :data:`TELLING_FLAGS` and of the ``small_sample`` siblings' methods (their
    unadjusted fallbacks and bounds are taken when an arm has no rupture)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TELLING_FLAGS or (key == "method" and path and path[-1] == "small_sample"):
                yield (*path, key)
            else:
                yield from _telling(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _telling(value, (*path, i))


def survival(ledger: Ledger, km_tables: Mapping[str, pd.DataFrame], kept: Mapping[str, np.ndarray],
             comparable: bool) -> None:
    """Landmarks, medians and every two-arm statistic of ruptures.

    Without ``comparable`` (an arm below the threshold in size, ruptures or contracts not broken)
    every statistic is withheld (small_group), only the rounded numbers at risk stay. Otherwise a
    landmark is published only at a day the arm's publishable curve keeps (``kept``,
    :func:`~evalexp.disclosure.curves.km_times`: at least the threshold of events since the
    previous published day, and at least the threshold at risk), with its number at risk rounded
    up to 5; the risk difference at the horizon only when both arms' horizon landmarks are; a
    median (an event time) rounded to the grid, when at least the threshold are at risk at it.
    The rows the adjusted model drops for a missing covariate follow the missing-value rule (with
    the model's n). The generated notes (rows dropped, an arm's last day of follow-up, an arm
    without rupture) are withheld (text).
    """
    surv = ledger.source("survival")
    if surv is None:
        return
    t = ledger.threshold
    n = ledger.source("n")
    if surv.get("notes"):
        ledger.drop(("survival", "notes"), "text")
    for arm in ARMS:
        for i, point in enumerate(surv["km"][arm]):
            if not comparable or point["day"] not in kept[arm]:
                for key in ("survival", "ci_low", "ci_high"):
                    ledger.hide(("survival", "km", arm, i, key), "small_group")
            if small(point["at_risk"], t):
                ledger.hide(("survival", "km", arm, i, "at_risk"), "primary")
            else:
                ledger.replace(("survival", "km", arm, i, "at_risk"), round_at_risk(point["at_risk"], t), "rounded")
    if not comparable:
        for key in surv:
            if key != "km":
                ledger.hide(("survival", key), "small_group")
        # flags and labels kept by hide() that would say an arm has no rupture (a zero is disclosive)
        for path in _telling(surv):
            ledger.drop(("survival", *path), "small_group")
        return
    for arm in ARMS:
        table = km_tables[arm]
        median = (surv.get("km_median") or {}).get(arm) or {}
        if median.get("median") is not None:
            at_median = table.loc[table["time"] >= median["median"], "n_risk"]
            if at_median.empty or at_median.iloc[0] < t:
                ledger.hide(("survival", "km_median", arm), "small_group")
        for key in ("median", "ci_low", "ci_high"):
            if median.get(key) is not None and not ledger.withheld("survival", "km_median", arm, key):
                ledger.replace(("survival", "km_median", arm, key),
                               int(GRID_DAYS * round(median[key] / GRID_DAYS)), "rounded")
    rd = surv.get("risk_difference")
    if rd is not None and not all(rd["day"] in kept[a] for a in ARMS):
        ledger.hide(("survival", "risk_difference"), "small_group")
        ledger.hide(("survival", "covariate_adjusted", "risk_difference"), "small_group")
        ledger.hide(("survival", "randomization_inference", "ci", "risk_difference"), "small_group")
    adjusted = (surv.get("cox") or {}).get("adjusted")
    if adjusted and adjusted.get("n_dropped") is not None and small_missing(adjusted["n_dropped"], sum(n.values()), t):
        # rows dropped for a missing covariate: a count of people, and the model's n gives it back
        ledger.hide(("survival", "cox", "adjusted", "n_dropped"), "primary")
        ledger.hide(("survival", "cox", "adjusted", "n"), "complement")
        # the small-sample sibling's t degrees of freedom are n - p: the same n
        ledger.drop(("survival", "cox", "adjusted", "small_sample", "df"), "complement")
    robust = surv.get("covariate_adjusted")
    if robust and robust.get("n_dropped") is not None and small_missing(robust["n_dropped"], sum(n.values()), t):
        # the same count of people for the covariate-adjusted (Ye, Shao & Yi) analysis
        ledger.hide(("survival", "covariate_adjusted", "n_dropped"), "primary")
        ledger.hide(("survival", "covariate_adjusted", "n"), "complement")
        for block in ("log_hr", "logrank", "rmst", "risk_difference"):
            ledger.drop(("survival", "covariate_adjusted", block, "small_sample", "df"), "complement")
    if adjusted and adjusted.get("n") is not None:
        terms = len(adjusted.get("terms") or adjusted.get("covariates") or ())
        if adjusted["n"] - adjusted.get("n_dropped", 0) - 1 - terms < MIN_RESIDUAL_DF:
            ledger.hide(("survival", "cox", "adjusted"), "residual_df")


def competing(ledger: Ledger, comparable: bool, jumps: Mapping[tuple[str, str], np.ndarray],
              km_kept: Mapping[str, np.ndarray]) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """Causes of rupture: counts per cause and arm, and each cause's statistics.

    A cause with fewer than the threshold ruptures in an arm has its statistics withheld
    (small_group). Its counts are hidden with primary and secondary suppression (the column
    totals, ruptures per arm, are published). Small causes are merged, smallest first, into one
    "other" group until it reaches the threshold in both arms; the group's counts and curve are
    published and its members' counts are all withheld (a visible member would give a small one
    back from the group's total). Incidences are published only at the days
    :func:`~evalexp.disclosure.curves.cif_times` keeps for all groups together (``jumps``: the jump
    times of each cause's incidence per arm). Returns cause -> group label (the cause itself,
    ``"other"`` or ``"all"``), and the kept days per arm.
    """
    block = ledger.source("competing_risks")
    if not block:
        return {}, {}
    t = ledger.threshold
    causes = sorted(block)
    counts = pd.DataFrame({a: [block[c]["events"][a] for c in causes] for a in ARMS}, index=causes)
    if not comparable:
        for cause in causes:
            ledger.hide(("competing_risks", cause), "small_group")
        return {c: "all" for c in causes}, {}
    groups = collapse_small_categories(counts, t, "other")
    merged = [c for c, g in groups.items() if g == "other"]
    if len(merged) == len(causes) or (merged and counts.loc[merged].sum().min() < t):
        groups = {c: "all" for c in causes}
        merged = causes
    kept = {a: cif_times(jumps, groups, a, km_kept[a], t) for a in ARMS}
    for cause in causes:
        if block[cause].get("note"):
            ledger.drop(("competing_risks", cause, "note"), "text")
        if counts.loc[cause].min() < t:
            for key in ("cif", "gray_test", "cause_specific_cox", "fine_gray"):
                ledger.hide(("competing_risks", cause, key), "small_group")
        else:
            for a in ARMS:
                for i, p in enumerate(block[cause]["cif"][a]):
                    if p["day"] not in kept[a]:
                        ledger.hide(("competing_risks", cause, "cif", a, i), "small_group")
    paths = [[("competing_risks", c, "events", a) for a in ARMS] for c in causes]
    force = np.array([[(c in merged and len(merged) < len(causes)) or groups[c] == "all" for _ in ARMS]
                      for c in causes])
    hide_table(ledger, paths, counts.to_numpy(), row_totals=False, column_totals=True, force=force)
    if merged and len(merged) < len(causes):
        ledger.data["competing_risks_other"] = {
            "causes": merged, "events": {a: int(counts.loc[merged, a].sum()) for a in ARMS}}
    return groups, kept


def binary_outcomes(ledger: Ledger) -> dict[str, bool]:
    """Employment outcomes: cells (with / without the outcome, per arm, among the observed), and
    the missing values per arm.

    A cell below the threshold withholds the outcome's statistics (small_group). A number missing
    in an arm between 1 and threshold - 1 withholds the numbers observed of both arms (the arm sizes
    are published, and the total missing is in the data-quality annex); the shares, the difference
    and its CI are then published at reduced precision (shares in whole percent, differences and
    CIs in whole points, p-values to one decimal, no SE) so that the observed count cannot be
    solved back from them. The covariate-adjusted (Lin) estimate's sample size is withheld when it
    falls short of the numbers observed by 1 to threshold - 1 rows. Returns outcome -> whether its
    numbers observed are withheld.
    """
    block = ledger.source("binary_outcomes") or {}
    n = ledger.source("n")
    t = ledger.threshold
    observed_hidden = {}
    for name, out in block.items():
        obs = out["n_observed"]
        cells = [int(round((out[a] or 0) * obs[a])) for a in ARMS]
        if any(small(k, t) or small(obs[a] - k, t) for k, a in zip(cells, ARMS)) or out["difference"] is None:
            for key in out:
                if key not in ("n_observed", "multiplicity", "wwc"):  # wwc: evalexp.disclosure.wwc
                    ledger.hide(("binary_outcomes", name, key), "small_group")
        hidden = any(small_missing(n[a] - obs[a], n[a], t) for a in ARMS)
        observed_hidden[name] = hidden
        lin_n = (out.get("lin") or {}).get("n")
        if lin_n is not None and small_missing(obs["treatment"] + obs["control"] - lin_n, obs["treatment"]
                                               + obs["control"], t):
            ledger.hide(("binary_outcomes", name, "lin", "n"), "complement")
        if hidden:
            for a in ARMS:
                rule = "complement" if small_missing(n[a] - obs[a], n[a], t) else "secondary"
                ledger.hide(("binary_outcomes", name, "n_observed", a), rule)
            _reduce_precision(ledger, ("binary_outcomes", name))
    return observed_hidden


def _reduce_precision(ledger: Ledger, path: tuple[str, ...]) -> None:
    """Round an outcome's shares, difference and CI (see :func:`binary_outcomes`); withhold its SEs."""
    out = ledger.source(*path)
    for a in ARMS:
        if out.get(a) is not None:
            ledger.replace(path + (a,), round(out[a], PRECISION["share"]), "precision")
    for key in ("difference", "ci_low", "ci_high"):
        if out.get(key) is not None:
            ledger.replace(path + (key,), round(out[key], PRECISION["difference"]), "precision")
    for key in ("p_value", "p_holm", "p_bh", "p_adjusted"):
        if out.get(key) is not None:
            ledger.replace(path + (key,), round(out[key], PRECISION["p"]), "precision")
    ledger.hide(path + ("se",), "derived")
    for key, value in out.items():
        if isinstance(value, dict) and key not in ("n_observed", "wwc"):
            ledger.hide(path + (key,), "derived")


def consort(ledger: Ledger, observed_hidden: Mapping[str, bool]) -> None:
    """The CONSORT flow: allocation (the arm sizes), take-up, losses, censoring, analysed.

    Take-up (received / not received, columns adding up to the arms) gets primary and secondary
    suppression; a zero take-up in the control arm, where the support is not offered, is
    structural and published. Losses and censoring at extraction are counts of people: primary
    rule, and secondary across the arms (their total may be published elsewhere). The numbers
    analysed per employment outcome follow :func:`binary_outcomes`.
    """
    block = ledger.source("consort")
    if not block:
        return
    t = ledger.threshold
    if ledger.withheld("n", "treatment"):
        for a in ARMS:
            ledger.hide(("consort", "assigned", a), ledger.withheld_by("n", a))  # both arms' n go together
    support = block.get("support")
    if support:
        counts = np.array([[support[k][a] for a in ARMS] for k in ("received", "not_received")])
        structural = np.array([[False, support["received"]["control"] == 0],
                               [False, False]])
        counts_basis = np.where(structural, t, counts)
        paths = [[("consort", "support", k, a) for a in ARMS] for k in ("received", "not_received")]
        hide_table(ledger, paths, counts_basis, row_totals=False, column_totals=True)
        for a in ARMS:
            if small(support["unknown"][a], t) and support["unknown"][a] > 0:
                ledger.hide(("consort", "support", "unknown", a), "primary")
    for key in ("lost_to_followup", "censored_at_extraction"):
        hide_table(ledger, [[("consort", key, a) for a in ARMS]], np.array([[block[key][a] for a in ARMS]]),
                   row_totals=True, column_totals=False)
    for outcome in block.get("analysed", {}):
        if outcome == "rupture":
            for a in ARMS:
                if ledger.withheld("n", a):
                    ledger.hide(("consort", "analysed", outcome, a), ledger.withheld_by("n", a))
            continue
        if observed_hidden.get(outcome):
            for section in ("analysed", "excluded"):
                for a in ARMS:
                    ledger.hide(("consort", section, outcome, a), "complement")
    _consort_boxes(ledger)


def _box_source(box: Mapping[str, Any], detail: str | None) -> tuple[Any, ...] | None:
    """The flat CONSORT field a diagram box (or one of its details) repeats; ``None`` if unknown."""
    arm, key = box.get("arm"), box.get("key")
    if key == "randomised" and detail is None:
        return ("n",)
    if key == f"allocated_{arm}":
        return {None: ("assigned", arm), "support_received": ("support", "received", arm),
                "support_not_received": ("support", "not_received", arm)}.get(detail)
    if key == "lost_to_followup":
        return {None: ("lost_to_followup", arm), "lost_reason": ("lost_to_followup", arm),
                "censored_at_extraction": ("censored_at_extraction", arm)}.get(detail)
    if key == "analysed":
        outcome = box.get("outcome")
        return {None: ("analysed", outcome, arm), "excluded": ("excluded", outcome, arm)}.get(detail)
    return None


def _consort_boxes(ledger: Ledger) -> None:
    """The diagram's boxes repeat the flat CONSORT counts: each is withheld with the count it
    repeats (the randomised total with either arm size); a box the layer does not know is withheld."""
    for i, box in enumerate(ledger.source("consort", "boxes") or []):
        for j, detail in [(None, None), *((k, d.get("key")) for k, d in enumerate(box.get("details") or []))]:
            path = ("consort", "boxes", i, "n") if j is None else ("consort", "boxes", i, "details", j, "n")
            source = _box_source(box, detail)
            if source == ("n",):
                reasons = [ledger.withheld_by("n", a) for a in ARMS if ledger.withheld("n", a)]
                if reasons:
                    ledger.hide(path, reasons[0])
            elif source is None:
                ledger.hide(path, "unreviewed")
            elif ledger.withheld("consort", *source):
                ledger.hide(path, ledger.withheld_by("consort", *source))


def attrition(ledger: Ledger) -> None:
    """Attrition per outcome: the attrited counts, their rates, the overall and differential
    rates, the WWC boundary inputs and Lee bounds.

    An attrited count between 1 and threshold - 1 (or whose complement is small) withholds every
    number of that outcome's row (rates give the counts back through the arm sizes, the overall
    rate through the total, the width of the Lee bounds through the trimming share); the WWC
    rating (a category) stays.
    """
    block = ledger.source("attrition")
    if not block:
        return
    t = ledger.threshold
    for outcome, entry in (block.get("outcomes") or {}).items():
        if any(small_missing(entry["attrited"][a], entry["n"][a], t) for a in ARMS):
            for key in ("attrited", "rate"):
                for a in ARMS:
                    rule = "complement" if small_missing(entry["attrited"][a], entry["n"][a], t) else "secondary"
                    ledger.hide(("attrition", "outcomes", outcome, key, a), rule if key == "attrited" else "derived")
            for key in ("overall", "differential", "overall_row_percent", "max_differential_points", "lee_bounds"):
                ledger.hide(("attrition", "outcomes", outcome, key), "derived")


def balance(ledger: Ledger) -> None:
    """Baseline balance: the shares of binary and categorical covariates are counts over the arm.

    A binary covariate's share is withheld when its count or complement is small; the levels of a
    categorical covariate (adding up to the arm) get primary and secondary suppression within each
    arm; a continuous covariate's mean and SD when fewer than the threshold are observed. The
    standardised difference (which gives a hidden share back from the other) is withheld with it.
    The numbers observed per arm follow the missing-value rule.
    """
    block = ledger.source("balance")
    if not block:
        return
    t = ledger.threshold
    rows = block.get("covariates") or []
    n = ledger.source("n")
    i = 0
    while i < len(rows):
        row = rows[i]
        group = [j for j in range(i, len(rows)) if rows[j]["covariate"] == row["covariate"]]
        if row["kind"] != "categorical":
            group = [i]
        for j in group:
            for a in ARMS:
                if small_missing(n[a] - rows[j][a]["n"], n[a], t):
                    ledger.hide(("balance", "covariates", j, a, "n"), "complement")
        if row["kind"] == "continuous":
            for a in ARMS:
                if small(row[a]["n"], t):
                    ledger.hide(("balance", "covariates", i, a), "small_group")
                    ledger.hide(("balance", "covariates", i, "std_difference"), "derived")
        else:
            counts = np.array([[int(round((rows[j][a]["mean"] or 0) * rows[j][a]["n"])) for a in ARMS]
                               for j in group])
            if row["kind"] == "binary":
                force = np.array([[small_part(int(c), rows[i][a]["n"], t) for c, a in zip(counts[0], ARMS)]])
                mask = force
                for j_arm, a in enumerate(ARMS):
                    if mask[0, j_arm]:
                        ledger.hide(("balance", "covariates", i, a, "mean"), "primary" if counts[0, j_arm] < t
                                    else "complement")
            else:
                paths = [[("balance", "covariates", j, a, "mean") for a in ARMS] for j in group]
                mask = hide_table(ledger, paths, counts, row_totals=False, column_totals=True)
            for k, j in enumerate(group):
                if mask[k].any():
                    ledger.hide(("balance", "covariates", j, "std_difference"), "derived")
        i = group[-1] + 1


def compliance(ledger: Ledger, observed_hidden: Mapping[str, bool]) -> None:
    """Take-up and complier effects.

    The first stage is a share of the treatment arm (takers over the arm size): withheld with its
    count or complement (the control arm's zero, where the support is not offered, is structural).
    A complier effect (ITT / first stage) is withheld with either part. Per outcome, the ITT
    follows the outcome's publication, and its first stage and sizes are among the observed.
    """
    block = ledger.source("compliance")
    if not block:
        return
    t = ledger.threshold
    first = block["first_stage"]
    n = first["n"]
    takers = {a: int(round((first[a] or 0) * n[a])) for a in ARMS}
    first_hidden = small_part(takers["treatment"], n["treatment"], t) or \
        (takers["control"] > 0 and small_part(takers["control"], n["control"], t))
    if first_hidden:
        ledger.hide(("compliance", "first_stage"), "complement")
    rupture = block.get("rupture_risk")
    if rupture:
        if ledger.get("survival", "risk_difference", "difference") is None:
            ledger.hide(("compliance", "rupture_risk", "itt"), "small_group")
            ledger.hide(("compliance", "rupture_risk", "cace"), "derived")
        if first_hidden:
            ledger.hide(("compliance", "rupture_risk", "first_stage"), "complement")
            ledger.hide(("compliance", "rupture_risk", "cace"), "derived")
    for name in block.get("binary_outcomes") or {}:
        path = ("compliance", "binary_outcomes", name)
        if ledger.get("binary_outcomes", name, "difference") is None:
            ledger.hide(path + ("itt",), "small_group")
            ledger.hide(path + ("cace",), "derived")
        if observed_hidden.get(name) or first_hidden:
            ledger.hide(path + ("n",), "complement")
            ledger.hide(path + ("first_stage",), "derived")
            ledger.hide(path + ("cace",), "derived")
            for key in ("estimate", "ci_low", "ci_high", "p_value"):
                value = ledger.get(*path, "itt", key)
                if value is not None:
                    digits = PRECISION["p" if key == "p_value" else "difference"]
                    ledger.replace(path + ("itt", key), round(value, digits), "precision")
            ledger.hide(path + ("itt", "se"), "derived")


def subgroups(ledger: Ledger) -> None:
    """Subgroup effects: per variable, the levels' sizes and ruptures per arm, and their hazard
    ratios and risk differences.

    Sizes get primary and secondary suppression with both margins (the arm sizes and each level's
    total, which the forest plot prints). Ruptures too, a cell whose contracts not broken are
    below the threshold counting as small. A level with a hidden size or rupture count, or fewer
    than the threshold ruptures or contracts not broken in an arm, has its statistics withheld;
    the interaction test (one Wald statistic over all levels) is published. A level's risk
    difference at the horizon is withheld when a risk stands for fewer than the threshold ruptures
    by then (:func:`_small_risk`).
    """
    block = ledger.source("subgroups")
    if not block:
        return
    t = ledger.threshold
    for variable, entry in (block.get("variables") or {}).items():
        levels = list(entry["levels"])
        base = ("subgroups", "variables", variable, "levels")
        n = np.array([[entry["levels"][lv]["n"][a] for a in ARMS] for lv in levels])
        events = np.array([[entry["levels"][lv]["events"][a] for a in ARMS] for lv in levels])
        n_mask = hide_table(ledger, [[base + (lv, "n", a) for a in ARMS] for lv in levels], n,
                            row_totals=True, column_totals=True)
        e_mask = hide_table(ledger, [[base + (lv, "events", a) for a in ARMS] for lv in levels], events,
                            row_totals=True, column_totals=True, force=(n - events < t) | n_mask)
        for i, lv in enumerate(levels):
            level = entry["levels"][lv]
            if n_mask[i].any() or e_mask[i].any():
                for key in level:
                    if key not in ("n", "events"):
                        ledger.hide(base + (lv, key), "small_group")
            elif _small_risk(level.get("risk_difference"), level["n"], t):
                ledger.hide(base + (lv, "risk_difference"), "small_group")


def _small_risk(risks: Mapping[str, Any] | None, n: Mapping[str, int], threshold: int) -> bool:
    """Whether a risk at the horizon (``risks[arm]``, a share of ``n[arm]``) stands for fewer than
    the threshold ruptures, or contracts not broken, by then: ``risk x n`` gives that count back
    (up to censoring), though the group's ruptures over the whole follow-up reach the threshold."""
    if not risks:
        return False
    return any(risks.get(a) is not None and small_part(int(round(risks[a] * n[a])), n[a], threshold)
               for a in ARMS)


def fidelity(ledger: Ledger) -> None:
    """Fidelity of the support (treatment arm, recipients): meetings due, held and on time, and
    ruptures by number of meetings held.

    A number due is part of the recipients (the CONSORT take-up), or of the arm when the recipients
    are hidden: withheld when it or its complement in that published whole is small. Meetings
    held or on time among those due, and their shares and CIs, likewise. The rows of ruptures by
    meetings add up to the recipients, and with the non-recipients to the arm size: sizes get
    primary and secondary suppression in that column (the non-recipients counting as hidden when
    CONSORT hides them), ruptures their own and their complement's rule.
    """
    block = ledger.source("fidelity")
    if not block:
        return
    t = ledger.threshold
    recipients = block["n"]
    recipients_hidden = ledger.withheld("consort", "support", "received", "treatment")
    if recipients_hidden:
        ledger.hide(("fidelity", "n"), "secondary")
    # the published whole a number due is part of: the recipients, or the arm when they are hidden
    whole = ledger.source("n", "treatment") if recipients_hidden else recipients
    for key, meeting in (block.get("meetings") or {}).items():
        path = ("fidelity", "meetings", key)
        due = meeting["due"]
        due_hidden = small_part(due, whole, t)
        if due_hidden:
            ledger.hide(path + ("due",), "primary" if small(due, t) else "complement")
        for count, share, ci in (("held", "share_held", "share_held_ci"),
                                 ("on_time", "share_on_time", None)):
            if due_hidden or small_part(meeting[count], due, t):
                ledger.hide(path + (count,), "primary" if small(meeting[count], t) else "complement")
                ledger.hide(path + (share,), "derived")
                if ci:
                    ledger.hide(path + (ci,), "derived")
                if count == "on_time":
                    ledger.hide(path + ("ci_low",), "derived")
                    ledger.hide(path + ("ci_high",), "derived")
    everything = block.get("all_on_time")
    if everything:
        due_hidden = small_part(everything["due"], whole, t)
        if due_hidden:
            ledger.hide(("fidelity", "all_on_time", "due"), "primary" if small(everything["due"], t) else "complement")
        if due_hidden or small_part(everything["on_time"], everything["due"], t):
            ledger.hide(("fidelity", "all_on_time", "on_time"),
                        "primary" if small(everything["on_time"], t) else "complement")
            ledger.hide(("fidelity", "all_on_time", "share"), "derived")
    rows = (block.get("ruptures_by_meetings") or {}).get("rows") or []
    if rows:
        # the rows add up to the recipients, and with the non-recipients to the (published) arm size
        base = ("fidelity", "ruptures_by_meetings", "rows")
        arm = ledger.source("n", "treatment")
        sizes = np.array([[r["n"]] for r in rows] + [[arm - sum(r["n"] for r in rows)]])
        force = np.array([[False]] * len(rows) + [[recipients_hidden]])
        mask = hide_table(ledger, [[base + (i, "n")] for i in range(len(rows))] + [[("fidelity", "_others")]],
                          sizes, row_totals=False, column_totals=True, force=force)
        for i, r in enumerate(rows):
            if mask[i, 0] or small_part(r["ruptures"], r["n"], t):
                ledger.hide(base + (i, "ruptures"), "primary" if small(r["ruptures"], t) else "complement")
                ledger.hide(base + (i, "share"), "derived")


def data_quality(ledger: Ledger) -> None:
    """The data-quality annex: how follow-up ended per arm, missing values per column, warnings.

    The per-arm table (ruptures, planned end, extraction, lost; columns add up to the arm sizes,
    rows to the totals) gets primary and secondary suppression with both margins, and a total
    below the threshold is hidden. A column's missing count (out of all participants) follows the
    missing-value rule, so does a warning's count of rows. The median follow-up (one participant's
    time) is published rounded to the 30-day grid when the threshold is reached.
    """
    block = ledger.source("data_quality")
    if not block:
        return
    t = ledger.threshold
    counts = block.get("counts") or {}
    rows = [k for k in ("events", "planned_end", "extraction", "lost") if k in counts.get("treatment", {})]
    if rows:
        table = np.array([[counts[a][k] for a in ARMS] for k in rows])
        force = np.array([[ledger.withheld("events", a) for a in ARMS] if k == "events" else [False, False]
                          for k in rows])
        locked = np.array([[k == "events" and not ledger.withheld("events", a) for a in ARMS] for k in rows])
        hide_table(ledger, [[("data_quality", "counts", a, k) for a in ARMS] for k in rows], table,
                   row_totals=True, column_totals=True, force=force, locked=locked)
        for k in rows + ["n"]:
            if small(counts["total"][k], t):
                ledger.hide(("data_quality", "counts", "total", k), "primary")
        for a in ARMS:
            if ledger.withheld("n", a):
                ledger.hide(("data_quality", "counts", a, "n"), ledger.withheld_by("n", a))
    total = counts.get("total", {}).get("n") or sum(ledger.source("n").values())
    for column, missing in (block.get("missing") or {}).items():
        if small_missing(missing, total, t):
            ledger.hide(("data_quality", "missing", column), "complement" if missing >= t else "primary")
    for i, warning in enumerate(block.get("warnings") or []):
        if warning.get("count") is not None and small_missing(warning["count"], total, t):
            ledger.hide(("data_quality", "warnings", i, "count"),
                        "complement" if warning["count"] >= t else "primary")
    for a in (*ARMS, "total"):
        size = ledger.source("n", a) if a != "total" else total
        median = ledger.source("data_quality", "median_followup_days", a)
        if size is None or small(size, t):
            ledger.hide(("data_quality", "median_followup_days", a), "small_group")
        elif median is not None:  # a median is one participant's follow-up: rounded to the grid
            ledger.replace(("data_quality", "median_followup_days", a), int(GRID_DAYS * round(median / GRID_DAYS)),
                           "rounded")


def power(ledger: Ledger) -> None:
    """The power block: the total ruptures (and everything derived from them, the minimum
    detectable effects) are withheld when the total or the contracts not broken are below the
    threshold; the control and treatment rates at the horizon follow the risk difference."""
    block = ledger.source("power")
    if not block:
        return
    t = ledger.threshold
    total_n = sum(block["n"].values())
    if small_part(block["events"], total_n, t) or any(small(v, t) for v in block["n"].values()):
        ledger.hide(("power",), "small_group")
        return
    if ledger.get("survival", "risk_difference", "difference") is None:
        for key in ("control_rate", "treatment_rate", "minimum_detectable", "n_effective"):
            ledger.hide(("power", "risk_difference", key), "derived")


def cost_effectiveness(ledger: Ledger) -> None:
    """Cost per rupture avoided (docs/CONTRACT.md §8) derives from the risk difference at the horizon:
    withheld with it."""
    if ledger.source("cost_effectiveness") and ledger.get("survival", "risk_difference", "difference") is None:
        for key in ("ruptures_avoided_per_100", "cost_per_rupture_avoided"):
            ledger.hide(("cost_effectiveness", key), "derived")


def warnings(ledger: Ledger) -> None:
    """Analysis warnings (docs/CONTRACT.md §8): the codes are published, the generated messages (which
    name counts and terms) are withheld."""
    for i, warning in enumerate(ledger.source("warnings") or []):
        if warning.get("message") is not None:
            ledger.drop(("warnings", i, "message"), "text")


def arm_sizes(ledger: Ledger) -> None:
    """When an arm size is withheld, withhold every copy of it: a count keyed by the arm under an
    ``n`` key (attrition, take-up, complier blocks repeat the arm sizes) equal to that size."""
    hidden = {a: ledger.source("n", a) for a in ARMS if ledger.withheld("n", a)}
    if not hidden:
        return

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in hidden and len(path) >= 1 and path[-1] == "n" and value == hidden[key]:
                    ledger.hide(path + (key,), "secondary")
                walk(value, path + (key,))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, path + (i,))

    walk(ledger.exact, ())


def unreviewed(ledger: Ledger, reviewed: set[str]) -> None:
    """Withhold every top-level key the layer has no rule for (a new analysis must be reviewed,
    and given rules here, before a public report shows it)."""
    for key in list(ledger.data):
        if key not in reviewed and key not in METADATA:
            ledger.drop((key,), "unreviewed")


def apply(ledger: Ledger, km_tables: Mapping[str, pd.DataFrame], kept: Mapping[str, np.ndarray],
          jumps: Mapping[tuple[str, str], np.ndarray]) -> tuple[bool, dict[str, str], dict[str, np.ndarray]]:
    """Run every rule in dependency order. Returns whether the arms may be compared
    (:func:`arm_counts`), the groups of causes and their kept days (:func:`competing`)."""
    comparable = arm_counts(ledger)
    survival(ledger, km_tables, kept, comparable)
    groups, cif_kept = competing(ledger, comparable, jumps, kept)
    observed_hidden = binary_outcomes(ledger)
    wwc(ledger, observed_hidden)
    consort(ledger, observed_hidden)
    attrition(ledger)
    balance(ledger)
    compliance(ledger, observed_hidden)
    subgroups(ledger)
    fidelity(ledger)
    data_quality(ledger)
    power(ledger)
    heterogeneity(ledger)
    baseline(ledger)  # after balance, subgroups, data_quality and heterogeneity: one pattern shared with them
    cost_effectiveness(ledger)
    warnings(ledger)
    arm_sizes(ledger)
    unreviewed(ledger, {"n", "events", "survival", "competing_risks", "competing_risks_other",
                        "binary_outcomes", "consort", "attrition", "balance", "baseline", "compliance", "subgroups",
                        "fidelity", "data_quality", "power", "heterogeneity", "cost_effectiveness",
                        "warnings"})
    return comparable, groups, cif_kept
