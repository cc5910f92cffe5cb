"""Outputs are written whole or not at all, and replace only what evalexp wrote (CONTRACT.md section 5)."""
import errno
import hashlib
import json
import os

import pytest
from _tree import leftovers, snapshot

from evalexp import _files
from evalexp._files import (
    Target,
    atomic_write_text,
    check_report_dir,
    foreign_entries,
    is_results_file,
    seal_manifest,
    staged_directory,
    write_files,
    write_output,
)
from evalexp.errors import OutputError


def _own_report(folder, files=None):
    """A folder as evalexp leaves a report: files plus a manifest listing them with their SHA-256."""
    files = files or {"report.html": b"<html></html>", "figures/km.svg": b"<svg/>"}
    folder.mkdir()
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    manifest = {"generator": "evalexp", "outputs": {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}}
    (folder / "manifest.json").write_bytes(seal_manifest(manifest))
    return folder


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "results.json"
    atomic_write_text(target, "{}")
    atomic_write_text(target, "[]")
    assert target.read_text() == "[]"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_atomic_write_refuses_a_missing_folder(tmp_path):
    with pytest.raises(OutputError) as error:
        atomic_write_text(tmp_path / "a" / "results.json", "{}")
    assert str(error.value) == (f"{tmp_path / 'a' / 'results.json'}: the folder {tmp_path / 'a'} does not exist "
                                "(evalexp does not create folders for an output file); nothing was written")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    target.write_text('{"schema_version": 1}')
    before = snapshot(tmp_path)

    def full(path, data):
        with open(path, "wb") as handle:
            handle.write(data[:3])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(_files, "write_synced", full)
    with pytest.raises(OutputError) as error:
        write_output(target, '{"schema_version": 2}', replaceable=is_results_file)
    assert str(error.value) == f"{target}: cannot write: No space left on device; nothing was written"
    assert snapshot(tmp_path) == before


def test_files_written_together_are_all_or_nothing(tmp_path, monkeypatch):
    written = []

    def second_fails(path, data):
        if written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(path)
        path.write_bytes(data)
    monkeypatch.setattr(_files, "write_synced", second_fails)
    with pytest.raises(OutputError, match="No space left on device"):
        write_files({Target(tmp_path / "a.csv"): b"a", Target(tmp_path / "a.audit.json"): b"{}"})
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_writing_leaves_no_temporary(tmp_path, monkeypatch):
    def interrupted(path, data):
        path.write_bytes(data[:1])
        raise KeyboardInterrupt
    monkeypatch.setattr(_files, "write_synced", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(tmp_path / "r.json", "{}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content, own", [
    ('{"schema_version": 1}', True), ('{"schema_version": 2, "n": {}}', True), ('{"n": 1}', False),
    ('[{"schema_version": 1}]', False), ("participant_id,arm\n", False), ("", False), ('{"schema_version"', False),
])
def test_results_files_are_json_objects_with_a_schema_version(tmp_path, content, own):
    (tmp_path / "r.json").write_text(content)
    assert is_results_file(tmp_path / "r.json") is own


def test_only_evalexp_results_files_are_replaced(tmp_path):
    (tmp_path / "notes.json").write_text('{"mine": true}')
    before = snapshot(tmp_path)
    with pytest.raises(OutputError) as error:
        write_output(tmp_path / "notes.json", "{}", replaceable=is_results_file, kind="an evalexp results file")
    assert str(error.value) == (f"{tmp_path / 'notes.json'}: already exists and is not an evalexp results file; "
                                "evalexp replaces only its own outputs (remove it or choose another name); "
                                "nothing was written")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "is a folder; give a file name; nothing was written"),
    (lambda p: p.symlink_to(p.parent / "elsewhere.json"),
     "is a symbolic link; evalexp does not replace links; nothing was written"),
])
def test_a_folder_or_link_is_never_an_output_file(tmp_path, make, message):
    make(tmp_path / "r.json")
    before = snapshot(tmp_path)
    with pytest.raises(OutputError) as error:
        write_output(tmp_path / "r.json", "{}", replaceable=lambda _: True)
    assert str(error.value) == f"{tmp_path / 'r.json'}: {message}"
    assert snapshot(tmp_path) == before


def test_dash_writes_to_the_stream(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_output("-", '{"a": 1}\n')
    assert json.loads(capsys.readouterr().out) == {"a": 1}
    assert list(tmp_path.iterdir()) == []


def test_written_files_get_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        write_output(tmp_path / "r.json", "{}")
    finally:
        os.umask(umask)
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o644


# --------------------------------------------------------------------------- report folders


def test_staged_directory_appears_only_on_success(tmp_path):
    final = tmp_path / "report"
    with staged_directory(final) as stage:
        (stage / "report.html").write_text("x")
        assert not final.exists()
    assert (final / "report.html").read_text() == "x"
    assert leftovers(tmp_path) == []


def test_failed_stage_leaves_the_previous_report_untouched(tmp_path):
    final = _own_report(tmp_path / "report")
    before = snapshot(tmp_path)
    with pytest.raises(RuntimeError), staged_directory(final) as stage:
        (stage / "new.html").write_text("half")
        raise RuntimeError("boom")
    assert snapshot(tmp_path) == before


def test_successful_stage_replaces_a_previous_evalexp_report(tmp_path):
    final = _own_report(tmp_path / "report")
    with staged_directory(final) as stage:
        (stage / "new.html").write_text("new")
    assert [p.name for p in final.iterdir()] == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_an_empty_folder_is_used(tmp_path):
    (tmp_path / "report").mkdir()
    with staged_directory(tmp_path / "report") as stage:
        (stage / "report.html").write_text("x")
    assert [p.name for p in (tmp_path / "report").iterdir()] == ["report.html"]


def test_a_report_from_before_the_generator_key_is_recognised(tmp_path):
    final = _own_report(tmp_path / "report", {"report.html": b"x"})
    manifest = json.loads((final / "manifest.json").read_text())
    del manifest["generator"], manifest["manifest_sha256"]
    (final / "manifest.json").write_text(json.dumps({**manifest, "evalexp": "0.1.0"}))
    assert foreign_entries(final) == []


@pytest.mark.parametrize("change, foreign", [
    (lambda d: (d / "notes.txt").write_text("mine"), ["notes.txt"]),
    (lambda d: (d / "report.html").write_text("edited"), ["report.html"]),
    (lambda d: (d / "figures" / "km.svg").rename(d / "figures" / "mine.svg"), ["figures/mine.svg"]),
    (lambda d: (d / "drafts").mkdir(), ["drafts/"]),
    (lambda d: (d / "link").symlink_to(d.parent), ["link/"]),
    (lambda d: (d / "manifest.json").write_text('{"outputs": {}}'), ["figures/", "manifest.json", "report.html"]),
    (lambda d: (d / "manifest.json").write_text((d / "manifest.json").read_text().replace("{", '{"note": "mine", ', 1)),
     ["manifest.json"]),
    (lambda d: (d / "manifest.json").unlink(), ["figures/", "report.html"]),
])
def test_a_folder_with_anything_evalexp_did_not_write_is_refused_and_untouched(tmp_path, change, foreign):
    final = _own_report(tmp_path / "report")
    change(final)
    before = snapshot(tmp_path)
    assert foreign_entries(final) == foreign
    with pytest.raises(OutputError) as error, staged_directory(final) as stage:
        (stage / "report.html").write_text("new")
    assert str(error.value) == (
        f"{final}: this folder holds {len(foreign)} file(s) or folder(s) that evalexp did not write or that were "
        f"edited since ({', '.join(foreign)}): it is neither empty nor an unedited evalexp report, so it is not "
        "replaced; choose a new or empty folder; nothing was written")
    assert snapshot(tmp_path) == before


def test_a_file_added_while_the_report_is_built_stops_the_swap(tmp_path):
    final = _own_report(tmp_path / "report")
    with pytest.raises(OutputError, match=r"notes.txt"), staged_directory(final) as stage:
        (stage / "report.html").write_text("new")
        (final / "notes.txt").write_text("written meanwhile")
    assert (final / "notes.txt").read_text() == "written meanwhile"
    assert (final / "report.html").read_bytes() == b"<html></html>"
    assert leftovers(tmp_path) == []


def test_the_previous_report_added_to_after_its_check_is_put_back(tmp_path, monkeypatch):
    """A file added between the last check and the swap is found in the folder set aside."""
    final = _own_report(tmp_path / "report")
    checked = _files.check_report_dir

    def check_then_add(path, *, inputs=()):
        result = checked(path, inputs=inputs)
        if (final / "report.html").exists() and any(tmp_path.glob(".report.*.tmp/new.html")):
            (final / "late.txt").write_text("late")
        return result
    monkeypatch.setattr(_files, "check_report_dir", check_then_add)
    with pytest.raises(OutputError, match=r"late.txt"), staged_directory(final) as stage:
        (stage / "new.html").write_text("new")
    assert sorted(p.name for p in final.iterdir()) == ["figures", "late.txt", "manifest.json", "report.html"]
    assert leftovers(tmp_path) == []


def test_report_folder_refusals(tmp_path, monkeypatch):
    inputs = tmp_path / "data"
    inputs.mkdir()
    (inputs / "cohort.csv").write_text("x")
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    before = snapshot(tmp_path)
    own = "the report needs a folder of its own (new or empty); nothing was written"
    cases = {
        ".": f".: is the current folder or one of its parents; {own}",
        str(work): f"{work}: is the current folder or one of its parents; {own}",
        "..": f"..: is the current folder or one of its parents; {own}",
        "/": f"/: is the current folder or one of its parents; {own}",
        str(inputs): f"{inputs}: holds the input file cohort.csv; {own}",
        str(tmp_path / "file.txt"): f"{tmp_path / 'file.txt'}: is a file, not a folder; evalexp does not replace "
                                    "it; nothing was written",
        str(tmp_path / "link"): f"{tmp_path / 'link'}: is a symbolic link; give the folder itself; nothing was written",
        str(tmp_path / "no" / "r"): f"{tmp_path / 'no' / 'r'}: the folder {tmp_path / 'no'} does not exist "
                                    "(evalexp creates the report folder, not its parents); nothing was written",
        "-": "'-' (standard output) cannot hold a report folder; give a folder name",
    }
    for out, message in cases.items():
        with pytest.raises(OutputError) as error:
            check_report_dir(out, inputs=[inputs / "cohort.csv"])
        assert str(error.value) == message
    assert check_report_dir(inputs / "report", inputs=[inputs / "cohort.csv"]) == inputs / "report"
    assert snapshot(tmp_path) == before


def test_staged_directory_gets_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        with staged_directory(tmp_path / "report"):
            pass
    finally:
        os.umask(umask)
    assert (tmp_path / "report").stat().st_mode & 0o777 == 0o755


def test_ctrl_c_during_the_swap_is_held_until_it_is_complete(tmp_path, monkeypatch):
    import signal
    final = _own_report(tmp_path / "report")
    swap = _files._swap

    def interrupted_swap(stage, final):
        signal.raise_signal(signal.SIGINT)  # Ctrl-C arrives in the middle of the swap
        swap(stage, final)
    monkeypatch.setattr(_files, "_swap", interrupted_swap)
    with pytest.raises(KeyboardInterrupt), staged_directory(final) as stage:
        (stage / "new.html").write_text("new")
    assert [p.name for p in final.iterdir()] == ["new.html"]
    assert leftovers(tmp_path) == []


def test_a_failed_move_removes_the_files_already_moved_into_place(tmp_path, monkeypatch):
    replace = os.replace

    def second_move_fails(source, target):
        if str(target).endswith(".audit.json"):
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(target))
        replace(source, target)
    monkeypatch.setattr(os, "replace", second_move_fails)
    with pytest.raises(OutputError) as error:
        write_files({Target(tmp_path / "a.csv"): b"a", Target(tmp_path / "a.audit.json"): b"{}"})
    assert str(error.value) == f"{tmp_path / 'a.audit.json'}: cannot write: Input/output error; nothing was written"
    assert list(tmp_path.iterdir()) == []


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_NAMES = st.sampled_from(["report.html", "report.pdf", "results.json", "figures/km.svg", "figures/km.png",
                          "figures/cif.svg", "tables/t1.csv"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(own=st.sets(_NAMES, min_size=1), edited=st.sets(_NAMES), added=st.sets(_NAMES), removed=st.sets(_NAMES))
def test_foreign_entries_are_exactly_what_someone_else_changed(tmp_path_factory, own, edited, added, removed):
    folder = _own_report(tmp_path_factory.mktemp("t") / "report", {name: name.encode() for name in own})
    edited, removed = (edited & own) - removed, removed & own
    added = added - own
    for name in removed:
        (folder / name).unlink()
    for name in edited:
        (folder / name).write_bytes(b"changed")
    for name in added:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"mine")
    own_dirs = {n.split("/")[0] for n in own if "/" in n}
    new_dirs = {n.split("/")[0] + "/" for n in added if "/" in n and n.split("/")[0] not in own_dirs}
    expected = sorted(edited | {n for n in added if "/" not in n or n.split("/")[0] in own_dirs} | new_dirs)
    assert foreign_entries(folder) == expected
