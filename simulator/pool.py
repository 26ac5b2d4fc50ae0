"""Process pools for runs: workers that leave Ctrl-C to their parent, stop when asked, die with it.

``run`` (one process per architecture) and ``sweep`` (one per cell) share these. A terminal sends
SIGINT to the whole process group, so workers ignore it and the parent alone decides; it sets the
stop event, and each run stops at its next progress step (``worker_progress`` raises ``Cancelled``).
A worker whose parent was killed exits at its next progress step, or within ``PARENT_CHECK_S``
while it waits for work.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

PARENT_CHECK_S = 1.0  # how often a pool worker checks that its parent still exists (wall-clock ok: no result)


class Cancelled(Exception):
    """Raised by a progress callback to stop a run early (the TUI's cancel key, a stopped pool)."""


def mp_context(start_method: str | None = None) -> Any:
    """The multiprocessing context to start workers with (None: the platform's default).

    ``fork`` (Linux's default) starts fastest but must not be used from a process with threads
    running, such as the TUI; ``forkserver`` forks from a clean server process instead, with the
    simulator imported there once so that each worker starts quickly.
    """
    context = multiprocessing.get_context(start_method)
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["simulator.run"])
    return context


def start_method_for_ui() -> str | None:
    """The start method a UI's runs should use; starts its fork server now, where there is one.

    Call it from the main thread before the UI takes over the terminal. Forking the UI's process
    itself is not safe while its threads run, so runs fork from a fork server instead; and it must
    start now, because Textual replaces ``sys.stderr`` with an object that has no file descriptor,
    after which neither the server nor multiprocessing's resource tracker can be started ("bad
    value(s) in fds_to_keep"). Without a fork server (Windows) the platform's spawn is used.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    mp_context("forkserver")
    multiprocessing.forkserver.ensure_running()
    return "forkserver"


@contextmanager
def worker_pool(workers: int | None, updates: Any = None,
                start_method: str | None = None) -> Iterator[ProcessPoolExecutor]:
    """A process pool (``workers``: processes, None: one per CPU) for runs that report to ``worker_progress``.

    Its workers ignore Ctrl-C: a terminal sends SIGINT to the whole process group, and only this
    process handles it. If the block raises (a failed run, Ctrl-C), pending work is cancelled and
    the running runs stop at their next progress step (``worker_progress`` raises ``Cancelled``);
    leaving the block waits for the workers to be idle. Workers whose parent died exit at their next
    progress step, or within ``PARENT_CHECK_S`` when waiting for work. ``updates``: a queue of this
    context for the runs' (name, fraction), or None. ``start_method``: see ``mp_context``.
    """
    context = mp_context(start_method)
    stop = context.Event()
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(updates, stop))
    try:
        yield pool
    except BaseException:
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_updates: Any = None  # in a worker_pool process: the queue to the parent (or None), its stop event and its pid
_stop: Any = None
_parent = 0


def _start_worker(updates: Any, stop: Any) -> None:
    """Pool initializer. Ctrl-C at a terminal reaches every process; the parent alone handles it."""
    global _updates, _stop, _parent  # noqa: PLW0603 - per-process state, set once when the worker starts
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):  # a forked worker inherits the CLI's handler (app/signals.py): not its own
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if updates is not None:  # progress only: a worker never waits at exit for the parent to read it
        updates.cancel_join_thread()
    _updates, _stop, _parent = updates, stop, os.getppid()
    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()


def _exit_with_parent() -> None:
    """A worker waiting for work reaches no progress step: it checks its parent here instead."""
    while os.getppid() == _parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


def worker_progress(name: str, fraction: float) -> None:
    """The progress callback of a run in a ``worker_pool`` process; anywhere else it does nothing.

    It stops the run once the parent has set the stop event (raises ``Cancelled``), ends the process
    if the parent was killed (SIGKILL, SIGTERM: nobody will read this run), and queues the fraction
    for the parent when the pool has an updates queue.
    """
    if _stop is None:  # not a worker_pool process: this one, a thread of it, a Dask worker
        return
    if os.getppid() != _parent:
        os._exit(1)
    if _stop.is_set():
        raise Cancelled
    if _updates is not None and fraction < 1.0:  # the parent reports 1.0 itself, once the run is back
        _updates.put((name, fraction))
