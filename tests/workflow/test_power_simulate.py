"""power --simulate honours --control-rate (and --ratio) and shows a progress bar (issue 18)."""
import json
import sys

import pytest

from evalexp.cli import main
from evalexp.integrity import power as pw


@pytest.mark.parametrize("control_rate, ratio", [(0.1, 1.0), (0.4, 1.0), (0.4, 2.0)])
def test_simulated_power_matches_schoenfeld_at_the_control_rate(control_rate, ratio):
    # Schoenfeld's power at the expected events n * P(event) is the analytic value of the same model
    # (exponential ruptures, follow-up to the horizon); 4 Monte Carlo SE plus 0.03 for its approximation.
    share, se = pw.simulated_power(0.6, 400, simulations=600, seed=2, control_rate=control_rate, ratio=ratio)
    events = 400 * pw.expected_event_probability(control_rate, 0.6, ratio)
    assert abs(share - pw.schoenfeld_power(0.6, events, ratio=ratio)) < 4 * se + 0.03


def test_the_control_rate_changes_the_simulated_power():
    low, _ = pw.simulated_power(0.6, 400, simulations=300, seed=3, control_rate=0.1)
    high, _ = pw.simulated_power(0.6, 400, simulations=300, seed=3, control_rate=0.4)
    assert high - low > 0.3


def test_power_command_passes_control_rate_and_ratio(capsys):
    assert main(["power", "--hr", "0.6", "--n", "300", "--control-rate", "0.35", "--ratio", "2",
                 "--simulate", "50", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    expected, se = pw.simulated_power(0.6, 300, simulations=50, seed=1, control_rate=0.35, ratio=2.0)
    assert record["simulation"]["power"] == expected and record["simulation"]["se"] == se


def test_progress_bar_on_stderr(capsys):
    pw.simulated_power(0.6, 100, simulations=4, seed=1, progress=True)
    err = capsys.readouterr().err
    assert err.endswith(f"\rsimulated trials [{'#' * 30}] 4/4\n")
    assert err.count("\r") == 4
    pw.simulated_power(0.6, 100, simulations=4, seed=1)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("quiet", [False, True])
def test_power_simulate_uses_the_control_rate_and_shows_progress_on_a_terminal_only(quiet, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    args = ["power", "--hr", "0.6", "--n", "120", "--control-rate", "0.4", "--simulate", "12", "--json"]
    assert main(args + ["--quiet"] * quiet) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    expected = pw.simulated_power(0.6, 120, simulations=12, seed=1, control_rate=0.4)
    assert out["control_rate"] == 0.4
    assert (out["simulation"]["power"], out["simulation"]["se"]) == pytest.approx(expected, abs=1e-15)
    if quiet:
        assert captured.err == ""
    else:
        assert f"simulated trials [{'#' * 30}] 12/12" in captured.err


def test_power_simulate_shows_no_progress_when_stderr_is_not_a_terminal(capsys):
    assert main(["power", "--hr", "0.6", "--n", "120", "--simulate", "3"]) == 0
    assert capsys.readouterr().err == ""
