"""SIGTERM handled like Ctrl-C, so that ``kill``, ``timeout`` or a service manager stop a command cleanly.

Python's default for SIGTERM is to die on the spot: no temporary file removed, no sweep cell
accounted for. Here SIGTERM raises ``Terminated``, a kind of ``KeyboardInterrupt``, so every clean-up
written for Ctrl-C runs for it too; the CLI then says "patternsim: terminated" and exits with 143
(128 + 15), as a process killed by SIGTERM would.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

EXIT_STATUS = 128 + int(getattr(signal, "SIGTERM", 15))


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived; raised in the main thread wherever it was."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises ``Terminated`` (main thread only; elsewhere nothing changes)."""
    if not hasattr(signal, "SIGTERM") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
