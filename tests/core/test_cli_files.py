"""The command line never loses a file, never half-writes one, never shows a traceback (CONTRACT.md section 5).

Each refusal is checked on the whole file tree around it (every entry's kind, bytes and
mtime, before and after) and on the exit status and the exact message.
"""
import dataclasses
import errno
import json
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _tree import leftovers, snapshot

import evalexp
from evalexp import _files, cli
from evalexp.analysis import analyze
from evalexp.cli import main
from evalexp.errors import MismatchError
from evalexp.fingerprint import check_analysis_matches
from evalexp.load import load_cohort, load_frame
from evalexp.plan import load_plan
from evalexp.report import build_report
from evalexp.simulate import simulate, simulate_to_file

SRC = Path(evalexp.__file__).resolve().parents[1]
PLAN = '''title = "t"
[survival]
horizon_days = 365
[inference]
permutations = 50
'''
ENOSPC = os.strerror(errno.ENOSPC)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    simulate_to_file(folder / "cohort.csv", n=150, seed=3)
    (folder / "plan.toml").write_text(PLAN)
    (folder / "roster.csv").write_text("participant_id,stratum\n" + "".join(f"R{i:03d},S{i % 3}\n" for i in range(30)))
    return folder


@pytest.fixture(scope="module")
def own_report(inputs, tmp_path_factory):
    """A report folder written by ``evalexp report``."""
    out = tmp_path_factory.mktemp("own") / "report"
    assert main(["report", str(inputs / "cohort.csv"), "--plan", str(inputs / "plan.toml"), "--out", str(out),
                 "--quiet"]) == 0
    return out


def _report(inputs, out, *more):
    return ["report", str(inputs / "cohort.csv"), "--plan", str(inputs / "plan.toml"), "--out", str(out), *more]


def _analyze(inputs, json_out, *more):
    return ["analyze", str(inputs / "cohort.csv"), "--plan", str(inputs / "plan.toml"), "--json", str(json_out),
            "--quiet", *more]


def _refused(args, capsys, *roots):
    """Run ``evalexp args``: exit 2, no traceback, nothing under ``roots`` changed; return stderr."""
    before = [snapshot(root) for root in roots]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    assert [snapshot(root) for root in roots] == before
    return captured.err


def _read_terminal(master, timeout):
    """What a pseudo-terminal's process wrote (b"" when nothing within ``timeout`` s or it has exited)."""
    try:
        return os.read(master, 1024) if select.select([master], [], [], timeout)[0] else b""
    except OSError:  # EIO once the process has closed the terminal
        return b""


def _full_disk(path, data):
    with open(path, "wb") as handle:
        handle.write(data[: len(data) // 2])
    raise OSError(errno.ENOSPC, ENOSPC)


# --------------------------------------------------------------------------- report --out


def test_report_replaces_its_own_report_without_progress_off_a_terminal(inputs, own_report, tmp_path, capsys):
    out = tmp_path / "report"
    shutil.copytree(own_report, out)
    before = snapshot(tmp_path)
    assert main(_report(inputs, out)) == 0
    assert capsys.readouterr().err == ""  # stderr is not a terminal here: no progress at all
    after = snapshot(tmp_path)
    assert after != before and set(after) == set(before)
    assert _files.foreign_entries(out) == [] and leftovers(tmp_path) == []


@pytest.mark.parametrize("change, listed", [
    (lambda d: (d / "report.html").write_bytes(b"edited"), "report.html"),
    (lambda d: (d / "notes.txt").write_text("mine"), "notes.txt"),
])
def test_report_refuses_a_report_folder_someone_changed(inputs, own_report, tmp_path, capsys, change, listed):
    out = tmp_path / "report"
    shutil.copytree(own_report, out)
    change(out)
    err = _refused(_report(inputs, out), capsys, tmp_path, inputs)
    assert err == (f"evalexp report: error: {out}: this folder holds 1 file(s) or folder(s) that evalexp did not "
                   f"write or that were edited since ({listed}): it is neither empty nor an unedited evalexp "
                   "report, so it is not replaced; choose a new or empty folder; nothing was written\n")


def test_report_refuses_other_places(inputs, tmp_path, capsys, monkeypatch):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_bytes(b"\x00" * 10)
    monkeypatch.chdir(tmp_path)
    own = "the report needs a folder of its own (new or empty); nothing was written"
    cases = {
        ".": f".: is the current folder or one of its parents; {own}",
        "notes.txt": "notes.txt: is a file, not a folder; evalexp does not replace it; nothing was written",
        "mine": "mine: this folder holds 1 file(s) or folder(s) that evalexp did not write or that were edited "
                "since (thesis.docx): it is neither empty nor an unedited evalexp report, so it is not replaced; "
                "choose a new or empty folder; nothing was written",
        str(inputs): f"{inputs}: holds the input file cohort.csv; {own}",
        "new/report": "new/report: the folder new does not exist (evalexp creates the report folder, not its "
                      "parents); nothing was written",
    }
    for out, message in cases.items():
        assert _refused(_report(inputs, out), capsys, tmp_path, inputs) == f"evalexp report: error: {message}\n"


def test_report_on_a_full_disk_keeps_the_previous_report(inputs, own_report, tmp_path, capsys, monkeypatch):
    out = tmp_path / "report"
    shutil.copytree(own_report, out)
    monkeypatch.setattr(_files, "write_synced", _full_disk)
    err = _refused(_report(inputs, out, "--quiet"), capsys, tmp_path, inputs)
    assert err == f"evalexp report: error: {out}: cannot write: {ENOSPC}; nothing was written\n"


@pytest.mark.parametrize("signum, status, last", [(signal.SIGINT, 130, "evalexp report: interrupted"),
                                                  (signal.SIGTERM, 143, "evalexp: terminated")])
def test_a_signal_during_the_analysis_leaves_the_tree_as_it_was(inputs, own_report, tmp_path, signum, status, last):
    """Ctrl-C (SIGINT) or SIGTERM to ``evalexp report`` once it shows its first step on a terminal
    (a pseudo-terminal here): exit 130 or 143, no traceback, nothing changed, no temporary file."""
    (tmp_path / "plan.toml").write_text(PLAN.replace("permutations = 50", "permutations = 20000000"))
    shutil.copytree(own_report, tmp_path / "report")
    before = snapshot(tmp_path)
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "evalexp", "report", str(inputs / "cohort.csv"), "--plan", str(tmp_path / "plan.toml"),
         "--out", str(tmp_path / "report")], stderr=slave, stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(SRC)}, cwd=tmp_path)
    os.close(slave)
    seen = b""
    while b"[1/5] analysis" not in seen and process.poll() is None:
        seen += _read_terminal(master, 60)
    process.send_signal(signum)
    process.wait(timeout=300)
    while chunk := _read_terminal(master, 1):
        seen += chunk
    os.close(master)
    text = seen.decode("utf-8", "replace")
    assert process.returncode == status, text
    assert "[1/5] analysis" in text and text.rstrip().endswith(last)
    assert "Traceback" not in text
    assert snapshot(tmp_path) == before


class _Terminal:
    def isatty(self):
        return True


def test_progress_needs_a_terminal_and_no_quiet(monkeypatch):
    import argparse
    monkeypatch.setattr(sys, "stderr", _Terminal())
    assert cli._progress(argparse.Namespace(quiet=False)) is True
    assert cli._progress(argparse.Namespace(quiet=True)) is False


def test_the_randomisation_bar_writes_no_carriage_return_off_a_terminal(capsys, monkeypatch):
    import itertools

    from evalexp import _progress
    from evalexp.survival import permutation
    from evalexp.survival.permutation import randomization_inference
    clock = itertools.count(0.0, 100.0)               # 100 s a tick: a long run, the bar would show on a terminal
    monkeypatch.setattr(_progress.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(permutation, "CHUNK_ELEMENTS", 4_000)   # many chunks: the bar has partial updates
    time = np.arange(1.0, 41.0)
    arms = np.r_[np.ones(20), np.zeros(20)]
    randomization_inference(time, np.ones(40), arms, permutations=2_000, progress=True)
    assert capsys.readouterr().err == ""             # stderr is captured, not a terminal
    monkeypatch.setattr(sys, "stderr", _Terminal())   # on a terminal the same run draws the bar
    monkeypatch.setattr(_Terminal, "write", lambda self, text: written.append(text), raising=False)
    monkeypatch.setattr(_Terminal, "flush", lambda self: None, raising=False)
    written: list[str] = []
    randomization_inference(time, np.ones(40), arms, permutations=2_000, progress=True)
    assert written and written[0].startswith("\rrandomisation inference [")


def test_a_bar_with_min_seconds_appears_only_for_a_long_run(capsys):
    from evalexp._progress import ProgressBar
    quick = ProgressBar("quick", 10, True, min_seconds=2.0)
    quick.update(5)
    quick.close()
    assert capsys.readouterr().err == ""
    slow = ProgressBar("slow", 10, True, min_seconds=2.0)
    slow.start -= 100                                # 100 s for half the work: 200 s predicted
    slow.update(5)
    slow.close()
    assert capsys.readouterr().err == "\rslow [###############               ] 5/10\n"


# --------------------------------------------------------------------------- analyze --json


def test_json_dash_writes_the_results_to_standard_output(inputs, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(_analyze(inputs, "-")) == 0
    assert json.loads(capsys.readouterr().out)["schema_version"] == 2
    assert list(tmp_path.iterdir()) == []


def test_json_replaces_an_evalexp_results_file(inputs, tmp_path):
    (tmp_path / "results.json").write_text('{"schema_version": 1}')
    assert main(_analyze(inputs, tmp_path / "results.json")) == 0
    assert json.loads((tmp_path / "results.json").read_text())["n"]["treatment"] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_json_refuses_what_it_may_not_or_cannot_write(inputs, tmp_path, capsys):
    (tmp_path / "data.json").write_text('[{"schema_version": 1}]')
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "folder").mkdir()
    nothing = "nothing was written"
    cases = {
        tmp_path / "data.json": "already exists and is not an evalexp results file (a JSON object with "
                                "schema_version); evalexp replaces only its own outputs (remove it or choose "
                                f"another name); {nothing}",
        tmp_path / "folder": f"is a folder; give a file name; {nothing}",
        tmp_path / "missing" / "r.json": f"the folder {tmp_path / 'missing'} does not exist (evalexp does not "
                                         f"create folders for an output file); {nothing}",
        tmp_path / "notes.txt" / "r.json": f"{tmp_path / 'notes.txt'} is not a folder; {nothing}",
        Path("/proc/evalexp-results.json"): f"cannot write: No such file or directory; {nothing}",
    }
    for target, message in cases.items():
        err = _refused(_analyze(inputs, target), capsys, tmp_path, inputs)
        assert err == f"evalexp analyze: error: {target}: {message}\n"


def test_json_on_a_full_disk_keeps_the_previous_results(inputs, tmp_path, capsys, monkeypatch):
    (tmp_path / "results.json").write_text('{"schema_version": 1}')
    monkeypatch.setattr(_files, "write_synced", _full_disk)
    err = _refused(_analyze(inputs, tmp_path / "results.json"), capsys, tmp_path, inputs)
    assert err == f"evalexp analyze: error: {tmp_path / 'results.json'}: cannot write: {ENOSPC}; nothing was written\n"


@pytest.mark.parametrize("key", [b"", b"  \n\t\n"])
def test_an_empty_key_file_is_refused(inputs, tmp_path, capsys, key):
    (tmp_path / "key").write_bytes(key)
    err = _refused(_analyze(inputs, tmp_path / "r.json", "--key-file", str(tmp_path / "key")), capsys, tmp_path)
    assert err == (f"evalexp analyze: error: {tmp_path / 'key'}: the pseudonym key file is empty; put the secret "
                   "key in it, or leave out --key-file for a random key\n")


# --------------------------------------------------------------------------- randomize, simulate


def test_an_assignment_is_drawn_once(inputs, tmp_path, capsys):
    out = tmp_path / "assignment.csv"
    draw = ["randomize", str(inputs / "roster.csv"), "--out", str(out), "--seed", "7", "--strata", "stratum"]
    assert main(draw) == 0
    capsys.readouterr()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assignment.audit.json", "assignment.csv"]
    message = ("already exists: an assignment is drawn once and never replaced by a new draw (check it with "
               "--verify, or choose another --out); nothing was written")
    for seed in ("7", "8"):
        err = _refused(draw[:-4] + ["--seed", seed, "--strata", "stratum"], capsys, tmp_path)
        assert err == f"evalexp randomize: error: {out}: {message}\n"
    assert main([*draw, "--verify"]) == 0
    assert capsys.readouterr().out.startswith("assignment verified")
    (tmp_path / "assignment.csv").rename(tmp_path / "kept.csv")
    err = _refused(draw, capsys, tmp_path)
    assert err == f"evalexp randomize: error: {tmp_path / 'assignment.audit.json'}: {message}\n"


def test_an_assignment_and_its_record_are_written_together_or_not_at_all(inputs, tmp_path, capsys, monkeypatch):
    written = []

    def second_fails(path, data):
        if written:
            raise OSError(errno.ENOSPC, ENOSPC)
        written.append(path)
        Path(path).write_bytes(data)
    monkeypatch.setattr(_files, "write_synced", second_fails)
    out = tmp_path / "assignment.csv"
    err = _refused(["randomize", str(inputs / "roster.csv"), "--out", str(out), "--seed", "7"], capsys, tmp_path)
    assert err == f"evalexp randomize: error: {out}: cannot write: {ENOSPC}; nothing was written\n"


@pytest.mark.parametrize("args, message", [
    (["--seed", "-1"], "simulate: the seed must be a non-negative whole number, got -1"),
    (["--hr", "inf"], "simulate: hazard_ratio must be a positive finite number, got inf"),
    (["--hr", "0"], "simulate: hazard_ratio must be a positive finite number, got 0.0"),
    (["--n", "1"], "simulate: n must be at least 2, got 1"),
])
def test_simulate_refuses_bad_options(tmp_path, capsys, args, message):
    err = _refused(["simulate", *args, "--out", str(tmp_path / "sim.csv")], capsys, tmp_path)
    assert err == f"evalexp simulate: error: {message}\n"


def test_simulate_with_a_tiny_hazard_ratio_has_no_treated_rupture(tmp_path, capsys):
    """Latent times beyond 100 years are capped: no date overflow, and no rupture is observed in that arm."""
    assert main(["simulate", "--n", "60", "--hr", "1e-30", "--out", str(tmp_path / "sim.csv")]) == 0
    data = pd.read_csv(tmp_path / "sim.csv")
    assert data.loc[data["arm"] == "treatment", "rupture_date"].isna().all()
    assert data.loc[data["arm"] == "control", "rupture_date"].notna().any()


def test_simulate_replaces_only_a_cohort_it_simulated(tmp_path, capsys):
    out = tmp_path / "sim.csv"
    assert main(["simulate", "--n", "20", "--out", str(out)]) == 0
    assert main(["simulate", "--n", "30", "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 31
    truth = json.loads((tmp_path / "sim.truth.json").read_text())
    assert truth["generator"] == "evalexp simulate" and truth["file"]["name"] == "sim.csv"
    with out.open("a") as handle:
        handle.write("P999999,treatment\n")  # edited by hand: no longer what evalexp wrote
    err = _refused(["simulate", "--n", "20", "--out", str(out)], capsys, tmp_path)
    assert err == (f"evalexp simulate: error: {out}: already exists and is not a cohort evalexp simulated (named "
                   "with its SHA-256 by sim.truth.json); evalexp replaces only its own outputs (remove it or "
                   "choose another name); nothing was written\n")
    (tmp_path / "mine.csv").write_text("participant_id\nA\n")
    assert "mine.csv: already exists" in _refused(["simulate", "--out", str(tmp_path / "mine.csv")], capsys, tmp_path)


# --------------------------------------------------------------------------- power, main


@pytest.mark.parametrize("args, message", [
    (["--hr", "0.5", "--ratio", "-1"], "the allocation ratio must be a positive finite number, got -1.0"),
    (["--n", "100", "--ratio", "0"], "the allocation ratio must be a positive finite number, got 0.0"),
    (["--n", "100", "--ratio", "1e16"], "the allocation ratio must be between 0.001 and 1000, got 1e+16"),
    (["--hr", "0.5", "--control-rate", "1e-300", "--ratio", "402"],
     "the expected rupture share 2.48e-303 is too small for a sample size: 6.6e+03 ruptures would need more "
     "participants than can be counted"),
    (["--hr", "inf"], "the hazard ratio must be a positive finite number different from 1, got inf"),
    (["--hr", "nan"], "the hazard ratio must be a positive finite number different from 1, got nan"),
    (["--hr", "1"], "the hazard ratio must be a positive finite number different from 1, got 1.0"),
    (["--hr", "1e300"], "the hazard ratio must be between 1e-06 and 1e+06, got 1e+300"),
    (["--hr", "0.5", "--control-rate", "1"], "the control rate must be between 0 and 1, got 1.0"),
    (["--hr", "0.5", "--alpha", "0"], "alpha and power must be between 0 and 1, got alpha=0.0, power=0.8"),
    (["--hr", "0.5", "--power", "1"], "alpha and power must be between 0 and 1, got alpha=0.05, power=1.0"),
    (["--n", "100", "--alpha", "0.5", "--power", "0.4"],
     "the power must exceed alpha (a test rejects with probability alpha when there is no effect), "
     "got alpha=0.5, power=0.4"),
    (["--n", "3"], "the sample size must be at least 4, got 3"),
    (["--hr", "0.5", "--n", "100", "--simulate", "-2"], "the number of simulations must be zero or positive, got -2"),
])
def test_power_refuses_options_out_of_their_domain(tmp_path, capsys, args, message):
    assert _refused(["power", *args], capsys, tmp_path) == f"evalexp power: error: {message}\n"


def test_an_unexpected_exception_is_one_paragraph_without_traceback(capsys, monkeypatch):
    def broken(args):
        raise ValueError("could not convert\nsecond line with data")
    monkeypatch.setitem(cli.COMMANDS, "power", broken)
    monkeypatch.delenv("EVALEXP_DEBUG", raising=False)
    assert main(["power"]) == 2
    assert capsys.readouterr().err == (
        "evalexp power: error: internal error (ValueError: could not convert). This is a fault of evalexp, not "
        "of your files: please report it with the command that caused it (EVALEXP_DEBUG=1 shows the Python "
        "traceback)\n")
    monkeypatch.setenv("EVALEXP_DEBUG", "1")
    with pytest.raises(ValueError):
        main(["power"])


def test_a_system_error_names_the_path_and_the_reason(capsys, monkeypatch):
    def denied(args):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/data/cohort.csv")
    monkeypatch.setitem(cli.COMMANDS, "power", denied)
    monkeypatch.delenv("EVALEXP_DEBUG", raising=False)
    assert main(["power"]) == 2
    assert capsys.readouterr().err == "evalexp power: error: /data/cohort.csv: Permission denied\n"


def test_running_out_of_memory_is_said_plainly(capsys, monkeypatch):
    def huge(args):
        raise MemoryError("Unable to allocate 745. GiB")
    monkeypatch.setitem(cli.COMMANDS, "power", huge)
    assert main(["power"]) == 2
    assert capsys.readouterr().err == ("evalexp power: error: not enough memory for this run (a smaller sample "
                                       "size, fewer simulations or permutations?)\n")


def test_ctrl_c_is_exit_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setitem(cli.COMMANDS, "power", interrupted)
    assert main(["power"]) == 130
    assert capsys.readouterr().err == "\nevalexp power: interrupted\n"


# --------------------------------------------------------------------------- manifest, build_report


def test_manifest_marks_the_folder_and_holds_no_folder_user_or_host(own_report, inputs):
    text = (own_report / "manifest.json").read_text(encoding="utf-8")
    record = json.loads(text)
    assert record["generator"] == "evalexp"
    assert record["input"]["path"] == "cohort.csv" and record["plan"]["path"] == "plan.toml"
    assert record["command_line"][0] == "evalexp" and not [a for a in record["command_line"] if "/" in a]
    names = {p.relative_to(own_report).as_posix() for p in own_report.rglob("*") if p.is_file()}
    assert set(record["outputs"]) == names - {"manifest.json"}
    for private in (str(inputs), str(own_report), str(Path.home()), socket.gethostname()):
        assert private not in text


@pytest.fixture(scope="module")
def small(inputs):
    plan = load_plan(inputs / "plan.toml")
    cohort = load_cohort(inputs / "cohort.csv", plan, key=b"k1")
    return cohort, plan, analyze(cohort, plan)


def test_build_report_refuses_an_analysis_of_another_cohort_or_plan(small, tmp_path):
    cohort, plan, analysis = small
    other = load_frame(simulate(150, seed=4).data, plan)
    with pytest.raises(MismatchError, match="computed on another cohort"):
        build_report(other, plan, tmp_path / "r", progress=False, analysis=analysis)
    edited = cohort.data.copy()
    edited.loc[edited.index[0], "age"] = edited["age"].iloc[0] + 1  # same counts per arm, other data
    with pytest.raises(MismatchError) as error:
        check_analysis_matches(analysis, dataclasses.replace(cohort, data=edited), plan)
    assert str(error.value) == ("the analysis given was computed on another cohort (same counts per arm, "
                                "different data)")
    more = dataclasses.replace(plan, inference=dataclasses.replace(plan.inference, permutations=60))
    with pytest.raises(MismatchError) as error:
        build_report(cohort, more, tmp_path / "r", progress=False, analysis=analysis)
    assert str(error.value) == "the analysis given was computed under another plan (sections [inference] differ)"
    assert list(tmp_path.iterdir()) == []


def test_the_same_cohort_under_another_key_or_language_matches(small, inputs):
    _cohort, plan, analysis = small
    again = load_cohort(inputs / "cohort.csv", plan, key=b"another key")
    check_analysis_matches(analysis, again, dataclasses.replace(plan, language="en"))


# --------------------------------------------------------------------------- any option values


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ANY_FLOAT = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 1.0, -1.0, 1e-300]),
                       st.floats(min_value=1e-4, max_value=0.9999))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hr=st.one_of(st.none(), _ANY_FLOAT), n=st.one_of(st.none(), st.integers(-5, 10**9)),
       control_rate=_ANY_FLOAT, alpha=_ANY_FLOAT, power=_ANY_FLOAT, ratio=_ANY_FLOAT)
def test_power_never_fails_with_an_internal_error(capsys, hr, n, control_rate, alpha, power, ratio):
    args = ["power", f"--control-rate={control_rate!r}", f"--alpha={alpha!r}", f"--power={power!r}",
            f"--ratio={ratio!r}", "--json"]
    args += [f"--hr={hr!r}"] if hr is not None else []
    args += [f"--n={n}"] if n is not None else []
    status = main(args)
    err = capsys.readouterr().err
    assert status in (0, 2) and "internal error" not in err and "Traceback" not in err, (args, err)
    assert (status == 0) == (err == "")
