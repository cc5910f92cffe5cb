"""Complete randomisation within strata, with an audit record from which anyone can re-derive it.

The assignment is a pure function of the roster's identifiers and strata, the seed
and the allocation ratio ``a:b`` (treatment:control):

1. The roster is canonicalised: ``participant_id`` and ``stratum`` (the strata column,
   or ``""`` without strata) as text, rows sorted by ``participant_id`` (code-point
   order), so the input order does not matter.
2. One generator, ``numpy.random.default_rng(seed)`` (PCG64), visits the strata in
   sorted order of their labels.
3. In a stratum of ``n`` participants the number treated is ``m = floor(n a / (a + b))``,
   plus one when a uniform draw ``u < (n a mod (a + b)) / (a + b)`` (drawn only when that
   remainder is not 0): each stratum's arm sizes are fixed up to one unit and every
   participant's probability of treatment is exactly ``a / (a + b)`` (the convention of
   R ``randomizr::block_ra`` / ``complete_ra`` for non-integer ``n p``).
4. ``rng.permutation(n)`` of the stratum's rows (in identifier order); the first ``m``
   are treated.

The audit record holds the seed, the ratio, the strata column, the method, the
evalexp and NumPy versions, the UTC date, and the SHA-256 of the canonical roster
(CSV ``participant_id,stratum``) and of the canonical assignment (CSV
``participant_id,stratum,arm``, exactly the bytes of the assignment file), both
UTF-8 with LF line ends, Python ``csv`` minimal quoting, sorted by identifier.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import DuplicateIdError, EvalexpError, InvalidValueError, MissingColumnError
from ..plan import ARMS, Plan
from ..readers import read_table
from ..results import Result, tidy_frame

METHOD = "complete randomisation within strata"
AUDIT_FORMAT = "evalexp-randomization-audit/1"


def _canonical_csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False, name=None))
    return buffer.getvalue()


def sha256_text(text: str) -> str:
    """Hex SHA-256 of the UTF-8 encoding of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_roster(roster: pd.DataFrame, *, id_column: str = "participant_id", strata: str | None = None,
                     source: str = "<roster>") -> pd.DataFrame:
    """The roster reduced to ``participant_id`` and ``stratum`` (text), sorted by identifier.

    Raises
    ------
    MissingColumnError, InvalidValueError, DuplicateIdError
        The identifier or strata column is absent, has an empty cell, or an identifier repeats.
    """
    for column in (id_column, strata):
        if column is not None and column not in roster.columns:
            raise MissingColumnError(source, column, "required column is missing from the roster")
    ids = roster[id_column]
    lines = [(i + 2, str(pid)) for i, pid in enumerate(ids)]
    empty_id = [lines[i] for i in np.flatnonzero(ids.isna().to_numpy() | (ids.astype(str).str.strip() == ""))]
    if empty_id:
        raise InvalidValueError(source, id_column, "empty participant identifier", empty_id)
    out = pd.DataFrame({"participant_id": ids.astype(str).str.strip().to_numpy()})
    if strata is None:
        out["stratum"] = ""
    else:
        values = roster[strata]
        empty = np.flatnonzero(values.isna().to_numpy() | (values.astype(str).str.strip() == ""))
        if len(empty):
            raise InvalidValueError(source, strata, "empty stratum", [lines[i] for i in empty])
        out["stratum"] = values.astype(str).str.strip().to_numpy()
    repeated = np.flatnonzero(out["participant_id"].duplicated(keep=False).to_numpy())
    if len(repeated):
        raise DuplicateIdError(source, id_column, "duplicate participant identifier",
                               [lines[i] for i in repeated])
    order = np.argsort(out["participant_id"].to_numpy(dtype=str), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def _draw_arms(canonical: pd.DataFrame, seed: int, ratio: tuple[int, int]) -> np.ndarray:
    a, b = ratio
    rng = np.random.default_rng(seed)
    arms = np.full(len(canonical), "control", dtype=object)
    strata = canonical["stratum"].to_numpy(dtype=str)
    for label in sorted(set(strata)):
        rows = np.flatnonzero(strata == label)
        n = len(rows)
        m, remainder = divmod(n * a, a + b)
        if remainder and rng.random() < remainder / (a + b):
            m += 1
        arms[rows[rng.permutation(n)[:m]]] = "treatment"
    return arms


def parse_ratio(text: str | tuple[int, int]) -> tuple[int, int]:
    """``"2:1"`` -> ``(2, 1)``; positive whole numbers treatment:control."""
    parts = text.split(":") if isinstance(text, str) else list(text)
    try:
        a, b = (int(p) for p in parts)
    except (TypeError, ValueError):
        raise EvalexpError(f"the ratio must be two positive whole numbers 'a:b', got {text!r}") from None
    if a < 1 or b < 1:
        raise EvalexpError(f"the ratio must be two positive whole numbers 'a:b', got {text!r}")
    return a, b


@dataclass(frozen=True, eq=False)
class Assignment(Result):
    """A randomised assignment and its audit record.

    Attributes
    ----------
    table : pandas.DataFrame
        ``participant_id``, ``stratum``, ``arm`` (``treatment``/``control``), sorted by identifier.
    audit : dict
        The audit record (module docstring), JSON-ready.
    """

    table: pd.DataFrame
    audit: dict[str, Any]

    title: ClassVar[str] = "Randomised assignment"

    def counts(self) -> pd.DataFrame:
        """Participants per stratum (rows) and arm (columns)."""
        return pd.DataFrame.from_dict(self.audit["strata_sizes"], orient="index", columns=list(ARMS))

    def to_csv(self) -> str:
        """The canonical assignment CSV (the assignment file's exact content)."""
        return _canonical_csv(self.table)

    def conventions(self) -> str:
        return (f"{METHOD}, ratio {self.audit['ratio'][0]}:{self.audit['ratio'][1]}, seed {self.audit['seed']}, "
                "numpy default_rng (PCG64); remainder unit by a uniform draw (randomizr convention); "
                f"roster SHA-256 {self.audit['roster_sha256'][:12]}...")

    def tidy(self) -> pd.DataFrame:
        counts = self.counts()
        return tidy_frame([{"term": f"{stratum or 'all'}:{arm}", "estimate": counts.loc[stratum, arm]}
                           for stratum in counts.index for arm in ARMS])

    def to_dict(self) -> dict[str, Any]:
        return dict(self.audit)


def randomize(roster: pd.DataFrame, *, id_column: str = "participant_id", strata: str | None = None,
              ratio: tuple[int, int] | str = (1, 1), seed: int, source: str = "<roster>") -> Assignment:
    """Assign a roster to treatment and control by complete randomisation within strata.

    Parameters
    ----------
    roster : pandas.DataFrame
        One row per participant; other columns than ``id_column`` and ``strata`` are ignored.
    id_column : str
        Identifier column (unique, non-empty).
    strata : str, optional
        Stratum (block) column; ``None`` randomises the whole roster as one block.
    ratio : (int, int) or str
        Allocation ratio treatment:control, e.g. ``(2, 1)`` or ``"2:1"``.
    seed : int
        Seed of ``numpy.random.default_rng``.
    source : str
        Name of the roster in error messages and in the audit record.

    Returns
    -------
    Assignment
        The table and its audit record; see the module docstring for the algorithm.
    """
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise EvalexpError(f"the seed must be a non-negative whole number, got {seed!r}")
    ratio = parse_ratio(ratio)
    canonical = canonical_roster(roster, id_column=id_column, strata=strata, source=source)
    table = canonical.assign(arm=_draw_arms(canonical, int(seed), ratio))
    sizes = {str(label): {arm: 0 for arm in ARMS} for label in sorted(set(table["stratum"]))}
    for label, arm in zip(table["stratum"], table["arm"]):
        sizes[label][arm] += 1
    audit = {
        "format": AUDIT_FORMAT,
        "method": METHOD,
        "algorithm": "ids sorted; numpy.random.default_rng(seed); strata in sorted order; "
                     "m = floor(n a/(a+b)) (+1 if rng.random() < (n a mod (a+b))/(a+b)); "
                     "rng.permutation(n)[:m] treated",
        "seed": int(seed),
        "ratio": list(ratio),
        "strata": strata,
        "id_column": id_column,
        "roster": str(source),
        "n": len(table),
        "arms": {arm: sum(size[arm] for size in sizes.values()) for arm in ARMS},
        "strata_sizes": sizes,
        "evalexp_version": __version__,
        "numpy_version": np.__version__,
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "roster_sha256": sha256_text(_canonical_csv(canonical)),
        "assignment_sha256": sha256_text(_canonical_csv(table)),
    }
    return Assignment(table=table, audit=audit)


@dataclass(frozen=True, eq=False)
class VerifyResult(Result):
    """Outcome of :func:`verify_assignment`: ``ok`` and each check ``(name, passed, detail)``."""

    ok: bool
    checks: tuple[tuple[str, bool, str], ...]

    title: ClassVar[str] = "Verification of a randomised assignment"

    def failures(self) -> list[str]:
        """Details of the failed checks."""
        return [detail for _, passed, detail in self.checks if not passed]

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([{"term": name, "estimate": float(passed)} for name, passed, _ in self.checks])

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [{"check": name, "passed": passed, "detail": detail}
                                          for name, passed, detail in self.checks]}

    def summary(self) -> str:
        lines = [self.heading(), "=" * len(self.heading()), "verified" if self.ok else "NOT verified"]
        lines += [f"  [{'ok' if passed else 'FAILED'}] {name}: {detail}" for name, passed, detail in self.checks]
        return "\n".join(lines)


def _assignment_frame(assignment: Assignment | pd.DataFrame) -> pd.DataFrame:
    frame = assignment.table if isinstance(assignment, Assignment) else assignment
    missing = [c for c in ("participant_id", "stratum", "arm") if c not in frame.columns]
    if missing:
        raise EvalexpError(f"the assignment lacks the column(s) {', '.join(missing)}")
    frame = frame[["participant_id", "stratum", "arm"]].fillna("").astype(str)
    order = np.argsort(frame["participant_id"].to_numpy(dtype=str), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def verify_assignment(roster: pd.DataFrame, assignment: Assignment | pd.DataFrame, audit: dict[str, Any], *,
                      expected_seed: int | None = None, source: str = "<roster>") -> VerifyResult:
    """Check that an assignment is the one its audit record says, from this roster.

    Checks, each reported:

    - ``roster``: the SHA-256 of the canonical roster equals ``audit["roster_sha256"]``
      (a participant added, removed, renamed or moved to another stratum fails it);
    - ``assignment``: the SHA-256 of the canonical assignment equals
      ``audit["assignment_sha256"]`` (an arm changed after the fact fails it);
    - ``re-derivation``: :func:`randomize` with the audit's seed, ratio and strata on this
      roster gives exactly this assignment (a seed or ratio edited in the record fails it);
    - ``seed`` (only with ``expected_seed``, e.g. the pre-registered plan's): the audit's
      seed is that one.
    """
    try:
        seed, ratio, strata = audit["seed"], tuple(audit["ratio"]), audit["strata"]
        id_column = audit.get("id_column", "participant_id")
        roster_hash, assignment_hash = audit["roster_sha256"], audit["assignment_sha256"]
    except (KeyError, TypeError) as exc:
        raise EvalexpError(f"the audit record lacks the field {exc}") from None
    canonical = canonical_roster(roster, id_column=id_column, strata=strata, source=source)
    given = _assignment_frame(assignment)
    checks = []
    got = sha256_text(_canonical_csv(canonical))
    checks.append(("roster", got == roster_hash,
                   "roster matches the audit record" if got == roster_hash else
                   f"roster SHA-256 {got[:12]}... differs from the audit's {roster_hash[:12]}..."))
    got = sha256_text(_canonical_csv(given))
    checks.append(("assignment", got == assignment_hash,
                   "assignment matches the audit record" if got == assignment_hash else
                   f"assignment SHA-256 {got[:12]}... differs from the audit's {assignment_hash[:12]}..."))
    derived = randomize(roster, id_column=id_column, strata=strata, ratio=ratio, seed=seed, source=source).table
    same = derived.shape == given.shape and bool((derived.to_numpy() == given.to_numpy()).all())
    if same:
        detail = f"re-derived from seed {seed}, ratio {ratio[0]}:{ratio[1]}: identical"
    else:
        merged = derived.merge(given, on="participant_id", how="outer", suffixes=("", "_given"), indicator=True)
        differ = int(((merged["_merge"] != "both") | (merged["arm"] != merged["arm_given"])
                      | (merged["stratum"] != merged["stratum_given"])).sum())
        detail = f"re-derived from seed {seed}, ratio {ratio[0]}:{ratio[1]}: {differ} participant(s) differ"
    checks.append(("re-derivation", same, detail))
    if expected_seed is not None:
        checks.append(("seed", int(seed) == int(expected_seed),
                       f"audit seed {seed}, expected {expected_seed}"))
    return VerifyResult(ok=all(passed for _, passed, _ in checks), checks=tuple(checks))


def audit_path(out: str | Path) -> Path:
    """Where the audit record of assignment file ``out`` lives: ``<stem>.audit.json`` beside it."""
    out = Path(out)
    return out.with_name(f"{out.stem}.audit.json")


def read_roster(path: str | Path, plan: Plan | None = None) -> pd.DataFrame:
    """Read a roster file with :func:`evalexp.readers.read_table` (CSV cells kept as text, so
    identifiers such as ``007`` stay as written); the plan's ``[columns]`` mapping renames
    source columns to canonical names.
    """
    frame = read_table(path, sheet=plan.data.sheet if plan is not None else 0,
                       header_row=plan.data.header_row if plan is not None else 1).data
    if plan is not None and plan.columns:
        frame = frame.rename(columns={src: canon for src, canon in plan.columns.items() if src in frame.columns})
    return frame
