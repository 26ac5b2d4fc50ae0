"""``patternsim report`` writes all of a report or nothing: on a full disk, an error or SIGTERM mid-write.

The charts are stood in by a few files of known size (``render`` is replaced): what is under test
is how the report reaches the disk, not what it draws.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from app import report
from app.cli import main
from app.signals import Terminated, sigterm_as_interrupt
from simulator import files

FILES = {"a.png": b"a" * 40_000, "b.png": b"b" * 40_000, "report.html": b"<!DOCTYPE html>" + b"c" * 40_000}
OLD = {"a.png": b"old a", "report.html": b"old page", "notes.txt": b"the user's own file"}


@pytest.fixture
def stand_in(monkeypatch, run_json):
    monkeypatch.setattr(report, "render", lambda doc: dict(FILES))
    return run_json


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def fail_on_call(monkeypatch, n: int, action) -> None:
    """Make the n-th fsync of a report file do ``action`` (raise a disk error, or send a signal)."""
    calls = [0]
    real = os.fsync

    def fsync(fd: int) -> None:
        calls[0] += 1
        if calls[0] == n:
            action()
        real(fd)
    monkeypatch.setattr(files.os, "fsync", fsync)


def no_space() -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_new_report_appears_whole(stand_in, tmp_path) -> None:
    out = tmp_path / "deep" / "report"
    assert main(["report", str(stand_in), "--out", str(out)]) == 0
    assert contents(out) == FILES
    assert os.listdir(tmp_path / "deep") == ["report"]  # no temporary folder left beside it


@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "over-an-old-report"])
def test_a_full_disk_mid_write_leaves_the_old_report_or_nothing(stand_in, tmp_path, capsys, monkeypatch,
                                                                existing) -> None:
    out = tmp_path / "parent" / "report"
    if existing:
        out.mkdir(parents=True)
        for name, data in OLD.items():
            (out / name).write_bytes(data)
    fail_on_call(monkeypatch, 2, no_space)
    assert main(["report", str(stand_in), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "nothing written" in err
    if existing:
        assert contents(out) == OLD and os.listdir(out.parent) == ["report"]
    else:
        assert not (tmp_path / "parent").exists()  # not even the parent folder it made


def test_a_real_full_disk(stand_in, tmp_path, capsys) -> None:
    """A 64 KiB tmpfs (root only): the report does not fit; one line, exit 2, the mount left empty."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root; the simulated full disk above covers the same path")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        assert main(["report", str(stand_in), "--out", str(mount / "report")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "No space left on device" in err
        assert os.listdir(mount) == []
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals go to the main thread")
def test_sigterm_mid_write_exits_143_and_removes_temporary_files(stand_in, tmp_path, capsys, monkeypatch) -> None:
    out = tmp_path / "report"
    fail_on_call(monkeypatch, 2, lambda: os.kill(os.getpid(), signal.SIGTERM))
    before = signal.getsignal(signal.SIGTERM)
    assert main(["report", str(stand_in), "--out", str(out)]) == 143
    assert capsys.readouterr().err == "patternsim: terminated\n"
    assert os.listdir(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is before  # the CLI's handler is gone again


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals go to the main thread")
def test_interrupts_wait_for_the_renames_to_finish() -> None:
    """SIGTERM inside ``signals_held`` is delivered when the block ends, not in the middle of it."""
    done = []
    with pytest.raises(Terminated), sigterm_as_interrupt(), files.signals_held():
        os.kill(os.getpid(), signal.SIGTERM)
        done.append("the rest of the block")
    assert done == ["the rest of the block"]
