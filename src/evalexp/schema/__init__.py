"""The JSON schema of ``results.json`` (docs/CONTRACT.md §4 and §8), shipped with the package.

``results.schema.json`` is a verbatim copy of the contract's schema; it accepts
``schema_version`` 1 and 2. :func:`check_results` validates a document with
:mod:`jsonschema` (draft 2020-12) and, like the contract's own checker, also
refuses NaN and infinities, which JSON has no words for (``null`` stands for
a missing number).
"""
from __future__ import annotations

import functools
import json
import math
from importlib import resources
from typing import Any

import jsonschema

from ..errors import ResultsSchemaError

#: How many problems :func:`check_results` lists before it says "and N more".
MAX_PROBLEMS_SHOWN = 10


@functools.cache
def results_schema() -> dict[str, Any]:
    """The packaged schema of ``results.json`` (a dict; do not modify it)."""
    return json.loads(resources.files(__package__).joinpath("results.schema.json").read_text(encoding="utf-8"))


def _pointer(path) -> str:
    return "/" + "/".join(str(part) for part in path) if path else "(top level)"


def _non_finite(value: Any, path: tuple = ()) -> list[str]:
    """JSON pointers of the NaN and infinite numbers in ``value``."""
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{_pointer(path)}: {value!r} is not a JSON number (use null)"]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _non_finite(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _non_finite(item, (*path, i))]
    return []


def result_problems(document: Any) -> list[str]:
    """Every way ``document`` departs from the schema, as ``pointer: message`` lines (empty when valid)."""
    validator = jsonschema.Draft202012Validator(results_schema())
    problems = [f"{_pointer(error.absolute_path)}: {error.message}"
                for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]
    return problems + _non_finite(document)


def check_results(document: Any, source: str = "results.json") -> None:
    """Raise :class:`~evalexp.errors.ResultsSchemaError` unless ``document`` follows the schema.

    Parameters
    ----------
    document : object
        A parsed ``results.json`` (e.g. ``Analysis.to_dict()``).
    source : str
        Named in the message.
    """
    problems = result_problems(document)
    if problems:
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = f" and {len(problems) - MAX_PROBLEMS_SHOWN} more" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        raise ResultsSchemaError(f"{source}: {len(problems)} departure{'s' if len(problems) > 1 else ''} "
                                 f"from the results schema: {shown}{more}")
