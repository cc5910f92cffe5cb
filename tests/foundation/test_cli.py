"""`evalexp validate` and `evalexp simulate`: exit 0 on success, 2 on bad input, nothing written."""
import json

from _foundation import DEMO, EXPORT, EXPORT_PLAN, HEADER, ROWS

from evalexp.cli import main


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
