"""A cohort file analysed out of core: the engine's counts, the estimators on them, provenance."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from ..errors import ArgumentError
from ..plan import Plan
from ..provenance import provenance
from .counts import CountsAnalysis, analyze_counts


def analyze_out_of_core(path: str | Path, plan: Plan, engine: str,
                        command_line: Sequence[str] | None = None, *,
                        spark_master: str | None = None) -> CountsAnalysis:
    """Read, validate and aggregate ``path`` with ``engine``, then :func:`evalexp.engine.counts.analyze_counts`.

    Parameters
    ----------
    path : str or Path
        CSV or Parquet cohort.
    plan : Plan
    engine : {"duckdb", "spark"}
        The out-of-core engine (:func:`evalexp.engine.choose.choose_engine`).
    command_line : sequence of str, optional
        Recorded in ``results.json["provenance"]``.
    spark_master : str, optional
        With ``engine="spark"``: the master URL (:func:`evalexp.engine.spark.spark_session`).

    Raises
    ------
    ArgumentError
        An engine this installation does not provide.
    InputError, HorizonError, AnalysisError
        As the memory engine.
    """
    if engine == "spark":
        from . import spark

        counts = spark.load_counts(str(path), plan, spark.spark_session(spark_master))
    elif engine == "duckdb":
        from .duckdb_engine import load_counts

        counts = load_counts(path, plan)
    else:
        raise ArgumentError(f"--engine {engine}: not available in this installation (duckdb, spark or memory)")
    result = analyze_counts(counts)
    return dataclasses.replace(result, provenance=provenance(str(path), plan.source, plan.inference.seed,
                                                             command_line))
