"""A plain progress display on stderr: one line per step, and the total time at the end."""
from __future__ import annotations

import sys
import time
from typing import TextIO


class Steps:
    """Announce the numbered steps of a run on ``stream`` (silent when ``enabled`` is false).

    Each :meth:`start` prints ``[i/n] label… (at t s)`` where ``t`` is the time elapsed
    since the run began, when the step starts; other progress bars (randomisation inference) may print
    between two steps without breaking the display.
    """

    def __init__(self, total: int, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total = total
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._t0 = time.perf_counter()

    def start(self, label: str) -> None:
        """Announce the next step."""
        self.done += 1
        self._write(f"[{self.done}/{self.total}] {label}… (at {time.perf_counter() - self._t0:.1f} s)\n")

    def finish(self, message: str) -> None:
        """Print the total time and ``message``."""
        self._write(f"done in {time.perf_counter() - self._t0:.1f} s: {message}\n")

    def _write(self, text: str) -> None:
        if self.enabled:
            self.stream.write(text)
            self.stream.flush()
