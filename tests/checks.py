"""Assertions and helpers shared by test folders (on ``sys.path`` through ``pythonpath = ["tests"]``
in pyproject.toml)."""
import math

import numpy as np

#: Tolerance of :func:`assert_same_results` (relative above 1, absolute below).
TOL = 1e-9


def assert_same_results(expected, actual, where: str = "results", names: tuple[str, str] = ("memory", "counts")):
    """Every number of ``expected`` equals the one at the same place of ``actual`` (:data:`TOL`), every
    other value exactly; ``where`` and ``names`` label a failure."""
    if isinstance(expected, dict):
        for key, value in expected.items():
            assert_same_results(value, actual[key], f"{where}.{key}", names)
    elif isinstance(expected, list):
        assert len(expected) == len(actual), where
        for i, (a, b) in enumerate(zip(expected, actual)):
            assert_same_results(a, b, f"{where}[{i}]", names)
    elif isinstance(expected, float):
        assert actual is not None and math.isclose(expected, actual, rel_tol=TOL, abs_tol=TOL), \
            f"{where}: {names[0]} {expected!r}, {names[1]} {actual!r}"
    else:
        assert expected == actual, f"{where}: {names[0]} {expected!r}, {names[1]} {actual!r}"


def determined(hidden: np.ndarray, lines: list[np.ndarray]) -> list[tuple[int, ...]]:
    """Hidden cells whose value follows from published totals: each line (a boolean mask over the
    table whose total is public) gives one linear equation over its hidden cells; a hidden cell is
    determined when its indicator lies in the span of those equations (rank test)."""
    cells = [tuple(i) for i in np.argwhere(hidden)]
    rows = [np.array([line[c] for c in cells], dtype=float) for line in lines if (line & hidden).any()]
    if not cells or not rows:
        return []
    matrix = np.vstack(rows)
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for k, cell in enumerate(cells):
        unit = np.zeros(len(cells))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(cell)
    return found


def leaves(node, accept, path=()):
    """``(path, value)`` of every leaf of a JSON-like tree for which ``accept(value)`` holds."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, accept, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaves(value, accept, path + (i,))
    elif accept(node):
        yield path, node
