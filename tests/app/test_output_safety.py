"""Output safety: files are replaced whole or not at all, and every writer in app/ goes through export.

A write that fails or is interrupted halfway leaves the previous file as it was and no temporary
file beside it; a run whose results cannot be written says so in one line.
"""

from __future__ import annotations

import ast
import errno
import os
import signal
import threading
from pathlib import Path

import pytest

from app import export
from app.cli import main
from simulator import files

ROOT = Path(__file__).resolve().parents[2]
SMALL = str(ROOT / "tests" / "fixtures" / "small.toml")
OLD = '{"old": true}\n'


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "results.json"
    path.write_text(OLD)
    return path


def test_replaces_the_whole_file_and_leaves_no_temporary(target):
    export.atomic_write(target, "new ✓\n")
    assert target.read_text(encoding="utf-8") == "new ✓\n"
    assert [p.name for p in target.parent.iterdir()] == ["results.json"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_new_files_follow_the_umask_like_any_other_file(tmp_path):
    old = os.umask(0o022)
    try:
        path = export.atomic_write(tmp_path / "new.csv", "a,b\n")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()],
                         ids=["disk-full", "ctrl-c"])
@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_a_failed_or_interrupted_write_keeps_the_old_file(target, monkeypatch, failure, where):
    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(files.os, where, fail)
    with pytest.raises(type(failure)):
        export.atomic_write(target, "half" * 1000)
    assert target.read_text() == OLD
    assert [p.name for p in target.parent.iterdir()] == ["results.json"]


def test_files_that_belong_together_are_all_new_or_all_old(tmp_path, monkeypatch):
    json_path, csv_path = tmp_path / "results.json", tmp_path / "results.csv"
    json_path.write_text(OLD)
    csv_path.write_text(OLD)
    fsyncs = []

    def second_fsync_fails(fd):
        fsyncs.append(fd)
        if len(fsyncs) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", second_fsync_fails)
    with pytest.raises(OSError):
        export.atomic_write_all({json_path: b"new json", csv_path: b"new csv"})
    assert (json_path.read_text(), csv_path.read_text()) == (OLD, OLD)  # the JSON was ready, not renamed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv", "results.json"]
    monkeypatch.undo()
    export.atomic_write_all({json_path: b"new json", csv_path: b"new csv"})
    assert (json_path.read_text(), csv_path.read_text()) == ("new json", "new csv")


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGINT"),
                    reason="signal handlers run in the main thread")
def test_ctrl_c_during_the_renames_lands_after_the_last_one(tmp_path, monkeypatch):
    paths = [tmp_path / "results.json", tmp_path / "results.csv"]
    replace = os.replace
    done = []

    def replace_then_ctrl_c(src, dst):
        replace(src, dst)
        done.append(dst)
        os.kill(os.getpid(), signal.SIGINT)  # a Ctrl-C right after the first rename

    monkeypatch.setattr(files.os, "replace", replace_then_ctrl_c)
    other = threading.Event()  # another thread in the process, which may be the one the signal reaches
    threading.Thread(target=other.wait, daemon=True).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            export.atomic_write_all({paths[0]: b"new json", paths[1]: b"new csv"})
    finally:
        other.set()
    assert done == paths and [p.read_text() for p in paths] == ["new json", "new csv"]


def test_a_run_that_cannot_write_its_results_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text(OLD)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    code = main(["run", SMALL, "--patterns", "batch_sync", "--set", "scenario.duration=30", "--quiet",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and f"--out {out}" in err and "No space left on device" in err
    assert (out / "results.json").read_text() == OLD
    assert [p.name for p in out.iterdir()] == ["results.json"]


# Calls that write files; in app/ only export.py may make them, so that every output is atomic.
WRITERS = {"write_text", "write_bytes", "savefig", "mkstemp", "NamedTemporaryFile"}


def _writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in WRITERS and not (name == "savefig" and _to_buffer(node)):
            lines.append(node.lineno)
        if name == "open" and _mode(node) and set(_mode(node)) & set("wax+"):
            lines.append(node.lineno)
    return lines


def _mode(call: ast.Call) -> str:
    args = [*call.args[1:2], *(k.value for k in call.keywords if k.arg == "mode")]
    return next((a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)), "")


def _to_buffer(call: ast.Call) -> bool:
    """``fig.savefig(buf, ...)`` into memory (then written atomically) is fine."""
    return bool(call.args) and isinstance(call.args[0], ast.Name) and call.args[0].id in ("buf", "buffer")


def test_every_writer_in_app_goes_through_atomic_write():
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path.name == "export.py":
            continue
        offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _writes(ast.parse(path.read_text()))]
    assert offenders == [], "write these with app.export.atomic_write: " + ", ".join(offenders)
