"""A one-line progress bar on standard error, redrawn in place with ``\\r``.

The caller decides whether to show it (the command line does only when stderr is a
terminal: a log file would get every frame).
"""
from __future__ import annotations

import sys
import time

#: Width of the bar in characters.
WIDTH = 30


class ProgressBar:
    """``label [#####     ] done/total`` on stderr (``timed``: followed by the seconds elapsed),
    silent when ``enabled`` is false."""

    def __init__(self, label: str, total: int, enabled: bool, *, timed: bool = False) -> None:
        self.label, self.total, self.enabled, self.timed = label, total, enabled, timed
        self.start = time.perf_counter()

    def update(self, done: int) -> None:
        """Redraw the bar at ``done`` of ``total``."""
        if self.enabled:
            filled = WIDTH * done // max(self.total, 1)
            elapsed = f" ({time.perf_counter() - self.start:.0f} s)" if self.timed else ""
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{' ' * (WIDTH - filled)}] {done}/{self.total}{elapsed}")
            sys.stderr.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()
