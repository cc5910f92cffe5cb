"""Which engine analyses a file: ``--engine`` / ``[data] engine``, and ``auto``'s size rule.

``auto`` (the default) keeps the memory engine (every analysis of the plan) for files that fit
comfortably and switches to DuckDB (the analyses that counts determine, out of core) from about
a million participants:

- Parquet: from :data:`AUTO_ROWS` rows (the file's metadata gives the number);
- CSV / TXT: from :data:`AUTO_CSV_BYTES` bytes (about :data:`AUTO_ROWS` rows of the canonical
  layout, 128 bytes a row: the demonstration cohort's);
- other formats (Excel, Stata, SAS): always the memory engine (DuckDB does not read them).

At a million rows the memory engine needs about 2 GB and a few minutes
(``benchmarks/engine_results.md``); beyond, its memory grows linearly while DuckDB's stays flat.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from ..errors import ArgumentError
from ..plan import ENGINES

AUTO_ROWS = 1_000_000
AUTO_CSV_BYTES = 128 * AUTO_ROWS


def choose_engine(requested: str, path: str | Path) -> str:
    """``memory`` or ``duckdb`` (or ``spark`` when requested) for the file at ``path``.

    Raises
    ------
    ArgumentError
        ``requested`` is not one of :data:`evalexp.plan.ENGINES`.
    """
    if requested not in ENGINES:
        raise ArgumentError(f"--engine must be one of {', '.join(ENGINES)}, got {requested!r}")
    if requested != "auto":
        return requested
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet" and path.is_file():
        found = duckdb.execute("SELECT num_rows FROM parquet_file_metadata(?)", [str(path)]).fetchone()
        return "duckdb" if found is not None and found[0] >= AUTO_ROWS else "memory"
    if suffix in (".csv", ".txt") and path.is_file():
        return "duckdb" if path.stat().st_size >= AUTO_CSV_BYTES else "memory"
    return "memory"
