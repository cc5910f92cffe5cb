"""The CLI: exit 0 on success, 2 on bad input or plan (message on stderr), nothing written."""
import json

from _foundation import DEMO, EXPORT, EXPORT_PLAN, HEADER, ROWS

from evalexp.cli import main
from evalexp.schema import result_problems


def test_validate_prints_the_quality_summary(capsys):
    assert main(["validate", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Data quality: {DEMO}")
    assert "participants" in out


def test_validate_with_a_plan_reads_the_french_export(capsys):
    assert main(["validate", str(EXPORT), "--plan", str(EXPORT_PLAN)]) == 0
    assert "Date fin suivi (followup_end)" in capsys.readouterr().out


def test_validate_refuses_bad_input_with_status_2_and_a_message_on_stderr(write_csv, capsys):
    path = write_csv([HEADER, *ROWS, ROWS[0]])
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"evalexp validate: error: {path}: column 'participant_id': ")
    assert "Traceback" not in captured.err


def test_simulate_refuses_an_unknown_suffix_and_writes_nothing(tmp_path, capsys):
    assert main(["simulate", "--n", "10", "--out", str(tmp_path / "sim.xlsx")]) == 2
    assert "writes .csv or .parquet files, not '.xlsx'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_simulate_writes_the_cohort_and_its_truth(tmp_path):
    out = tmp_path / "sim.csv"
    assert main(["simulate", "--n", "40", "--seed", "3", "--hr", "0.5", "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 41
    assert json.loads((tmp_path / "sim.truth.json").read_text())["hazard_ratio"] == 0.5


def test_simulated_file_validates(tmp_path, capsys):
    out = tmp_path / "sim.csv"
    main(["simulate", "--n", "60", "--out", str(out)])
    assert main(["validate", str(out)]) == 0


def _table_part(text: str) -> list[str]:
    """The summary's counts table (between the title and the missing-values line)."""
    lines = text.splitlines()
    return lines[2:lines.index("") if "" in lines else len(lines)]


def test_validate_prints_the_same_counts_for_both_demo_files(capsys):
    from _foundation import DEMO_PLAN

    assert main(["validate", str(DEMO), "--plan", str(DEMO_PLAN)]) == 0
    canonical = capsys.readouterr().out
    assert main(["validate", str(EXPORT), "--plan", str(EXPORT_PLAN)]) == 0
    french = capsys.readouterr().out
    assert _table_part(canonical) == _table_part(french)
    assert "ruptures (events)                    15      26    41" in canonical
    assert canonical.count("\n  - ") == french.count("\n  - ") == 4  # same warnings


def test_analyze_refuses_bad_input_with_status_2_and_writes_no_json(write_csv, tmp_path, capsys):
    from _foundation import DEMO_PLAN

    path = write_csv([HEADER, *ROWS, ROWS[0]])
    out = tmp_path / "results.json"
    assert main(["analyze", str(path), "--plan", str(DEMO_PLAN), "--json", str(out)]) == 2
    assert not out.exists()
    assert capsys.readouterr().err.startswith(f"evalexp analyze: error: {path}: column '")


def test_report_refuses_bad_input_with_status_2_and_writes_no_folder(write_csv, tmp_path, capsys):
    from _foundation import DEMO_PLAN

    path = write_csv([HEADER, *ROWS, ROWS[0]])
    out = tmp_path / "report"
    assert main(["report", str(path), "--plan", str(DEMO_PLAN), "--out", str(out), "--quiet"]) == 2
    assert not out.exists()
    assert "Traceback" not in capsys.readouterr().err


def test_analyze_refuses_a_bad_plan_with_status_2(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text('title = "t"\n[survival]\nhorizon = 365\n', encoding="utf-8")
    out = tmp_path / "results.json"
    assert main(["analyze", str(DEMO), "--plan", str(plan), "--json", str(out)]) == 2
    assert not out.exists()
    assert "unknown key 'horizon' in [survival]" in capsys.readouterr().err


def test_analyze_writes_results_that_follow_the_packaged_schema(tmp_path):
    from _foundation import DEMO_PLAN

    out = tmp_path / "results.json"
    assert main(["analyze", str(DEMO), "--plan", str(DEMO_PLAN), "--json", str(out), "--quiet"]) == 0
    result = json.loads(out.read_text())
    assert result["schema_version"] == 2 and result["n"] == {"treatment": 75, "control": 75}
    assert result_problems(result) == []
