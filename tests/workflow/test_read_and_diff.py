"""evalexp.read_results, evalexp diff, validate --json (CONTRACT.md section 11)."""
import json

import numpy as np
import pandas as pd
import pytest

import evalexp
from evalexp.cli import main
from evalexp.diff import differences, relative_difference
from evalexp.errors import UnreadableFileError
from evalexp.results import TIDY_COLUMNS


def test_read_results_gives_the_json_back_read_only(run):
    folder, results = run
    stored = evalexp.read_results(folder / "results.json")
    assert stored.to_dict() == results
    stored.to_dict()["n"]["treatment"] = -1
    assert stored.to_dict() == results
    with pytest.raises(AttributeError):
        stored.text = "{}"


def test_read_results_tidy_has_the_contract_columns_and_the_cox_estimate(run):
    folder, results = run
    tidy = evalexp.read_results(folder / "results.json").tidy()
    assert list(tidy.columns) == ["part", *TIDY_COLUMNS]
    cox = tidy[(tidy.part == "survival") & (tidy.term == "/cox/unadjusted")].iloc[0]
    unadjusted = results["survival"]["cox"]["unadjusted"]
    assert cox.estimate == unadjusted["hr"]
    assert cox.std_error == unadjusted["se"]
    assert (cox.ci_low, cox.ci_high, cox.p_value) == (unadjusted["ci_low"], unadjusted["ci_high"],
                                                      unadjusted["p_value"])
    rmst = tidy[tidy.term == "/rmst"].iloc[0]
    assert rmst.estimate == results["survival"]["rmst"]["difference"]
    assert not tidy.part.isin(["provenance", "n", "events"]).any()


def test_read_results_gives_the_analysis_tidy_table_back(run):
    """CONTRACT section 11: read_results returns what analyze returned — the same to_dict() and tidy()."""
    folder, _ = run
    plan = evalexp.load_plan(folder / "plan.toml")
    analysis = evalexp.analyze(evalexp.load_cohort(folder / "cohort.csv", plan), plan)
    stored = evalexp.read_results(folder / "results.json")
    written = json.loads(json.dumps(analysis.to_dict()))
    assert {k: v for k, v in written.items() if k != "provenance"} == \
        {k: v for k, v in stored.to_dict().items() if k != "provenance"}
    pd.testing.assert_frame_equal(analysis.tidy(), stored.tidy())
    assert len(stored.tidy()) > 20 and set(stored.tidy().part) >= {"survival", "compliance"}


def test_read_results_summary_names_the_input_and_counts(run):
    folder, results = run
    text = evalexp.read_results(folder / "results.json").summary()
    assert "read from results.json" in text
    assert f"n: treatment {results['n']['treatment']}, control {results['n']['control']}" in text
    assert f"input cohort.csv (SHA-256 {results['provenance']['input']['sha256'][:12]}...)" in text


def test_read_results_refuses_what_is_not_a_results_file(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"schema_version": 3}')
    with pytest.raises(UnreadableFileError) as err:
        evalexp.read_results(path)
    assert str(err.value) == f"{path}: schema_version 3 is not supported (this evalexp reads versions 1 and 2)"
    path.write_text('{"schema_version": 2, "n": {"treatment": 1}, "events": {}, "survival": {}}')
    with pytest.raises(UnreadableFileError) as err:
        evalexp.read_results(path)
    assert str(err.value).startswith(f"{path}: does not follow the results schema: ")
    path.write_text('{"schema_version": 1, "n": {}, "events": {}}')
    with pytest.raises(UnreadableFileError) as err:
        evalexp.read_results(path)
    assert str(err.value) == f"{path}: 'survival' is missing or is not a JSON object"
    path.write_text("[1]")
    with pytest.raises(UnreadableFileError) as err:
        evalexp.read_results(path)
    assert str(err.value) == f"{path}: not an evalexp results file (a JSON object with schema_version)"


def test_differences_by_pointer_with_relative_tolerance():
    a = {"x": {"p": 1.0, "q": "a"}, "l": [1, 2], "only_a": None}
    b = {"x": {"p": 1.01, "q": "b"}, "l": [1, 2, 3]}
    found = {d.pointer: d for d in differences(a, b)}
    assert set(found) == {"/x/p", "/x/q", "/only_a", "/l/2"}
    assert found["/x/p"].relative == pytest.approx(0.01 / 1.01)
    assert found["/l/2"].a == "(absent)" and found["/only_a"].b == "(absent)"
    assert "/x/p" not in {d.pointer for d in differences(a, b, rtol=0.01)}
    assert differences({"v": True}, {"v": 1})[0].relative is None
    assert relative_difference(0.0, 0.0) == 0.0 and relative_difference(2.0, -2.0) == 2.0


def test_diff_command_exit_status(run, tmp_path, capsys):
    folder, results = run
    same = tmp_path / "same.json"
    same.write_text(json.dumps(results))
    assert main(["diff", str(folder / "results.json"), str(same)]) == 0
    assert capsys.readouterr().out == "results.json and same.json: equal\n"
    changed = json.loads(json.dumps(results))
    changed["survival"]["cox"]["unadjusted"]["hr"] *= 1.001
    other = tmp_path / "other.json"
    other.write_text(json.dumps(changed))
    assert main(["diff", str(folder / "results.json"), str(other)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["field", "A", "B", "relative", "difference"]
    assert out.splitlines()[1].startswith("/survival/cox/unadjusted/hr")
    assert out.endswith("1 field(s) differ\n")
    assert main(["diff", str(folder / "results.json"), str(other), "--rtol", "0.01"]) == 0
    assert main(["diff", str(folder / "results.json"), str(tmp_path / "missing.json")]) == 2
    assert "missing.json: cannot read the results file" in capsys.readouterr().err
    assert main(["diff", str(same), str(other), "--rtol", "-1"]) == 2
    assert capsys.readouterr().err == "evalexp diff: error: --rtol must be a number >= 0, got -1.0\n"


def test_validate_json_to_file_and_stdout(run, tmp_path, capsys):
    folder, _ = run
    args = ["validate", str(folder / "cohort.csv"), "--plan", str(folder / "plan.toml")]
    assert main([*args, "--json", "-"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["generator"] == "evalexp validate"
    assert record["input"]["name"] == "cohort.csv"
    assert record["counts"]["total"]["n"] == 150
    out = tmp_path / "quality.json"
    assert main([*args, "--json", str(out)]) == 0
    assert "cohort.csv" in capsys.readouterr().out
    assert json.loads(out.read_text()) == record
    assert main([*args, "--json", str(out)]) == 0
    foreign = tmp_path / "foreign.json"
    foreign.write_text("{}")
    assert main([*args, "--json", str(foreign)]) == 2
    assert foreign.read_text() == "{}"
    assert np.isfinite(record["median_followup_days"]["total"])
