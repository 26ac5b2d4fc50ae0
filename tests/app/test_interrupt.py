"""Ctrl-C during a run: exit status 130, one line saying so, and no results or temporary file left behind.

The run is a real ``python -m app.cli`` process. Rather than sleeping and hoping the run has
started, the test waits for the first progress line (printed once a run has taken a second), so
the signal always lands in the middle of the simulation, never during start-up. The architectures
run in worker processes: the signal goes to the command alone (``kill -INT``) or, as Ctrl-C at a
terminal does, to its whole process group, workers included.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small.toml"
PREVIOUS = b'{"previous": "results"}\n'
WAIT_S = 120  # generous bound on waiting for the first progress line, so a broken run cannot hang the suite


def read_line(stream, limit_s: float) -> str:
    ready, _, _ = select.select([stream], [], [], limit_s)
    assert ready, "the run printed no progress line"
    return stream.readline()


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a child process")
@pytest.mark.parametrize(("existing", "group"), [(False, False), (True, False), (False, True)],
                         ids=["fresh-out", "out-with-old-results", "whole-process-group"])
def test_ctrl_c_exits_130_and_leaves_no_partial_results(tmp_path, existing, group):
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
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=WAIT_S)
        # Read through the same buffered streams as the first line (communicate() would bypass the buffer).
        stdout, rest = proc.stdout.read(), proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert stdout == ""
    assert "Traceback" not in rest
    # Progress lines may still have been printed before the signal arrived; after them, exactly one line.
    lines = [line for line in rest.splitlines() if not line.startswith("[")]
    assert lines == ["patternsim: interrupted"], rest
    if existing:
        assert [p.name for p in out.iterdir()] == ["results.json"]
        assert (out / "results.json").read_bytes() == PREVIOUS
    else:
        assert not out.exists()
