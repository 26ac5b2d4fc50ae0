"""Progress on stderr for long work: shown only once the work has taken more than a moment."""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY_S = 1.0


class ProgressLine:
    """A single updating line (or, when stderr is not a terminal, a line every 10 %)."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self.started = time.monotonic()  # wall-clock ok: progress display only
        self.shown = False
        self._last_decile: dict[str, int] = {}

    def __call__(self, label: str, fraction: float, detail: str = "") -> None:
        if not self.enabled or time.monotonic() - self.started < DELAY_S:
            return
        self.shown = True
        text = f"{label}: {fraction:6.1%} {detail}".rstrip()
        if self.tty:
            self.stream.write(f"\r\x1b[2K{text}")
            self.stream.flush()
        else:
            decile = int(fraction * 10)
            if decile != self._last_decile.get(label):
                self._last_decile[label] = decile
                self.stream.write(text + "\n")

    def close(self) -> None:
        if self.shown and self.tty:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
