"""Import cost of ``import evalexp`` and ``evalexp --help`` against ``import numpy, pandas``. Prints; asserts nothing.

Each statement runs ``--runs`` times in a fresh interpreter with ``-X importtime``; the
cumulative microseconds of its top-level imports are summed and the median is reported,
with the ratio to numpy + pandas (issue 18's target: at most 1.3). Byte-code is written
to a temporary ``PYTHONPYCACHEPREFIX`` and ``PYTHONDONTWRITEBYTECODE`` is unset, so that
every run after the first reads compiled files, as an installed package does
(LIBRARY-NOTES).

Usage: python benchmarks/imports.py [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

STATEMENTS = {
    "numpy + pandas": "import numpy, pandas",
    "import evalexp": "import evalexp",
    "evalexp --help": "import evalexp.cli; evalexp.cli.build_parser().format_help()",
}


def import_microseconds(statement: str, env: dict[str, str]) -> int:
    """Sum of the cumulative import times (us) of the top-level imports of ``statement``."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], env=env, check=True,
                         capture_output=True, text=True).stderr
    total = 0
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if not name.startswith("  ") and cumulative.strip().isdigit():  # top level: one leading space
                total += int(cumulative)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        for statement in STATEMENTS.values():  # warm-up: compile once
            import_microseconds(statement, env)
        medians = {label: statistics.median(import_microseconds(s, env) for _ in range(args.runs))
                   for label, s in STATEMENTS.items()}
    base = medians["numpy + pandas"]
    for label, us in medians.items():
        print(f"{label:16s} {us / 1000:8.1f} ms   ratio to numpy + pandas {us / base:.2f}")


if __name__ == "__main__":
    main()
