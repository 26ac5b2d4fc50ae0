"""Ctrl-C during a run: exit status 130, one line saying so, and no results or temporary file left behind.

The run is a real ``python -m app.cli`` process. Rather than sleeping and hoping the run has
started, the test waits for the first progress line (printed once a run has taken a second), so
the signal always lands in the middle of the simulation, never during start-up. The architectures
run in worker processes: the signal goes to the command alone (``kill -INT``) or, as Ctrl-C at a
terminal does, to its whole process group, workers included.

A sweep is interrupted the same way once its first cell is on disk, with one pool worker idle and
two running a cell; a sweep killed outright must not leave its workers running. SIGTERM (``kill``,
``timeout``, a service manager) is handled like Ctrl-C, with exit status 143.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.cli import main
from simulator import files

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small.toml"
PREVIOUS = b'{"previous": "results"}\n'
WAIT_S = 120  # generous bound on waiting for the first progress line, so a broken run cannot hang the suite


def read_line(stream, limit_s: float) -> str:
    ready, _, _ = select.select([stream], [], [], limit_s)
    assert ready, "the run printed no progress line"
    return stream.readline()


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a child process")
@pytest.mark.parametrize(("existing", "group", "signum"), [
    (False, False, signal.SIGINT), (True, False, signal.SIGINT), (False, True, signal.SIGINT),
    (True, False, signal.SIGTERM), (False, True, signal.SIGTERM)],
    ids=["fresh-out", "out-with-old-results", "whole-process-group", "SIGTERM", "SIGTERM-to-the-group"])
def test_ctrl_c_exits_130_and_leaves_no_partial_results(tmp_path, existing, group, signum):
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / "results.json").write_bytes(PREVIOUS)
    cmd = [sys.executable, "-m", "app.cli", "run", str(SMALL), "--set", "scenario.duration=20000", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        first = read_line(proc.stderr, WAIT_S)
        assert first.startswith("[0/2 done] "), first  # the architectures run at once: either may come first
        if group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        proc.wait(timeout=WAIT_S)
        # Read through the same buffered streams as the first line (communicate() would bypass the buffer).
        stdout, rest = proc.stdout.read(), proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == (130 if signum == signal.SIGINT else 143)
    assert stdout == ""
    assert "Traceback" not in rest
    # Progress lines may still have been printed before the signal arrived; after them, exactly one line.
    lines = [line for line in rest.splitlines() if not line.startswith("[")]
    assert lines == ["patternsim: " + ("interrupted" if signum == signal.SIGINT else "terminated")], rest
    if existing:
        assert [p.name for p in out.iterdir()] == ["results.json"]
        assert (out / "results.json").read_bytes() == PREVIOUS
    else:
        assert not out.exists()


# Three cells, each in a worker of its own: a short one that is soon on disk (its worker then waits
# idle) and two that run for seconds, long enough to be running when the signal comes.
SWEEP = ["sweep", str(SMALL), "--patterns", "direct", "--vary", "scenario.duration=60,5000,5001", "--seeds", "1",
         "--workers", "3"]


def start_sweep(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli", *SWEEP, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_a_cell(proc: subprocess.Popen, cells: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while not any(cells.glob("*.json")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no cell of the sweep was written"
        time.sleep(0.05)


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a process group")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_during_a_sweep_keeps_finished_cells_and_resume_runs_the_rest(tmp_path, signum):
    cells = tmp_path / "cells"
    proc = start_sweep("--out", str(tmp_path))
    try:
        wait_for_a_cell(proc, cells)
        os.killpg(proc.pid, signum)  # as Ctrl-C at a terminal: the sweep and its workers, busy or idle
        stdout, stderr = proc.communicate(timeout=WAIT_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == (130 if signum == signal.SIGINT else 143)
    assert stdout == ""
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if not line.startswith("sweep: ")]  # progress lines
    word = "interrupted" if signum == signal.SIGINT else "terminated"
    assert len(lines) == 1 and lines[0].startswith(f"patternsim: {word}; "), stderr
    assert "--resume" in lines[0]
    with pytest.raises(ProcessLookupError):  # the workers went with the sweep
        os.killpg(proc.pid, 0)
    kept = {p.name: p.stat().st_mtime_ns for p in cells.iterdir()}
    assert 1 <= len(kept) < 3
    for name in kept:  # only complete cells: no temporary file, every file a whole record
        assert name.endswith(".json")
        assert json.loads((cells / name).read_text())["id"] == name.removesuffix(".json")
    assert not (tmp_path / "sweep.json").exists()

    assert main([*SWEEP, "--quiet", "--resume", "--out", str(tmp_path)]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in cells.iterdir() if p.name in kept} == kept  # not run again
    doc = json.loads((tmp_path / "sweep.json").read_text())
    assert len(doc["cells"]) == 3 == len(list(cells.iterdir()))


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; its new parent has not collected it yet


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker processes in /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_workers_of_a_killed_sweep_exit(tmp_path, signum):
    proc = start_sweep("--quiet", "--out", str(tmp_path))
    workers: list[int] = []
    try:
        wait_for_a_cell(proc, tmp_path / "cells")  # one worker idle, two running a cell
        workers = children(proc.pid)
        assert len(workers) == 3
        proc.send_signal(signum)
        proc.wait(timeout=WAIT_S)  # not communicate(): a worker left running would keep its pipes open
        deadline = time.monotonic() + WAIT_S
        while any(running(pid) for pid in workers):
            assert time.monotonic() < deadline, "the workers outlived the sweep"
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in workers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"),
                    reason="signal handlers run in the main thread")
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_sigterm_while_files_are_written_leaves_no_temporary_file(tmp_path, monkeypatch, capsys, command):
    """SIGTERM lands as the first file is synced: the command ends like Ctrl-C, nothing half-written is left."""
    real = files.os.fsync

    def fsync_then_sigterm(fd):
        real(fd)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(files.os, "fsync", fsync_then_sigterm)
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_bytes(PREVIOUS)
    argv = ["--quiet", "--patterns", "direct", "--set", "scenario.duration=20", "--out", str(out)]
    argv = ["run", str(SMALL), *argv] if command == "run" else \
        ["sweep", str(SMALL), "--vary", "workload.rate=2,3", "--seeds", "1", "--workers", "0", *argv]
    previous = signal.getsignal(signal.SIGTERM)
    assert main(argv) == 143
    assert signal.getsignal(signal.SIGTERM) is previous  # the handler is only the command's
    assert capsys.readouterr().err.startswith("patternsim: terminated")
    assert [p.name for p in out.rglob("*") if p.is_file()] == ["results.json"]
    assert (out / "results.json").read_bytes() == PREVIOUS
