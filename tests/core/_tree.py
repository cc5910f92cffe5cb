"""A file tree's state (every entry, hidden ones included: kind, bytes' SHA-256, mtime), to compare before and after."""
import hashlib
import os
from pathlib import Path


def snapshot(root: Path) -> dict[str, tuple]:
    """``{relative path: (kind, sha256 or link target, mtime_ns)}`` of every entry under ``root``."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            info = path.lstat()
            if path.is_symlink():
                state[rel] = ("link", os.readlink(path), info.st_mtime_ns)
            elif path.is_dir():
                state[rel] = ("dir", None, info.st_mtime_ns)
            else:
                state[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mtime_ns)
    return state


def leftovers(root: Path) -> list[str]:
    """Temporary files or folders left by evalexp under ``root`` (``.NAME.XXXX.tmp`` / ``.old``)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob(".*") if p.name.endswith((".tmp", ".old")))
