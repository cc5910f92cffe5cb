"""Specification of evalexp.integrity.randomize: complete randomisation within strata and its audit.

randomizr is not installed; the distributional checks use the closed forms of complete
randomisation (the design of randomizr::block_ra): with m of n treated, P(i treated) = m/n and
P(i and j treated) = m(m-1)/(n(n-1)); with n p not whole, m = ceil(n p) with probability
n p - floor(n p). Tolerances are 4.5 binomial standard errors over the seeds drawn.
"""
import hashlib
import json
import math

import numpy as np
import pandas as pd
import pytest

from evalexp.cli import main
from evalexp.errors import DuplicateIdError, EvalexpError, InvalidValueError, MissingColumnError
from evalexp.integrity.randomize import audit_path, parse_ratio, randomize, verify_assignment

SEEDS = range(1000)


def roster(sizes: dict[str, int]) -> pd.DataFrame:
    rows = [(f"{s}{i:03d}", s) for s, n in sizes.items() for i in range(n)]
    return pd.DataFrame(rows, columns=["participant_id", "stratum"]).assign(age=20)


def test_assignment_does_not_depend_on_roster_order():
    base = roster({"A": 9, "B": 12})
    shuffled = base.sample(frac=1, random_state=4).reset_index(drop=True)
    first = randomize(base, strata="stratum", seed=11)
    second = randomize(shuffled, strata="stratum", seed=11)
    pd.testing.assert_frame_equal(first.table, second.table)
    assert first.audit["roster_sha256"] == second.audit["roster_sha256"]
    assert first.audit["assignment_sha256"] == second.audit["assignment_sha256"]


def test_same_seed_rederives_and_another_seed_differs():
    r = roster({"A": 30})
    assert randomize(r, seed=5).table.equals(randomize(r, seed=5).table)
    assert not randomize(r, seed=5).table.equals(randomize(r, seed=6).table)


def test_arm_sizes_are_fixed_within_each_stratum():
    r = roster({"A": 10, "B": 7, "C": 1})
    for seed in range(50):
        counts = randomize(r, strata="stratum", seed=seed).counts()
        assert tuple(counts.loc["A"]) == (5, 5)
        assert counts.loc["B", "treatment"] in (3, 4) and counts.loc["B"].sum() == 7
        assert counts.loc["C"].sum() == 1


def test_ratio_two_to_one_fixes_sizes_when_divisible():
    counts = randomize(roster({"A": 9, "B": 12}), strata="stratum", ratio="2:1", seed=1).counts()
    assert tuple(counts.loc["A"]) == (6, 3) and tuple(counts.loc["B"]) == (8, 4)


def test_without_strata_the_roster_is_one_block():
    out = randomize(roster({"A": 6, "B": 6}), seed=2)
    assert set(out.table["stratum"]) == {""}
    assert out.audit["arms"] == {"treatment": 6, "control": 6}


def test_each_participant_is_treated_with_probability_one_half_and_pairs_as_complete_randomisation():
    # n = 6, m = 3: P(i) = 1/2, P(i and j) = 3*2/(6*5) = 0.2
    r = roster({"A": 6})
    treated = np.array([randomize(r, seed=s).table["arm"].eq("treatment").to_numpy() for s in SEEDS])
    se = math.sqrt(0.25 / len(SEEDS))
    assert np.abs(treated.mean(axis=0) - 0.5).max() < 4.5 * se
    joint = (treated[:, 0] & treated[:, 1]).mean()
    assert joint == pytest.approx(0.2, abs=4.5 * math.sqrt(0.2 * 0.8 / len(SEEDS)))


def test_remainder_unit_follows_the_randomizr_rule():
    # n = 10, ratio 2:1: n p = 6.67 -> 7 treated with probability 2/3, 6 otherwise; P(i) = 2/3
    r = roster({"A": 10})
    tables = [randomize(r, ratio=(2, 1), seed=s).table["arm"].eq("treatment").to_numpy() for s in SEEDS]
    sizes = np.array([t.sum() for t in tables])
    assert set(sizes) == {6, 7}
    assert (sizes == 7).mean() == pytest.approx(2 / 3, abs=4.5 * math.sqrt(2 / 9 / len(SEEDS)))
    per_unit = np.mean(tables, axis=0)
    assert np.abs(per_unit - 2 / 3).max() < 4.5 * math.sqrt(2 / 9 / len(SEEDS))


def test_audit_record_holds_what_rederivation_needs():
    out = randomize(roster({"A": 4, "B": 5}), strata="stratum", ratio=(1, 1), seed=42, source="roster.csv")
    audit = out.audit
    assert audit["seed"] == 42 and audit["ratio"] == [1, 1] and audit["strata"] == "stratum"
    assert audit["method"] == "complete randomisation within strata"
    assert {"evalexp_version", "numpy_version", "created_utc"} <= set(audit)
    assert audit["assignment_sha256"] == hashlib.sha256(out.to_csv().encode()).hexdigest()
    canonical = "participant_id,stratum\n" + "".join(f"{p},{s}\n" for p, s in
                                                     out.table[["participant_id", "stratum"]].itertuples(index=False))
    assert audit["roster_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    json.dumps(out.to_dict(), allow_nan=False)


def test_verify_accepts_the_untouched_assignment():
    r = roster({"A": 8, "B": 9})
    out = randomize(r, strata="stratum", seed=3)
    assert verify_assignment(r, out.table, out.audit).ok


def test_verify_detects_a_changed_arm():
    r = roster({"A": 8, "B": 9})
    out = randomize(r, strata="stratum", seed=3)
    table = out.table.copy()
    table.loc[0, "arm"] = "control" if table.loc[0, "arm"] == "treatment" else "treatment"
    result = verify_assignment(r, table, out.audit)
    assert not result.ok
    assert dict((name, passed) for name, passed, _ in result.checks) == \
        {"roster": True, "assignment": False, "re-derivation": False}


def test_verify_detects_a_changed_roster():
    r = roster({"A": 8, "B": 9})
    out = randomize(r, strata="stratum", seed=3)
    moved = r.copy()
    moved.loc[0, "stratum"] = "B"
    assert not verify_assignment(moved, out.table, out.audit).ok
    added = pd.concat([r, pd.DataFrame({"participant_id": ["Z999"], "stratum": ["A"], "age": [20]})])
    assert not verify_assignment(added, out.table, out.audit).checks[0][1]


def test_verify_detects_an_edited_seed():
    r = roster({"A": 20})
    out = randomize(r, seed=3)
    forged = dict(out.audit, seed=4)
    result = verify_assignment(r, out.table, forged)
    assert not result.ok and result.checks[2][0] == "re-derivation" and not result.checks[2][1]


def test_verify_compares_with_the_preregistered_seed():
    r = roster({"A": 20})
    out = randomize(r, seed=3)
    assert verify_assignment(r, out.table, out.audit, expected_seed=3).ok
    assert not verify_assignment(r, out.table, out.audit, expected_seed=20101001).ok


def test_bad_rosters_are_refused_with_typed_errors():
    r = roster({"A": 3})
    with pytest.raises(DuplicateIdError):
        randomize(pd.concat([r, r.iloc[:1]]), seed=1)
    with pytest.raises(MissingColumnError):
        randomize(r, strata="site", seed=1)
    with pytest.raises(InvalidValueError):
        randomize(r.assign(stratum=["A", None, "A"]), strata="stratum", seed=1)


def test_ratio_parsing():
    assert parse_ratio("2:1") == (2, 1)
    for bad in ("2", "0:1", "a:b", "1.5:1"):
        with pytest.raises(EvalexpError):
            parse_ratio(bad)


def test_cli_writes_assignment_and_audit_then_verifies(tmp_path, capsys):
    path = tmp_path / "roster.csv"
    roster({"A": 10, "B": 11}).to_csv(path, index=False)
    out = tmp_path / "assignment.csv"
    assert main(["randomize", str(path), "--out", str(out), "--seed", "9", "--strata", "stratum"]) == 0
    audit = json.loads(audit_path(out).read_text())
    assert audit_path(out).name == "assignment.audit.json"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == audit["assignment_sha256"]
    assert main(["randomize", str(path), "--out", str(out), "--verify"]) == 0
    assert "assignment verified" in capsys.readouterr().out


def test_cli_verify_fails_with_exit_2_on_an_altered_file(tmp_path, capsys):
    path = tmp_path / "roster.csv"
    roster({"A": 10}).to_csv(path, index=False)
    out = tmp_path / "assignment.csv"
    assert main(["randomize", str(path), "--out", str(out), "--seed", "9"]) == 0
    lines = out.read_text().splitlines()
    lines[1] = lines[1].replace("treatment", "TMP").replace("control", "treatment").replace("TMP", "control")
    out.write_text("\n".join(lines) + "\n")
    assert main(["randomize", str(path), "--out", str(out), "--verify"]) == 2
    assert "verification failed" in capsys.readouterr().err


def test_cli_takes_seed_and_strata_from_the_plan(tmp_path):
    path = tmp_path / "roster.csv"
    roster({"A": 6, "B": 6}).rename(columns={"participant_id": "Identifiant"}).to_csv(path, index=False)
    plan = tmp_path / "plan.toml"
    plan.write_text('title = "t"\n[columns]\n"Identifiant" = "participant_id"\n'
                    '[survival]\nhorizon_days = 365\nstrata = "stratum"\n[inference]\nseed = 77\n')
    out = tmp_path / "a.csv"
    assert main(["randomize", str(path), "--plan", str(plan), "--out", str(out)]) == 0
    audit = json.loads(audit_path(out).read_text())
    assert audit["seed"] == 77 and audit["strata"] == "stratum"
    assert main(["randomize", str(path), "--plan", str(plan), "--out", str(out), "--verify", "--seed", "78"]) == 2


def test_cli_without_seed_or_plan_exits_2(tmp_path):
    path = tmp_path / "roster.csv"
    roster({"A": 4}).to_csv(path, index=False)
    assert main(["randomize", str(path), "--out", str(tmp_path / "a.csv")]) == 2
    assert not (tmp_path / "a.csv").exists()


def test_identifiers_keep_leading_zeros_from_csv(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("participant_id;stratum\n007;A\n010;A\n")
    out = tmp_path / "a.csv"
    assert main(["randomize", str(path), "--out", str(out), "--seed", "1"]) == 0
    assert pd.read_csv(out, dtype=str)["participant_id"].tolist() == ["007", "010"]
