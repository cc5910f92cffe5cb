"""The ``evalexp`` command line (docs/CONTRACT.md sections 3 and 5).

Exit status 0 on success; 2 on any failure, with a one-paragraph message on stderr
and never a Python traceback: bad input (an :class:`~evalexp.errors.EvalexpError`),
an output that may not or cannot be written, a system error (the path and the
system's reason), or an internal error (its type and message; set the environment
variable ``EVALEXP_DEBUG=1`` to get the Python traceback instead). Exit status 130
on Ctrl-C and 143 on SIGTERM, with no temporary file left behind. Outputs follow
:mod:`evalexp._files`: written whole or not at all, replacing only evalexp's own
files; ``--json -`` writes to standard output. Progress is shown on stderr only
when it is a terminal, and never with ``--quiet``. ``evalexp diff`` exits with 1
when the two results files differ (0 when equal, 2 on bad input).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

from . import __version__
from ._files import STDOUT, Target, check_target, is_results_file, read_json_object, write_output
from .errors import ArgumentError, EvalexpError

#: Exit status of a run interrupted by Ctrl-C (128 + SIGINT, the shell's convention).
EXIT_INTERRUPTED = 130

#: Exit status of a run stopped by SIGTERM (128 + SIGTERM), e.g. by ``timeout`` or a job scheduler.
EXIT_TERMINATED = 143

#: Exit status of ``evalexp diff`` when the two results files differ.
EXIT_DIFFERENT = 1

#: ``"generator"`` of the JSON written by ``evalexp validate --json``.
VALIDATE_GENERATOR = "evalexp validate"

#: Environment variable that makes an internal error show its Python traceback.
DEBUG_VARIABLE = "EVALEXP_DEBUG"

#: Longest part of an unexpected exception's message that an error paragraph repeats.
MAX_DETAIL = 300


def _add_key(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key-file", type=Path, default=None,
                        help="file holding the secret key of the participant pseudonyms "
                             "(HMAC-SHA256); default: a random key for this run")


def _read_key(path: Path | None) -> bytes | None:
    """The key in ``--key-file`` (surrounding white space stripped); an empty key is refused."""
    if path is None:
        return None
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise EvalexpError(f"{path}: cannot read the pseudonym key: {exc.strerror}") from None
    if not key:
        raise ArgumentError(f"{path}: the pseudonym key file is empty; put the secret key in it, or leave "
                            "out --key-file for a random key")
    return key


def _progress(args: argparse.Namespace) -> bool:
    """Show progress: not with ``--quiet``, and only when stderr is a terminal (not a log file)."""
    return not args.quiet and sys.stderr.isatty()


def _results_target(path: Path) -> Target:
    """``--json``: an existing file is replaced only if it is an evalexp results file."""
    return Target(path, is_results_file, "an evalexp results file (a JSON object with schema_version)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalexp",
        description="Evaluate randomised experiments of youth-employment support "
                    "(contract ruptures, employment outcomes).")
    parser.add_argument("--version", action="version", version=f"evalexp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("analyze", help="run the pre-specified analysis and write results.json",
                       description="Run the plan's analysis on a cohort and write only the results JSON.")
    p.add_argument("cohort", help="cohort file (CSV, XLSX, Parquet, DTA, SAS7BDAT; with --engine spark also any "
                                  "URI Spark reads: hdfs://, s3a://, ...)")
    p.add_argument("--plan", type=Path, required=True, help="analysis plan (TOML)")
    p.add_argument("--json", type=Path, required=True,
                   help="where to write results.json ('-': standard output); an existing file is replaced "
                        "only if it is an evalexp results file; its folder must exist")
    p.add_argument("--quiet", action="store_true", help="no progress display (shown only on a terminal)")
    _add_engine(p)
    _add_key(p)

    p = sub.add_parser("report", help="build the funders' report (HTML, PDF, figures, results.json)",
                       description="Build the bilingual funders' report into a directory.")
    p.add_argument("cohort", type=Path, help="cohort file")
    p.add_argument("--plan", type=Path, required=True, help="analysis plan (TOML)")
    p.add_argument("--out", type=Path, required=True,
                   help="output directory: created, or replaced if empty or an evalexp report (anything "
                        "else is refused); its parent must exist")
    p.add_argument("--audience", choices=("public", "evaluator"), default="public",
                   help="public (default): disclosure-controlled, may be published; evaluator: every "
                        "number, each output marked 'not for publication'")
    p.add_argument("--quiet", action="store_true", help="no progress display (shown only on a terminal)")
    p.add_argument("--lang", choices=("fr", "en"), default=None,
                   help="language of the report (default: the plan's language)")
    _add_engine(p)
    _add_key(p)

    p = sub.add_parser("validate", help="check a cohort file and print a data-quality summary",
                       description="Load and validate a cohort; print counts, warnings, events and "
                                   "censoring per arm. Without --plan the file must use the canonical "
                                   "column names and arm labels.")
    p.add_argument("cohort", type=Path, help="cohort file")
    p.add_argument("--plan", type=Path, default=None, help="analysis plan (TOML) mapping the columns")
    p.add_argument("--json", type=Path, default=None,
                   help="also write the data-quality summary as JSON to this file ('-': standard output, "
                        "instead of the text); an existing file is replaced only if evalexp validate wrote it")
    _add_key(p)

    p = sub.add_parser("simulate", help="write a synthetic AGIR-like cohort with known truth",
                       description="Write a synthetic cohort in the canonical schema (stratum and site "
                                   "filled) and its true parameters as FILE.truth.json.")
    p.add_argument("--n", type=int, default=150, help="participants (default 150)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--hr", type=float, default=0.6, help="true treatment hazard ratio (default 0.6)")
    p.add_argument("--out", type=Path, required=True,
                   help="output file (.csv or .parquet); an existing one is replaced only if evalexp "
                        "simulated it (its .truth.json says so)")

    p = sub.add_parser("randomize", help="assign a roster to arms within strata, with an audit record",
                       description="Complete randomisation within strata with a fixed allocation ratio; "
                                   "writes the assignment and an audit record beside it (assignment.csv -> "
                                   "assignment.audit.json). "
                                   "With --verify, re-derive the assignment and check it was not altered.")
    p.add_argument("roster", type=Path, help="roster file (participant_id and the stratum column)")
    p.add_argument("--plan", type=Path, default=None, help="plan (strata column, seed)")
    p.add_argument("--out", type=Path, required=True,
                   help="assignment file (CSV); never replaced: an assignment is drawn once")
    p.add_argument("--seed", type=int, default=None, help="seed (default: the plan's)")
    p.add_argument("--ratio", default="1:1", help="allocation ratio treatment:control (default 1:1)")
    p.add_argument("--strata", default=None, help="stratum column (default: the plan's, else none)")
    p.add_argument("--verify", action="store_true", help="verify an existing assignment and audit record")

    p = sub.add_parser("power", help="sample size, events and minimum detectable effects",
                       description="Events and sample size for a target hazard ratio (Schoenfeld, "
                                   "Freedman); minimum detectable hazard ratio and risk difference.")
    p.add_argument("--hr", type=float, default=None, help="target hazard ratio")
    p.add_argument("--n", type=int, default=None, help="total sample size (for the minimum detectable effect)")
    p.add_argument("--control-rate", type=float, default=0.25,
                   help="rupture share in the control arm by the horizon (default 0.25)")
    p.add_argument("--alpha", type=float, default=0.05, help="two-sided level (default 0.05)")
    p.add_argument("--power", type=float, default=0.8, help="power (default 0.8)")
    p.add_argument("--observed", type=float, default=1.0,
                   help="share followed up to the horizon, for the risk difference (default 1)")
    p.add_argument("--ratio", type=float, default=1.0, help="treated/control allocation ratio (default 1)")
    p.add_argument("--simulate", type=int, default=0,
                   help="also estimate the log-rank power by this many simulated trials at --control-rate and "
                        "--ratio (progress bar on a terminal)")
    p.add_argument("--quiet", action="store_true", help="no progress display (shown only on a terminal)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = sub.add_parser("calibrate", help="type-I error, power and CI coverage of the plan on simulated trials",
                       description="Simulate trials shaped like the cohort (strata, clusters, covariates, "
                                   "control-arm rupture and censoring distributions) under no effect and "
                                   "under --hr, run the plan's survival analysis on each, and write every "
                                   "method's rejection rate, CI coverage and Monte Carlo SE (CONTRACT.md 10).")
    p.add_argument("cohort", type=Path, help="cohort file")
    p.add_argument("--plan", type=Path, required=True, help="analysis plan (TOML)")
    p.add_argument("--reps", type=int, default=2000, help="simulated trials per scenario (default 2000)")
    p.add_argument("--out", type=Path, required=True, help="where to write calibration.json")
    p.add_argument("--hr", type=float, default=0.7, help="hazard ratio of the second scenario (default 0.7)")
    p.add_argument("--seed", type=int, default=None, help="seed (default: the plan's)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--permutations", type=int, default=1000,
                   help="re-randomisations of randomisation inference per trial, at most the plan's "
                        "(default 1000)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    _add_key(p)

    p = sub.add_parser("diff", help="compare two results.json files field by field",
                       description="Print the fields in which two results files differ (JSON pointer, A, B, "
                                   "relative difference). Exit status 0 when equal within --rtol, 1 when "
                                   "they differ, 2 on bad input.")
    p.add_argument("a", type=Path, help="first results.json")
    p.add_argument("b", type=Path, help="second results.json")
    p.add_argument("--rtol", type=float, default=0.0,
                   help="relative tolerance for numbers: |a-b| <= rtol*max(|a|,|b|) (default 0: exact)")
    return parser


def _add_engine(p: argparse.ArgumentParser) -> None:
    from .plan import ENGINES

    p.add_argument("--engine", choices=ENGINES, default=None,
                   help="memory (every analysis), duckdb (out of core: the analyses counts determine) or "
                        "auto (duckdb from a million rows); default: the plan's [data] engine, else auto; "
                        "spark: the same counts on a Spark session (pip install 'evalexp[spark]', Java 17+)")
    p.add_argument("--spark-master", default=None, metavar="URL",
                   help="with --engine spark: the cluster's master URL (spark://host:7077, yarn, k8s://https://host, "
                        "local[*]); without it, Spark Connect at $SPARK_REMOTE (sc://host:15002) when set, "
                        "else a local Spark (local[*])")


def _analyze(args: argparse.Namespace) -> None:
    from .analysis import analyze
    from .engine.choose import choose_engine
    from .load import load_cohort
    from .plan import load_plan

    target = _results_target(args.json)
    if str(args.json) != STDOUT:
        check_target(target)  # refused before the analysis runs, and checked again when written
    plan = load_plan(args.plan)
    engine = choose_engine(args.engine or plan.data.engine, args.cohort)
    if engine != "memory":
        from .engine.run import analyze_out_of_core

        record = analyze_out_of_core(args.cohort, plan, engine, command_line=["evalexp", *args.argv],
                                     spark_master=args.spark_master).to_dict()
    else:
        cohort = load_cohort(args.cohort, plan, key=_read_key(args.key_file))
        record = analyze(cohort, plan, progress=_progress(args), command_line=["evalexp", *args.argv]).to_dict()
    write_output(args.json, json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                 replaceable=target.replaceable, kind=target.kind)


def _report(args: argparse.Namespace) -> None:
    from .engine.choose import choose_engine
    from .load import load_cohort
    from .plan import load_plan
    from .report import build_report

    plan = load_plan(args.plan)
    if args.lang:
        plan = plan.in_language(args.lang)
    engine = choose_engine(args.engine or plan.data.engine, args.cohort)
    if engine != "memory":  # the report from the engine's counts (the sections they determine)
        from ._files import check_report_dir
        from .engine.run import analyze_out_of_core

        check_report_dir(args.out, inputs=(args.cohort, args.plan))  # refused before the analysis runs
        command_line = ["evalexp", *sys.argv[1:]]
        build_report(None, plan, args.out, cohort_path=args.cohort, plan_path=args.plan, command_line=command_line,
                     progress=_progress(args), audience=args.audience,
                     analysis=analyze_out_of_core(args.cohort, plan, engine, command_line=command_line,
                                                  spark_master=args.spark_master))
        return
    cohort = load_cohort(args.cohort, plan, key=_read_key(args.key_file))
    build_report(cohort, plan, args.out, cohort_path=args.cohort, plan_path=args.plan,
                 command_line=["evalexp", *sys.argv[1:]], progress=_progress(args),
                 audience=args.audience)


def _validate(args: argparse.Namespace) -> None:
    from .load import load_cohort
    from .plan import default_plan, load_plan
    from .provenance import file_record
    from .quality import quality_summary

    plan = load_plan(args.plan) if args.plan else default_plan()
    if args.json is not None and str(args.json) != STDOUT:
        check_target(_validate_target(args.json))
    cohort = load_cohort(args.cohort, plan, key=_read_key(args.key_file))
    quality = quality_summary(cohort)
    if args.json is None or str(args.json) != STDOUT:
        print(quality.summary())
    if args.json is not None:
        record = {"generator": VALIDATE_GENERATOR, "input": file_record(args.cohort), **quality.to_dict()}
        write_output(args.json, json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                     replaceable=_validate_target(args.json).replaceable, kind=_validate_target(args.json).kind)


def _is_validate_file(path: Path) -> bool:
    record = read_json_object(path)
    return record is not None and record.get("generator") == VALIDATE_GENERATOR


def _validate_target(path: Path) -> Target:
    """``validate --json``: an existing file is replaced only if ``evalexp validate`` wrote it."""
    return Target(path, _is_validate_file, "an evalexp validate summary (a JSON object with "
                                           f"\"generator\": \"{VALIDATE_GENERATOR}\")")


def _diff(args: argparse.Namespace) -> int:
    from .diff import diff_files

    found, text = diff_files(args.a, args.b, args.rtol)
    print(text)
    return EXIT_DIFFERENT if found else 0


def _simulate(args: argparse.Namespace) -> None:
    from .simulate import simulate_to_file

    simulate_to_file(args.out, n=args.n, seed=args.seed, hazard_ratio=args.hr)


def _randomize(args: argparse.Namespace) -> None:
    from .cli_commands import randomize_command

    randomize_command(args)


def _power(args: argparse.Namespace) -> None:
    from .cli_commands import power_command

    power_command(args)


def _calibrate(args: argparse.Namespace) -> None:
    from .calibrate import calibrate, write_calibration
    from .load import load_cohort
    from .plan import load_plan

    plan = load_plan(args.plan)
    cohort = load_cohort(args.cohort, plan, key=_read_key(args.key_file))
    result = calibrate(cohort, plan, reps=args.reps, hazard_ratio=args.hr, seed=args.seed,
                       workers=args.workers, permutations=args.permutations, quiet=args.quiet)
    write_calibration(result, args.out)


COMMANDS = {"analyze": _analyze, "report": _report, "validate": _validate, "simulate": _simulate,
            "randomize": _randomize, "power": _power,
            "calibrate": _calibrate, "diff": _diff}


def _system_error(exc: OSError) -> str:
    """An :class:`OSError` as ``path: reason`` (both paths for a rename)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    paths = [str(name) for name in (exc.filename, exc.filename2) if name is not None]
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


def _internal_error(exc: Exception) -> str:
    """One paragraph for an unexpected exception: its type and the start of its first line."""
    lines = str(exc).strip().splitlines()
    detail = lines[0][:MAX_DETAIL] if lines else ""
    return (f"internal error ({type(exc).__name__}{': ' + detail if detail else ''}). This is a fault of "
            f"evalexp, not of your files: please report it with the command that caused it ({DEBUG_VARIABLE}=1 "
            "shows the Python traceback)")


def _stdout_closed() -> None:
    """Standard output was closed by its reader (``| head``): silence the final flush."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM: unwind like Ctrl-C (temporary files removed on the way), exit status 143."""
    print("\nevalexp: terminated", file=sys.stderr)
    raise SystemExit(EXIT_TERMINATED)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``evalexp`` script; returns the exit status (module docstring)."""
    args = build_parser().parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)
    debug = os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if on_main_thread else None
    try:
        return _run(args, debug)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, debug: bool) -> int:
    """Run the command; turn every failure into its exit status and one paragraph on stderr."""
    try:
        status = COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print(f"\nevalexp {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except EvalexpError as exc:
        message = str(exc)
    except BrokenPipeError:
        _stdout_closed()
        message = "standard output was closed before everything was written"
    except OSError as exc:
        if debug:
            raise
        message = _system_error(exc)
    except MemoryError:
        message = "not enough memory for this run (a smaller sample size, fewer simulations or permutations?)"
    except Exception as exc:  # the last barrier before a traceback (docs/CONTRACT.md section 5)
        if debug:
            raise
        message = _internal_error(exc)
    else:
        return status or 0
    print(f"evalexp {args.command}: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
