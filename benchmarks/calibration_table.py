"""The markdown table of ``benchmarks/calibration_results.md`` from ``benchmarks/calibration.py --out DIR``.

Usage: ``python benchmarks/calibration_table.py DIR [--scenarios n150 n60 ...]``. One row per
(scenario, method, sibling): the contract's method on the left, its ``small_sample`` or
``few_clusters`` sibling on the right. "calibrated" = CONTRACT section 10 in both scenarios (no
effect, the alternative) and no replicate where the method was not computed. Then one line per
scenario: replicates that failed as a whole (the analysis aborted) and the run time, and the
methods the report shows at that size under ``[inference] small_sample = "auto"`` (a method's
sibling in its place below 500 participants or 50 clusters) with those not calibrated.
"""
import argparse
import json
from pathlib import Path

from calibration import SCENARIOS

from evalexp.small_sample import shows_small_sample

SUFFIXES = ("_small_sample", "_few_clusters")
ORDER = ("n150", "n60", "n60u", "sites10", "sites30", "n1000")


def pct(value) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def cells(null: dict, alt: dict) -> tuple[list[str], int, str]:
    not_computed = null["not_computed"] + alt.get("not_computed", 0)
    flags = [m.get("calibrated") for m in (null, alt) if m.get("calibrated") is not None]
    ok = bool(flags) and all(flags) and not_computed == 0
    return ([pct(null["rejection_rate"]), pct(null.get("coverage")), pct(alt.get("coverage"))], not_computed,
            "yes" if ok else "no")


def rows(name: str, result: dict) -> list[str]:
    null, alt = result["scenarios"]
    methods = null["methods"]
    out = []
    for method in methods:
        if method.endswith(SUFFIXES):
            continue
        left, not_computed, ok = cells(methods[method], alt["methods"].get(method, {}))
        siblings = [method + s for s in SUFFIXES if method + s in methods] or [None]
        for sibling in siblings:
            right = ["", "", "", "", ""]
            if sibling is not None:
                values, sib_nc, sib_ok = cells(methods[sibling], alt["methods"].get(sibling, {}))
                right = [sibling, *values, f"{sib_ok} ({sib_nc})" if sib_nc else sib_ok]
            out.append(f"| {name} ({result['reps']}) | {method} | {' | '.join(left)} | {not_computed} | {ok} | "
                       f"{' | '.join(right)} |")
    return out


def shown(name: str, result: dict) -> tuple[list[str], list[str]]:
    """The methods the report shows in scenario ``name`` and those of them not calibrated."""
    null, alt = result["scenarios"]
    methods = null["methods"]
    spec = SCENARIOS[name.removesuffix("_firth")]
    siblings = shows_small_sample("auto", spec["n"], spec["n_sites"] if spec["cluster"] else None)
    out, failing = [], []
    for method in methods:
        if method.endswith(SUFFIXES):
            continue
        # a few-clusters sibling wins over a small-sample one (evalexp.report.calibration.SIBLINGS)
        chosen = next((method + s for s in reversed(SUFFIXES) if siblings and method + s in methods), method)
        out.append(chosen)
        if cells(methods[chosen], alt["methods"].get(chosen, {}))[2] != "yes":
            failing.append(chosen)
    return out, failing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--scenarios", nargs="*", default=list(ORDER))
    args = parser.parse_args()
    print("| scenario (reps) | method | type-I | cov. H0 | cov. HR 0.6 | not computed | calibrated | "
          "sibling | type-I | cov. H0 | cov. HR 0.6 | calibrated (not computed) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    notes = []
    for name in args.scenarios:
        path = args.folder / f"{name}.json"
        if not path.exists():
            notes.append(f"- `{name}`: not run")
            continue
        result = json.loads(path.read_text())
        print("\n".join(rows(name, result)))
        failed = [sum(s["failed_replicates"].values()) for s in result["scenarios"]]
        notes.append(f"- `{name}`: {result['reps']} replicates per scenario, {result['permutations']['used']} "
                     f"re-randomisations, failed replicates (no effect / HR {result['scenarios'][1]['hazard_ratio']}):"
                     f" {failed[0]} / {failed[1]}, {result['seconds']:.0f} s on {result['workers']} workers")
        methods, failing = shown(name, result)
        notes.append(f"  - shown by the report: {len(methods)} methods, {len(methods) - len(failing)} calibrated"
                     + (f"; not: {', '.join(failing)}" if failing else ""))
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
