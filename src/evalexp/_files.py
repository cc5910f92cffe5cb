"""Writing outputs: nothing lost, nothing half-written (docs/CONTRACT.md section 5).

Every file evalexp writes goes through this module.

*Files.* An output file is written to a temporary sibling (``.NAME.XXXXXXXX.tmp``),
flushed to disk and moved into place with :func:`os.replace` (atomic on POSIX).
Files that belong together (an assignment and its audit record, a simulated cohort
and its truth) are all staged before any is moved (:func:`staged_files`). A file
that already exists is replaced only when it is recognisably evalexp's own (a
:class:`Target`'s ``replaceable`` test, e.g. :func:`is_results_file`); anything
else, a folder, a symbolic link or a missing parent folder is refused
(:class:`~evalexp.errors.OutputError`, nothing changed): evalexp creates outputs,
never the folders that hold them. ``-`` names standard output (:func:`write_output`).

*Report folders.* A report is built in a temporary sibling folder and swapped in
only once complete (:func:`staged_directory`). The folder it replaces must be
absent, empty or a report evalexp wrote (:func:`foreign_entries`: its
``manifest.json`` lists every file with its SHA-256, and every file is there
unedited); the current folder, its parents, the folders of the input files and
their parents are never an output folder (:func:`check_report_dir`).

*Failures.* An :class:`OSError` on the way (no permission, a full disk, a path
under a file) becomes an :class:`~evalexp.errors.OutputError` naming the output
and the system's reason. Temporary files and folders are removed on every
failure, Ctrl-C included; Ctrl-C and SIGTERM are held back while files are moved
into place (:func:`interrupts_deferred`), so an interruption never leaves half a
swap.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .errors import OutputError

#: The output name that means standard output.
STDOUT = "-"

#: The file that marks a folder as a report evalexp wrote.
MANIFEST = "manifest.json"

#: How many foreign files a refusal lists before it says "and N more".
MAX_LISTED = 10

#: Larger existing files are never read to decide whether evalexp wrote them.
MAX_OWN_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Target:
    """An output file and when an existing file at its place may be replaced.

    Attributes
    ----------
    path : pathlib.Path
        The output file.
    replaceable : callable, optional
        ``replaceable(path) -> bool``: whether the file now at ``path`` is evalexp's own
        and may be replaced; ``None``: an existing file is always refused.
    kind : str
        What ``replaceable`` recognises, for the refusal message
        (e.g. ``"an evalexp results file"``).
    """

    path: Path
    replaceable: Callable[[Path], bool] | None = None
    kind: str = "an evalexp output"


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_json_object(path: str | Path) -> dict | None:
    """The JSON object in ``path``, or ``None`` when it is not a readable JSON object of reasonable size."""
    try:
        path = Path(path)
        if not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_OWN_FILE_BYTES:
            return None
        value = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def is_results_file(path: str | Path) -> bool:
    """Whether ``path`` holds an evalexp results file: a JSON object with ``schema_version``."""
    record = read_json_object(path)
    return record is not None and "schema_version" in record


def _ordinary_mode(mode: int) -> int:
    """``mode`` under the process umask (what :func:`open` would give a new file)."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def output_error(path: str | Path, exc: OSError) -> OutputError:
    """The :class:`OutputError` for an :class:`OSError` met while writing ``path``."""
    return OutputError(f"{path}: cannot write: {_reason(exc)}; nothing was written")


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back during the block and deliver them after it.

    Used while outputs are moved into place, so that Ctrl-C never leaves half a swap.
    Only the main thread can change signal handlers; elsewhere the block runs as is
    (Python delivers signals to the main thread only).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    previous = {signum: signal.signal(signum, hold) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for number in received[:1]:
            signal.raise_signal(number)


# --------------------------------------------------------------------------- files


def write_synced(path: str | Path, data: bytes) -> None:
    """Write ``data`` to the (temporary) file ``path`` and flush it to disk."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync(path: Path) -> None:
    """Flush a file written by another library to disk before it is moved into place."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def check_target(target: Target) -> Path:
    """Refuse an output file that cannot or may not be written; return its path.

    Refused: a name that is not a file name, a parent that is missing or not a
    folder, a folder or symbolic link at the path, and an existing file that
    ``target.replaceable`` does not recognise as evalexp's own.

    Raises
    ------
    OutputError
    """
    path = Path(target.path)
    if str(path) == STDOUT:
        raise OutputError("'-' (standard output) cannot be used for this output; give a file name")
    if path.name in ("", ".", ".."):
        raise OutputError(f"{path}: not a file name; nothing was written")
    try:
        parent = path.parent
        if not parent.is_dir():
            if parent.exists() or parent.is_symlink():
                raise OutputError(f"{path}: {parent} is not a folder; nothing was written")
            raise OutputError(f"{path}: the folder {parent} does not exist (evalexp does not create "
                              "folders for an output file); nothing was written")
        if path.is_symlink():
            raise OutputError(f"{path}: is a symbolic link; evalexp does not replace links; nothing was written")
        if path.is_dir():
            raise OutputError(f"{path}: is a folder; give a file name; nothing was written")
        if path.exists() and (target.replaceable is None or not path.is_file() or not target.replaceable(path)):
            if target.replaceable is None:
                raise OutputError(f"{path}: already exists; evalexp does not replace it (remove it or choose "
                                  "another name); nothing was written")
            raise OutputError(f"{path}: already exists and is not {target.kind}; evalexp replaces only its "
                              "own outputs (remove it or choose another name); nothing was written")
    except OSError as exc:
        raise output_error(path, exc) from None
    return path


def _move_all(temps: Sequence[Path], paths: Sequence[Path]) -> None:
    """Move each temporary file onto its path; if a move fails, remove the files this call created.

    (A file replaced before the failure keeps its new content: the previous one was evalexp's own.)
    """
    created: list[Path] = []
    try:
        for temp, path in zip(temps, paths):
            new = not path.exists()
            os.replace(temp, path)
            if new:
                created.append(path)
    except OSError:
        for path in created:
            path.unlink(missing_ok=True)
        raise


@contextmanager
def staged_files(targets: Sequence[Target]) -> Iterator[list[Path]]:
    """Yield one temporary file per target; move them all into place if the block succeeds.

    Every target is checked (:func:`check_target`) before anything is created and
    again just before the moves. On any failure, Ctrl-C included, the temporary files
    are removed and the targets are left as they were; an :class:`OSError` (raised
    by the block or by the moves) becomes an :class:`OutputError` naming the target.
    """
    paths = [check_target(target) for target in targets]
    temps: list[Path] = []
    try:
        try:
            for path in paths:
                fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
                os.close(fd)
                temps.append(Path(name))
                os.chmod(name, _ordinary_mode(0o666))
            yield list(temps)
            for temp in temps:
                _sync(temp)
            for target in targets:
                check_target(target)
            with interrupts_deferred():
                _move_all(temps, paths)
        except OSError as exc:
            named = {**{str(path): path for path in paths}, **{str(temp): path for temp, path in zip(temps, paths)}}
            culprit = named.get(str(exc.filename)) or named.get(str(exc.filename2)) or (paths[0] if paths else "?")
            raise output_error(culprit, exc) from None
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def write_files(outputs: dict[Target, bytes]) -> None:
    """Write several files together: all of them, or none (:func:`staged_files`)."""
    targets = list(outputs)
    with staged_files(targets) as temps:
        for temp, target in zip(temps, targets):
            write_synced(temp, outputs[target])


def write_output(path: str | Path, text: str, *, replaceable: Callable[[Path], bool] | None = None,
                 kind: str = "an evalexp output", stdout: TextIO | None = None) -> None:
    """Write ``text`` (UTF-8) to the output ``path``, or to standard output when ``path`` is ``-``.

    A file is written atomically; an existing file is replaced only when
    ``replaceable(path)`` recognises it as evalexp's own (:func:`check_target`).
    """
    if str(path) == STDOUT:
        stream = sys.stdout if stdout is None else stdout
        stream.write(text)
        stream.flush()
        return
    write_files({Target(Path(path), replaceable, kind): text.encode("utf-8")})


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, replacing any file there (the library primitive).

    The parent folder must exist. Commands use :func:`write_output` instead, which
    replaces only evalexp's own files.
    """
    write_files({Target(Path(path), replaceable=lambda _: True, kind="a file"): data})


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (:func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


# --------------------------------------------------------------------------- report folders


#: The manifest's key holding the SHA-256 of the manifest itself without that key (:func:`seal_manifest`).
SEAL = "manifest_sha256"


def _manifest_bytes(record: dict) -> bytes:
    return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def seal_manifest(record: dict) -> bytes:
    """``manifest.json``'s bytes: ``record`` (2-space indented JSON, UTF-8, final newline) with
    :data:`SEAL`, the SHA-256 of those bytes without it, so that an edit of the manifest is seen."""
    body = {key: value for key, value in record.items() if key != SEAL}
    return _manifest_bytes({**body, SEAL: hashlib.sha256(_manifest_bytes(body)).hexdigest()})


def _manifest_intact(folder: Path, record: dict) -> bool:
    """The manifest's bytes are what :func:`seal_manifest` wrote (a manifest from before the seal passes)."""
    if SEAL not in record:
        return True
    try:
        return (folder / MANIFEST).read_bytes() == seal_manifest(record)
    except OSError:
        return False


def own_files(folder: str | Path) -> dict[str, str] | None:
    """The files a report folder's manifest says evalexp wrote, ``{relative name: sha256}``.

    ``None`` when ``folder/manifest.json`` is not an evalexp manifest: a JSON object
    with ``"generator": "evalexp"`` (or, from reports written before that key, an
    ``"evalexp"`` version string) and ``"outputs"`` mapping relative names to SHA-256.
    """
    record = read_json_object(Path(folder) / MANIFEST)
    if record is None:
        return None
    marked = record.get("generator") == "evalexp" or isinstance(record.get("evalexp"), str)
    outputs = record.get("outputs")
    if not marked or not isinstance(outputs, dict):
        return None
    if not all(isinstance(name, str) and isinstance(digest, str) for name, digest in outputs.items()):
        return None
    return outputs


def foreign_entries(folder: str | Path) -> list[str]:
    """The entries of ``folder`` evalexp did not write, as relative names (folders end in ``/``).

    An entry is evalexp's own when the folder's manifest (:func:`own_files`) lists it
    with the SHA-256 of its current bytes; the manifest itself when its bytes are
    still sealed (:func:`seal_manifest`); the folders that hold listed files. Anything else is foreign: a file added,
    edited or renamed by someone, a symbolic link, an extra folder; every entry of a
    folder without an evalexp manifest is foreign. An empty folder has none.
    """
    folder = Path(folder)
    outputs = own_files(folder) or {}
    allowed_dirs = {"/".join(Path(name).parts[:i]) for name in outputs for i in range(1, len(Path(name).parts))}
    if outputs and _manifest_intact(folder, read_json_object(folder / MANIFEST) or {}):
        outputs = {**outputs, MANIFEST: ""}
    foreign: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath).relative_to(folder)
        for name in dirnames:
            rel = (base / name).as_posix()
            if rel not in allowed_dirs or (Path(dirpath) / name).is_symlink():
                foreign.append(rel + "/")
        dirnames[:] = [name for name in dirnames if (base / name).as_posix() in allowed_dirs
                       and not (Path(dirpath) / name).is_symlink()]
        for name in filenames:
            rel = (base / name).as_posix()
            path = Path(dirpath) / name
            if (rel not in outputs or path.is_symlink() or not path.is_file()
                    or (rel != MANIFEST and sha256_file(path) != outputs[rel])):
                foreign.append(rel)
    return sorted(foreign)


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def _refuse_foreign(folder: Path, foreign: Sequence[str]) -> OutputError:
    return OutputError(f"{folder}: this folder holds {len(foreign)} file(s) or folder(s) that evalexp did not "
                       f"write or that were edited since ({_listed(foreign)}): it is neither empty nor an "
                       "unedited evalexp report, so it is not replaced; choose a new or empty folder; "
                       "nothing was written")


def check_report_dir(path: str | Path, *, inputs: Sequence[str | Path | None] = ()) -> Path:
    """Refuse a report folder that may not be created or replaced; return its path.

    Refused: ``-``; the current folder or one of its parents; the folder of an input
    file (``inputs``: the cohort and the plan) or one of its parents; a symbolic
    link; a file; a folder whose parent does not exist; an existing folder with
    :func:`foreign_entries`. A new subfolder of the inputs' folder is allowed.

    Raises
    ------
    OutputError
    """
    path = Path(path)
    if str(path) == STDOUT:
        raise OutputError("'-' (standard output) cannot hold a report folder; give a folder name")
    try:
        resolved = path.resolve()
        cwd = Path.cwd().resolve()
        if resolved == cwd or resolved in cwd.parents:
            raise OutputError(f"{path}: is the current folder or one of its parents; the report needs a "
                              "folder of its own (new or empty); nothing was written")
        for source in inputs:
            if source is None or not Path(source).is_file():
                continue
            home = Path(source).resolve().parent
            if resolved == home or resolved in home.parents:
                raise OutputError(f"{path}: holds the input file {Path(source).name}; the report needs a "
                                  "folder of its own (new or empty); nothing was written")
        if path.is_symlink():
            raise OutputError(f"{path}: is a symbolic link; give the folder itself; nothing was written")
        if path.exists() and not path.is_dir():
            raise OutputError(f"{path}: is a file, not a folder; evalexp does not replace it; nothing was written")
        if not resolved.parent.is_dir():
            raise OutputError(f"{path}: the folder {path.parent} does not exist (evalexp creates the report "
                              "folder, not its parents); nothing was written")
        if path.is_dir():
            foreign = foreign_entries(path)
            if foreign:
                raise _refuse_foreign(path, foreign)
    except OSError as exc:
        raise output_error(path, exc) from None
    return path


def _swap(stage: Path, final: Path) -> None:
    """Put ``stage`` at ``final``; a previous ``final`` (checked evalexp's own) is removed.

    The previous folder is first renamed aside and checked again there, where no one
    else writes: a file added in the meantime puts everything back and refuses.
    """
    if not final.exists():
        os.replace(stage, final)
        return
    old = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".old"))
    try:
        os.replace(final, old)
        foreign = foreign_entries(old)
        if foreign:
            os.replace(old, final)
            raise _refuse_foreign(final, foreign)
        os.replace(stage, final)
    except BaseException:
        if not final.exists() and old.exists():
            os.replace(old, final)
        raise
    finally:
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)


def write_tree(folder: str | Path, outputs: dict[str, bytes]) -> None:
    """Write ``outputs`` (relative name -> bytes) into ``folder`` (a stage), making subfolders."""
    folder = Path(folder)
    for name, data in outputs.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_synced(target, data)


@contextmanager
def staged_directory(final: str | Path, *, inputs: Sequence[str | Path | None] = ()) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``final`` only if the block succeeds.

    ``final`` is checked (:func:`check_report_dir`) before the stage is made and again
    before the swap. On any failure, Ctrl-C included, the stage is removed and
    ``final`` is left as it was (absent, or with its previous content); an
    :class:`OSError` becomes an :class:`OutputError` naming ``final``.
    """
    final = check_report_dir(final, inputs=inputs)
    stage: Path | None = None
    try:
        try:
            stage = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp"))
            stage.chmod(_ordinary_mode(0o777))  # mkdtemp makes it private (0700); a report is an ordinary folder
            yield stage
            check_report_dir(final, inputs=inputs)
            with interrupts_deferred():
                _swap(stage, final)
        except OSError as exc:
            raise output_error(final, exc) from None
    finally:
        if stage is not None and stage.exists():
            with interrupts_deferred():
                shutil.rmtree(stage, ignore_errors=True)
