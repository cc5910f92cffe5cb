"""The ledger of disclosure decisions: a copy of the results where withheld values become ``None``.

Every decision is recorded with the JSON pointer (RFC 6901) of the value, the rule
that withheld or altered it and the threshold, so that ``results.json["suppressed"]``
and ``disclosure.json`` are written from the same decisions that shaped the report.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: Rules, by name, as ``disclosure.json`` records them (see docs/disclosure.md).
RULES = {
    "primary": "a count below the threshold",
    "complement": "a count whose complement in a published whole is below the threshold",
    "secondary": "a count hidden so that a hidden count cannot be recovered from a published total",
    "small_group": "a statistic from a group with fewer than threshold participants or events in an arm",
    "derived": "a value computed from a withheld value, from which it could be recovered",
    "rounded": "a number at risk rounded to a multiple of the rounding base",
    "precision": "a statistic of a group whose size is withheld, published at reduced precision",
    "residual_df": "a regression with fewer than 10 residual degrees of freedom",
    "unreviewed": "an output the disclosure layer does not know, withheld as a whole",
    "text": "a generated note that may carry a count or an individual's time",
    "small_site": "a site with fewer than threshold participants, ruptures or contracts not broken in an arm, "
                  "pooled into 'other sites'",
    "secondary_site": "a site pooled into 'other sites' so that the pool reaches the threshold in every cell",
    "site_partition": "a count of a characteristic whose levels group the sites (a stratum per site), withheld "
                      "when sites are pooled into 'other sites', so that a pooled site's count cannot be "
                      "recovered from the pool",
}


#: Keys that label a value rather than measure people (a landmark day, degrees of freedom):
#: kept when the value beside them is withheld.
LABEL_KEYS = frozenset({"day", "tau_days", "horizon_days", "df", "permutations", "replicates"})


def pointer(path: tuple[str | int, ...]) -> str:
    """The JSON pointer of ``path`` (``~`` and ``/`` escaped as RFC 6901 says)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


@dataclass(frozen=True)
class Decision:
    """One withheld or altered value: its JSON pointer, the rule and the threshold."""

    pointer: str
    rule: str
    threshold: int

    def to_dict(self) -> dict[str, Any]:
        return {"pointer": self.pointer, "rule": self.rule, "reason": RULES[self.rule],
                "threshold": self.threshold}


class Ledger:
    """A deep copy of ``results`` being made publishable, with the decisions taken on it."""

    def __init__(self, results: dict[str, Any], threshold: int) -> None:
        self.exact = results
        self.data = copy.deepcopy(results)
        self.threshold = threshold
        self.decisions: list[Decision] = []
        self._rules: dict[str, str] = {}

    def source(self, *path: str | int) -> Any:
        """The exact value at ``path`` (``None`` when absent), whatever was withheld."""
        return _at(self.exact, path)

    def get(self, *path: str | int) -> Any:
        """The current value at ``path`` (``None`` when absent or withheld)."""
        return _at(self.data, path)

    def withheld(self, *path: str | int) -> bool:
        """Whether the value at ``path`` was withheld by a decision."""
        return pointer(path) in self._rules

    def rule(self, *path: str | int) -> str | None:
        """The rule that withheld ``path``, or ``None``."""
        return self._rules.get(pointer(path))

    def withheld_by(self, *path: str | int) -> str:
        """The rule that withheld ``path``, which was withheld (:meth:`withheld`; KeyError otherwise)."""
        return self._rules[pointer(path)]

    def hide(self, path: tuple[str | int, ...], rule: str) -> None:
        """Withhold the value at ``path``: a number becomes ``None``; a dict or list has every
        number (and every string that may carry one, other than keys' names) withheld inside it.
        Booleans and labels (method names, levels) stay."""
        parent = self.get(*path[:-1])
        key = path[-1]
        if isinstance(parent, dict) and key not in parent:
            return
        value = self.get(*path)
        if isinstance(value, (dict, list)):
            for sub in _leaf_paths(value):
                self.hide(path + sub, rule)
            return
        if value is None or isinstance(value, (bool, str)) or key in LABEL_KEYS:
            return
        parent[key] = None
        where = pointer(path)
        if where not in self._rules:
            self._rules[where] = rule
            self.decisions.append(Decision(where, rule, self.threshold))

    def drop(self, path: tuple[str | int, ...], rule: str) -> None:
        """Withhold a whole value, whatever it holds (an output the layer does not review, a text)."""
        parent = self.get(*path[:-1])
        key = path[-1]
        present = key in parent if isinstance(parent, dict) else isinstance(parent, list) and isinstance(key, int) \
            and key < len(parent)
        if present and parent[key] is not None:
            parent[path[-1]] = None
            self._rules[pointer(path)] = rule
            self.decisions.append(Decision(pointer(path), rule, self.threshold))

    def replace(self, path: tuple[str | int, ...], value: Any, rule: str) -> None:
        """Publish ``value`` instead of the exact one (rounding), recorded under ``rule``."""
        parent = self.get(*path[:-1])
        if parent is None or parent[path[-1]] is None or parent[path[-1]] == value:
            return
        parent[path[-1]] = value
        self.decisions.append(Decision(pointer(path), rule, self.threshold))

    def suppressed(self) -> list[str]:
        """JSON pointers of the values withheld (``None`` in the publishable results)."""
        return [d.pointer for d in self.decisions if d.rule not in ("rounded", "precision")]


def _at(node: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        if isinstance(node, dict) and key in node:  # noqa: SIM114 - two arms: mypy narrows node and key in each
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return None
    return node


def _leaf_paths(node: Any) -> Iterator[tuple[str | int, ...]]:
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        if isinstance(value, (dict, list)):
            for sub in _leaf_paths(value):
                yield (key, *sub)
        else:
            yield (key,)
