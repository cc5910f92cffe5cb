"""The ``evalexp randomize`` and ``evalexp power`` commands: arguments in, files and console text out.

The statistics live in :mod:`evalexp.integrity.randomize` and :mod:`evalexp.integrity.power`
(functions returning results objects); this module holds only what the command line adds:
reading the arguments, writing the files, and the text printed on the console.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from ._files import Target, write_files
from .errors import EvalexpError, OutputError
from .integrity.power import power_calculation
from .integrity.randomize import VerifyResult, audit_path, randomize, read_roster, verify_assignment
from .plan import load_plan


def verification_text(result: VerifyResult) -> str:
    """The console report of ``evalexp randomize --verify``: the verdict, then one line per check."""
    lines = [("assignment verified" if result.ok else "assignment NOT verified")]
    lines += [f"  [{'ok' if passed else 'FAILED'}] {name}: {detail}" for name, passed, detail in result.checks]
    return "\n".join(lines)


def randomize_command(args: argparse.Namespace) -> None:
    """``evalexp randomize``: write ``OUT`` and ``<stem>.audit.json``, or check them with ``--verify``.

    The seed is ``--seed``, else the plan's ``inference.seed``; the strata column is
    ``--strata``, else the plan's ``survival.strata``, else none. With ``--verify`` the
    seed, ratio and strata come from the audit record; a seed given by ``--seed`` or the
    plan must equal the audit's. A failed verification raises :class:`EvalexpError`
    (exit status 2).

    An assignment is drawn once: an existing ``OUT`` or audit record is refused
    (:class:`~evalexp.errors.OutputError`, nothing written), never replaced by a new
    draw. Both files are written together, or neither (:func:`evalexp._files.write_files`).
    """
    plan = load_plan(args.plan) if args.plan else None
    seed = args.seed if args.seed is not None else (plan.inference.seed if plan else None)
    strata = args.strata if args.strata is not None else (plan.survival.strata if plan else None)
    roster = read_roster(args.roster, plan)
    record = audit_path(args.out)
    if args.verify:
        try:
            audit = json.loads(record.read_text(encoding="utf-8"))
            given = pd.read_csv(args.out, dtype=str, keep_default_na=False)
        except FileNotFoundError as exc:
            raise EvalexpError(f"{exc.filename}: not found (nothing to verify)") from None
        except (OSError, ValueError) as exc:
            raise EvalexpError(f"cannot read the assignment or its audit record: {exc}") from None
        result = verify_assignment(roster, given, audit, expected_seed=seed, source=str(args.roster))
        if not result.ok:
            raise EvalexpError(f"{args.out}: verification failed: " + "; ".join(result.failures()))
        print(verification_text(result))
        return
    for path in (Path(args.out), record):
        if path.exists() or path.is_symlink():
            raise OutputError(f"{path}: already exists: an assignment is drawn once and never replaced by a "
                              "new draw (check it with --verify, or choose another --out); nothing was written")
    if seed is None:
        raise EvalexpError("a seed is needed: give --seed or a plan (--plan) with [inference] seed")
    assignment = randomize(roster, strata=strata, ratio=args.ratio, seed=seed, source=str(args.roster))
    write_files({Target(Path(args.out)): assignment.to_csv().encode("utf-8"),
                 Target(record): (json.dumps(assignment.audit, indent=2, ensure_ascii=False) + "\n").encode("utf-8")})
    arms = assignment.audit["arms"]
    print(f"{args.out}: {arms['treatment']} treatment, {arms['control']} control "
          f"({len(assignment.audit['strata_sizes'])} strata); audit record {record}")


def power_command(args: argparse.Namespace) -> None:
    """``evalexp power``: print the design calculation as text or, with ``--json``, as JSON."""
    result = power_calculation(hazard_ratio=args.hr, n=args.n, control_rate=args.control_rate,
                               alpha=args.alpha, power=args.power, ratio=args.ratio,
                               simulations=args.simulate, observed=args.observed,
                               progress=not args.quiet and sys.stderr.isatty())
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.summary())
