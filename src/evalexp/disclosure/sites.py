"""Disclosure rule for the sites of the heterogeneity analysis (docs/CONTRACT.md §7-8).

With ``T`` the suppression threshold:

- a site is published on its own only when, in each arm, its participants, its ruptures and
  its contracts without rupture all reach ``T`` (the last because a published share and size
  give the complement back);
- the other sites are pooled into one "other sites" row, and while that pool is below ``T``
  in some cell the smallest published site joins it
  (:func:`~evalexp.disclosure.tables.collapse_small_categories`). The published rows then add
  up to the published arm totals without any of them being small, so no hidden site can be
  recovered by difference, and the pool itself is not a small count (the sum of the hidden
  cells, which the totals give back, reaches ``T``). The pool is published as a number of sites
  with its counts per arm, never with the sites' names;
- every number of a pooled site (counts, hazard ratio, shrunken estimate, risks, and its
  exclusion reason, which tells a zero) is withheld: rule ``small_site`` for a site below ``T``,
  ``secondary_site`` for a site pooled with it;
- a published site's risks at the horizon are withheld when they stand for fewer than ``T``
  ruptures or contracts not broken by then (``small_group``);
- the meta-analysis's pooled quantities (tau², I², Q, pooled hazard ratio, prediction interval,
  interaction test) are published, as docs/CONTRACT.md §7 allows.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..plan import ARMS
from .counts import small_part
from .ledger import Ledger
from .tables import collapse_small_categories

#: Key of the pooled small sites (not a possible site label: it holds a control character).
OTHER = "\x00other"
#: The fields of a pooled site that are withheld (its name stays, as a "<11" mark would).
WITHHELD = ("n", "events", "log_hr", "se", "hr", "ci_low", "ci_high", "shrunken_log_hr", "shrunken_se", "excluded",
            "risk_difference", "risk_difference_se", "risk_difference_ci_low", "risk_difference_ci_high",
            "rupture_risk")
RISKS = ("risk_difference", "risk_difference_se", "risk_difference_ci_low", "risk_difference_ci_high",
         "rupture_risk")


def site_groups(sites: list[dict[str, Any]], threshold: int) -> dict[str, str]:
    """Each site's published row: itself, or :data:`OTHER` (see the module docstring).

    The columns that must reach ``threshold`` in every row are, per arm, participants,
    ruptures and contracts without rupture.
    """
    counts = pd.DataFrame({f"{key}_{arm}": [(s["n"][arm] - s["events"][arm]) if key == "rest" else s[key][arm]
                                           for s in sites]
                           for key in ("n", "events", "rest") for arm in ARMS},
                          index=[s["site"] for s in sites])
    return collapse_small_categories(counts, threshold, OTHER)


def _small_risk(risks: Mapping[str, Any] | None, n: Mapping[str, int], threshold: int) -> bool:
    """Whether a risk at the horizon (``risks[arm]``, a share of ``n[arm]``) stands for fewer than
    the threshold ruptures, or contracts not broken, by then (``risk x n`` gives that count back)."""
    if not risks:
        return False
    return any(risks.get(a) is not None and small_part(int(round(risks[a] * n[a])), n[a], threshold)
               for a in ARMS)


def heterogeneity(ledger: Ledger) -> None:
    """Apply the rule of the module docstring to ``results["heterogeneity"]``, adding
    ``other_sites = {"sites", "n", "events"}`` (``None`` when no site is pooled)."""
    block = ledger.source("heterogeneity")
    if not block or not block.get("sites"):
        return
    t = ledger.threshold
    sites = block["sites"]
    groups = site_groups(sites, t)
    pooled = []
    for i, site in enumerate(sites):
        base = ("heterogeneity", "sites", i)
        if groups[site["site"]] == OTHER:
            pooled.append(site)
            cells = [site["n"][a] for a in ARMS] + [site["events"][a] for a in ARMS] + \
                [site["n"][a] - site["events"][a] for a in ARMS]
            rule = "small_site" if min(cells) < t else "secondary_site"
            for key in WITHHELD:
                ledger.drop(base + (key,), rule)  # whole values: a count by arm, the exclusion reason
        elif _small_risk(site.get("rupture_risk"), site["n"], t):
            for key in RISKS:
                if key in site:
                    ledger.hide(base + (key,), "small_group")
    ledger.get("heterogeneity")["other_sites"] = None if not pooled else {
        "sites": len(pooled), **{key: {a: sum(s[key][a] for s in pooled) for a in ARMS} for key in ("n", "events")}}
