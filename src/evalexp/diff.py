"""``evalexp diff A.json B.json``: the fields in which two results files differ (CONTRACT.md section 11).

Both files are flattened to their leaves, each named by its JSON pointer (RFC 6901).
Two numbers are equal within ``rtol`` when ``|a - b| <= rtol * max(|a|, |b|)``
(``rtol = 0``, the default, asks for exact equality); any other leaves (text,
booleans, ``null``) are equal only when identical; a leaf present in one file only
differs. The relative difference shown is ``|a - b| / max(|a|, |b|)`` (0 when both
are 0), empty for leaves that are not both numbers.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ArgumentError
from .stored import load_results_json, pointer_token

#: What a leaf present in one file only shows for the other.
ABSENT = "(absent)"


@dataclass(frozen=True)
class Difference:
    """One differing leaf: its JSON pointer, both values and their relative difference."""

    pointer: str
    a: Any
    b: Any
    relative: float | None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def leaves(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """``(JSON pointer, value)`` of every leaf of a JSON value (empty objects and lists are leaves)."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, f"{pointer}/{pointer_token(key)}")
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, f"{pointer}/{index}")
    else:
        yield pointer, value


def relative_difference(a: float, b: float) -> float:
    """``|a - b| / max(|a|, |b|)``; 0 when both are 0 (and when both are the same infinity)."""
    if a == b:
        return 0.0
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if math.isfinite(scale) else math.inf


def differences(a: dict[str, Any], b: dict[str, Any], rtol: float = 0.0) -> list[Difference]:
    """The leaves of ``a`` and ``b`` that differ (module docstring), in ``a``'s order then ``b``'s."""
    if not (rtol >= 0):
        raise ArgumentError(f"--rtol must be a number >= 0, got {rtol}")
    left, right = dict(leaves(a)), dict(leaves(b))
    found = []
    for pointer in [*left, *(p for p in right if p not in left)]:
        x, y = left.get(pointer, ABSENT), right.get(pointer, ABSENT)
        if pointer in left and pointer in right and _is_number(x) and _is_number(y):
            relative = relative_difference(float(x), float(y))
            if relative > rtol:
                found.append(Difference(pointer, x, y, relative))
        elif x != y or type(x) is not type(y):
            found.append(Difference(pointer, x, y, None))
    return found


def _cell(value: Any) -> str:
    return value if value == ABSENT else json.dumps(value, ensure_ascii=False)


def format_differences(found: list[Difference]) -> str:
    """A plain-text table: JSON pointer, A, B, relative difference."""
    rows = [("field", "A", "B", "relative difference")]
    rows += [(d.pointer, _cell(d.a), _cell(d.b), "" if d.relative is None else f"{d.relative:.3g}") for d in found]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def diff_files(path_a: str | Path, path_b: str | Path, rtol: float = 0.0) -> tuple[list[Difference], str]:
    """Compare two ``results.json`` files; the differences and the text ``evalexp diff`` prints."""
    found = differences(load_results_json(path_a), load_results_json(path_b), rtol)
    if not found:
        return found, f"{Path(path_a).name} and {Path(path_b).name}: equal" + (f" within rtol {rtol:g}" if rtol else "")
    return found, format_differences(found) + f"\n{len(found)} field(s) differ"
