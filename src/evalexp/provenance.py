"""Provenance of a ``results.json``: what produced it (CONTRACT.md section 11).

``results.json["provenance"]`` records the input file and the plan by base name and
SHA-256, the versions of evalexp, Python and the numerical dependencies, the seed of
the randomisation inference and the command line with every path reduced to its base
name. No absolute path, user name or host name is recorded, so two evaluators' runs
on the same files give the same provenance apart from the versions they use.
"""
from __future__ import annotations

import platform
import re
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from ._files import sha256_file

#: Distributions whose versions are recorded (the ones that compute the numbers).
DEPENDENCIES = ("numpy", "pandas", "scipy", "statsmodels", "lifelines")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def file_record(source: str | Path) -> dict[str, Any]:
    """``{"name", "sha256"}`` of a file: base name only, SHA-256 ``None`` when it is not a file on disk."""
    path = Path(str(source))
    return {"name": path.name, "sha256": sha256_file(path) if path.is_file() else None}


def base_name(arg: str) -> str:
    """``arg`` with a path cut to its base name: ``/home/x/r.json`` -> ``r.json``, ``--json=/x/r`` -> ``--json=r``."""
    option, equals, value = arg.partition("=") if arg.startswith("-") else ("", "", arg)
    name = re.split(r"[/\\]", value.rstrip("/\\"))[-1]
    return option + equals + (name or value)


def provenance(cohort_source: str, plan_source: str, seed: int,
               command_line: Sequence[str] | None = None) -> dict[str, Any]:
    """The ``provenance`` object of ``results.json``.

    Parameters
    ----------
    cohort_source, plan_source : str
        Paths of the cohort file and the plan (``Cohort.source``, ``Plan.source``); only
        their base names and SHA-256 are recorded.
    seed : int
        Seed of the randomisation inference (``[inference] seed``).
    command_line : sequence of str, optional
        The command that ran the analysis; each path is cut to its base name
        (:func:`base_name`). ``None`` when called from Python.

    Returns
    -------
    dict
        ``input``, ``plan`` (``{"name", "sha256"}``), ``software`` (evalexp, python and
        :data:`DEPENDENCIES` versions), ``seed``, ``command_line``.
    """
    return {
        "input": file_record(cohort_source),
        "plan": file_record(plan_source),
        "software": {"evalexp": __version__, "python": platform.python_version(),
                     **{name: _version(name) for name in DEPENDENCIES}},
        "seed": seed,
        "command_line": [base_name(str(arg)) for arg in command_line] if command_line is not None else None,
    }
