"""Results read back from a ``results.json`` (CONTRACT.md section 11).

:func:`read_results` turns a ``results.json`` written by ``evalexp analyze`` (or by
:meth:`evalexp.analysis.Analysis.to_dict`) into a read-only :class:`StoredResults`
with the same ``summary()``, ``tidy()`` and ``to_dict()`` as the analysis, so runs can
be compared, or their estimates fed to a meta-analysis, without the participant data.

The file is checked before it is accepted: a JSON object with ``schema_version`` 1 and
the contract's required keys ``n``, ``events`` (counts by arm) and ``survival`` (an
object), as in CONTRACT.md section 4.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from .errors import UnreadableFileError
from .results import Result, tidy_frame

#: The ``schema_version`` this reader understands.
SCHEMA_VERSIONS = (1, 2)

#: Keys of ``results.json`` required by CONTRACT.md section 4, with the JSON type of their value.
REQUIRED = {"n": dict, "events": dict, "survival": dict}

#: Keys that hold a point estimate, in order of preference, in a ``results.json`` object.
ESTIMATE_KEYS = ("estimate", "hr", "difference", "survival", "cif", "median")

#: Keys that mark a ``results.json`` object as an estimated quantity (one ``tidy()`` row).
INFERENCE_KEYS = ("p_value", "ci_low", "se")

#: Keys of the top-level object that describe the run rather than hold estimates.
METADATA = ("schema_version", "title", "software", "alpha", "n", "events", "primary", "provenance")


def pointer_token(key: str | int) -> str:
    """One JSON pointer reference token (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else float("nan")


def _rows(value: Any, pointer: str) -> Iterator[dict[str, Any]]:
    """The objects below ``value`` holding an estimate (:data:`INFERENCE_KEYS`), as tidy rows."""
    if isinstance(value, dict):
        if any(key in value for key in INFERENCE_KEYS):
            estimate = next((value[key] for key in ESTIMATE_KEYS if key in value), None)
            yield {"term": pointer, "estimate": _number(estimate), "std_error": _number(value.get("se")),
                   "statistic": _number(value.get("statistic")), "p_value": _number(value.get("p_value")),
                   "ci_low": _number(value.get("ci_low")), "ci_high": _number(value.get("ci_high"))}
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        yield from _rows(item, f"{pointer}/{pointer_token(key)}")


def _check(record: Any, source: str) -> dict[str, Any]:
    """``record`` if it is a results.json of one of :data:`SCHEMA_VERSIONS` with the :data:`REQUIRED`
    keys that the packaged JSON Schema accepts (:func:`evalexp.schema.result_problems`)."""
    if not isinstance(record, dict) or "schema_version" not in record:
        raise UnreadableFileError(source, None, "not an evalexp results file (a JSON object with schema_version)")
    if record["schema_version"] not in SCHEMA_VERSIONS:
        raise UnreadableFileError(source, None, f"schema_version {record['schema_version']!r} is not supported "
                                                f"(this evalexp reads versions 1 and 2)")
    for key, kind in REQUIRED.items():
        if not isinstance(record.get(key), kind):
            raise UnreadableFileError(source, None, f"'{key}' is missing or is not a JSON object")
    from .schema import result_problems

    problems = result_problems(record)
    if problems:
        raise UnreadableFileError(source, None, f"does not follow the results schema: {problems[0]}")
    return record


def load_results_json(path: str | Path) -> dict[str, Any]:
    """The checked JSON object of a ``results.json`` (:func:`read_results` without the wrapper).

    Raises
    ------
    UnreadableFileError
        The file cannot be read, is not JSON, or is not an evalexp results file.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "cannot be read as UTF-8 text"
        raise UnreadableFileError(source, None, f"cannot read the results file: {reason}") from None
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise UnreadableFileError(source, None, f"not valid JSON ({exc})") from None
    return _check(record, source)


def results_tidy(record: dict[str, Any]) -> pd.DataFrame:
    """One row per estimated quantity of a ``results.json`` object, by part.

    The ``tidy()`` of both :class:`evalexp.analysis.Analysis` and :class:`StoredResults`, so that
    a run read back gives the very table the analysis gave.

    Columns: ``part`` (the top-level key of ``results.json``), ``term`` (the JSON pointer of the
    object within the part) and :data:`evalexp.results.TIDY_COLUMNS`. A row is every object
    holding ``p_value``, ``ci_low`` or ``se``; its ``estimate`` is the first of
    :data:`ESTIMATE_KEYS` present (a hazard ratio for Cox models, a difference for RMST and risk
    differences), ``std_error`` is ``se`` (on the scale the file gives it: the log hazard ratio
    for Cox models); cells the file does not give are NaN.
    """
    frames = []
    for part, value in record.items():
        if part not in METADATA:
            rows = list(_rows(value, ""))
            if rows:
                frames.append(tidy_frame(rows).assign(part=part))
    frame = pd.concat(frames, ignore_index=True) if frames else tidy_frame([]).assign(part=[])
    return frame[["part", *[c for c in frame.columns if c != "part"]]]


@dataclass(frozen=True, eq=False)
class StoredResults(Result):
    """A ``results.json`` read back: read-only, with ``summary()``, ``tidy()`` and ``to_dict()``.

    Attributes
    ----------
    text : str
        The JSON text of the results (canonical form: keys in file order, no indentation).
    source : str
        The file it was read from.
    """

    text: str
    source: str

    title: ClassVar[str] = "evalexp results"

    def to_dict(self) -> dict[str, Any]:
        """The JSON as read (a fresh copy: editing it does not change this object)."""
        return json.loads(self.text)

    def tidy(self) -> pd.DataFrame:
        """One row per estimated quantity, by part: :func:`results_tidy` of the JSON."""
        return results_tidy(self.to_dict())

    def heading(self) -> str:
        title = self.to_dict().get("title")
        return f"{self.title}: {title}" if title else self.title

    def summary(self) -> str:
        record = self.to_dict()
        n, events = record["n"], record["events"]
        lines = [self.heading(), "=" * len(self.heading()), f"read from {Path(self.source).name}",
                 "n: " + ", ".join(f"{arm} {count}" for arm, count in n.items()) + "; ruptures: "
                 + ", ".join(f"{arm} {count}" for arm, count in events.items())]
        provenance = record.get("provenance")
        if isinstance(provenance, dict):
            inputs = provenance.get("input") or {}
            software = provenance.get("software") or {}
            lines.append(f"input {inputs.get('name')} (SHA-256 {str(inputs.get('sha256'))[:12]}...), "
                         f"evalexp {software.get('evalexp')}, seed {provenance.get('seed')}")
        table = self.tidy().to_string(index=False, float_format=lambda x: f"{x:.4g}")
        return "\n".join([*lines, "", table])


def read_results(path: str | Path) -> StoredResults:
    """Read a ``results.json`` back as a read-only results object.

    Parameters
    ----------
    path : str or Path
        A file written by ``evalexp analyze --json`` or ``json.dump(analysis.to_dict())``.

    Returns
    -------
    StoredResults
        ``to_dict()`` gives the JSON as read; ``tidy()`` the estimates by part and JSON pointer.

    Raises
    ------
    UnreadableFileError
        The file cannot be read, is not JSON, has another ``schema_version`` or lacks
        ``n``, ``events`` or ``survival``.

    Examples
    --------
    >>> import evalexp as ee                                    # doctest: +SKIP
    >>> a = ee.read_results("run1/results.json")                # doctest: +SKIP
    >>> a.tidy().query("part == 'survival'")                    # doctest: +SKIP
    """
    record = load_results_json(path)
    return StoredResults(text=json.dumps(record, ensure_ascii=False), source=str(path))
