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
    silent when ``enabled`` is false. With ``min_seconds`` the bar appears only once the run is
    predicted (from the pace so far) to last longer than that: a quick run leaves no trace."""

    def __init__(self, label: str, total: int, enabled: bool, *, timed: bool = False,
                 min_seconds: float = 0.0) -> None:
        self.label, self.total, self.enabled, self.timed = label, total, enabled, timed
        self.min_seconds, self.shown = min_seconds, False
        self.start = time.perf_counter()

    def _worth_showing(self, done: int) -> bool:
        if not self.min_seconds:
            return True
        elapsed = time.perf_counter() - self.start
        return done < self.total and elapsed * self.total / max(done, 1) > self.min_seconds

    def update(self, done: int) -> None:
        """Redraw the bar at ``done`` of ``total``."""
        if not self.enabled or not (self.shown or self._worth_showing(done)):
            return
        self.shown = True
        filled = WIDTH * done // max(self.total, 1)
        elapsed = f" ({time.perf_counter() - self.start:.0f} s)" if self.timed else ""
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{' ' * (WIDTH - filled)}] {done}/{self.total}{elapsed}")
        sys.stderr.flush()

    def close(self) -> None:
        """End the bar's line (when it was drawn)."""
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
