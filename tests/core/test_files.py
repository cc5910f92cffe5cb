"""Outputs are written whole or not at all."""
import pytest

from evalexp._files import atomic_write_text, staged_directory


def test_atomic_write_creates_parents_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a" / "b" / "results.json"
    atomic_write_text(target, "{}")
    assert target.read_text() == "{}"
    assert [p.name for p in target.parent.iterdir()] == ["results.json"]


def test_staged_directory_appears_only_on_success(tmp_path):
    final = tmp_path / "report"
    with staged_directory(final) as stage:
        (stage / "report.html").write_text("x")
        assert not final.exists()
    assert (final / "report.html").read_text() == "x"


def test_failed_stage_leaves_the_previous_directory_untouched(tmp_path):
    final = tmp_path / "report"
    final.mkdir()
    (final / "old.html").write_text("old")
    with pytest.raises(RuntimeError):
        with staged_directory(final) as stage:
            (stage / "new.html").write_text("half")
            raise RuntimeError("boom")
    assert [p.name for p in final.iterdir()] == ["old.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_successful_stage_replaces_the_previous_content(tmp_path):
    final = tmp_path / "report"
    final.mkdir()
    (final / "old.html").write_text("old")
    with staged_directory(final) as stage:
        (stage / "new.html").write_text("new")
    assert [p.name for p in final.iterdir()] == ["new.html"]


def test_staged_directory_gets_ordinary_permissions(tmp_path):
    import os
    umask = os.umask(0o022)
    try:
        with staged_directory(tmp_path / "report"):
            pass
    finally:
        os.umask(umask)
    assert (tmp_path / "report").stat().st_mode & 0o777 == 0o755
