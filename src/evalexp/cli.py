"""The ``evalexp`` command line (docs/CONTRACT.md section 3).

Exit status 0 on success, 2 on bad input (an :class:`~evalexp.errors.EvalexpError`:
the message on stderr, no traceback, no output written).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .errors import EvalexpError


def _add_key(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key-file", type=Path, default=None,
                        help="file holding the secret key of the participant pseudonyms "
                             "(HMAC-SHA256); default: a random key for this run")


def _read_key(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes().strip()
    except OSError as exc:
        raise EvalexpError(f"{path}: cannot read the pseudonym key: {exc.strerror}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalexp",
        description="Evaluate randomised experiments of youth-employment support "
                    "(contract ruptures, employment outcomes).")
    parser.add_argument("--version", action="version", version=f"evalexp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("analyze", help="run the pre-specified analysis and write results.json",
                       description="Run the plan's analysis on a cohort and write only the results JSON.")
    p.add_argument("cohort", type=Path, help="cohort file (CSV, XLSX, Parquet, DTA, SAS7BDAT)")
    p.add_argument("--plan", type=Path, required=True, help="analysis plan (TOML)")
    p.add_argument("--json", type=Path, required=True, help="where to write results.json")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    _add_key(p)

    p = sub.add_parser("report", help="build the funders' report (HTML, PDF, figures, results.json)",
                       description="Build the bilingual funders' report into a directory.")
    p.add_argument("cohort", type=Path, help="cohort file")
    p.add_argument("--plan", type=Path, required=True, help="analysis plan (TOML)")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    _add_key(p)

    p = sub.add_parser("validate", help="check a cohort file and print a data-quality summary",
                       description="Load and validate a cohort; print counts, warnings, events and "
                                   "censoring per arm. Without --plan the file must use the canonical "
                                   "column names and arm labels.")
    p.add_argument("cohort", type=Path, help="cohort file")
    p.add_argument("--plan", type=Path, default=None, help="analysis plan (TOML) mapping the columns")
    _add_key(p)

    p = sub.add_parser("simulate", help="write a synthetic AGIR-like cohort with known truth",
                       description="Write a synthetic cohort in the canonical schema (stratum and site "
                                   "filled) and its true parameters as FILE.truth.json.")
    p.add_argument("--n", type=int, default=150, help="participants (default 150)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--hr", type=float, default=0.6, help="true treatment hazard ratio (default 0.6)")
    p.add_argument("--out", type=Path, required=True, help="output file (.csv or .parquet)")

    p = sub.add_parser("randomize", help="assign a roster to arms within strata, with an audit record",
                       description="Complete randomisation within strata with a fixed allocation ratio; "
                                   "writes the assignment and an audit record beside it (assignment.csv -> "
                                   "assignment.audit.json). "
                                   "With --verify, re-derive the assignment and check it was not altered.")
    p.add_argument("roster", type=Path, help="roster file (participant_id and the stratum column)")
    p.add_argument("--plan", type=Path, default=None, help="plan (strata column, seed)")
    p.add_argument("--out", type=Path, required=True, help="assignment file (CSV)")
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
    p.add_argument("--ratio", type=float, default=1.0, help="treated/control allocation ratio (default 1)")
    p.add_argument("--simulate", type=int, default=0,
                   help="also estimate power by this many simulated trials with the synthetic generator")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


def _analyze(args: argparse.Namespace) -> None:
    from ._files import atomic_write_text
    from .analysis import analyze
    from .load import load_cohort
    from .plan import load_plan

    plan = load_plan(args.plan)
    cohort = load_cohort(args.cohort, plan, key=_read_key(args.key_file))
    results = analyze(cohort, plan, progress=not args.quiet)
    atomic_write_text(args.json, json.dumps(results.to_dict(), indent=2, ensure_ascii=False) + "\n")


def _report(args: argparse.Namespace) -> None:
    from .load import load_cohort
    from .plan import load_plan
    from .report import build_report

    plan = load_plan(args.plan)
    cohort = load_cohort(args.cohort, plan, key=_read_key(args.key_file))
    build_report(cohort, plan, args.out, cohort_path=args.cohort, plan_path=args.plan,
                 command_line=["evalexp", *sys.argv[1:]], progress=not args.quiet)


def _validate(args: argparse.Namespace) -> None:
    from .load import load_cohort
    from .plan import default_plan, load_plan
    from .quality import quality_summary

    plan = load_plan(args.plan) if args.plan else default_plan()
    cohort = load_cohort(args.cohort, plan, key=_read_key(args.key_file))
    print(quality_summary(cohort).summary())


def _simulate(args: argparse.Namespace) -> None:
    from .simulate import simulate_to_file

    simulate_to_file(args.out, n=args.n, seed=args.seed, hazard_ratio=args.hr)


def _randomize(args: argparse.Namespace) -> None:
    from .integrity.randomize import randomize_command

    randomize_command(args)


def _power(args: argparse.Namespace) -> None:
    from .integrity.power import power_command

    power_command(args)


COMMANDS = {"analyze": _analyze, "report": _report, "validate": _validate, "simulate": _simulate,
            "randomize": _randomize, "power": _power}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``evalexp`` script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except EvalexpError as exc:
        print(f"evalexp {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
