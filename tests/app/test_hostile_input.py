"""Hostile input through the real CLI: every bad file or flag is one line naming it, exit 2, nothing written.

The corpus lives in ``tests/fixtures/hostile``; each file says in its first two comment lines which
key the error must name and a fragment of the reason. Flag values are in ``BAD_FLAGS`` below. Each
case runs through ``app.cli.main`` in this process (fast), with ``--out`` pointing at a folder that
already holds results (which must stay byte for byte the same) and at a fresh path (which must not
appear); a few run in a real subprocess to prove no traceback escapes.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import checks
from app.cli import main
from app.errors import UsageError, one_line
from simulator import files
from simulator import scenario as scenarios

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HOSTILE = FIXTURES / "hostile"
SMALL = str(FIXTURES / "small.toml")
CORPUS = sorted(HOSTILE.glob("*.toml"))
PREVIOUS = b'{"previous": "results"}\n'


def expectation(path: Path) -> tuple[str, str]:
    """The key and reason fragment a corpus file declares in its first two lines."""
    first, second = path.read_bytes().split(b"\n")[:2]
    key = first.decode("ascii").removeprefix("# expect key:").strip()
    reason = second.decode("ascii").removeprefix("# expect reason:").strip()
    return key.encode("ascii").decode("unicode_escape"), reason


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the CLI in this process; argparse's own errors arrive as SystemExit."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err


def assert_one_clean_line(code: int, err: str, source: str, key: str, reason: str) -> None:
    assert code == 2, err
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert "Traceback" not in err
    line = err.rstrip("\n")
    assert one_line(source) in line, line
    assert one_line(key) in line, line
    assert reason in line, line


@pytest.fixture
def outs(tmp_path: Path) -> tuple[Path, Path]:
    """A folder already holding results from an earlier run, and a path that does not exist yet."""
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "results.json").write_bytes(PREVIOUS)
    (existing / "results.csv").write_bytes(b"architecture,seed\n")
    return existing, tmp_path / "fresh"


def assert_nothing_written(outs: tuple[Path, Path]) -> None:
    existing, fresh = outs
    assert sorted(p.name for p in existing.iterdir()) == ["results.csv", "results.json"]
    assert (existing / "results.json").read_bytes() == PREVIOUS
    assert (existing / "results.csv").read_bytes() == b"architecture,seed\n"
    assert not fresh.exists()


def reject(argv: list[str], capsys, outs, source: str, key: str, reason: str) -> str:
    """``argv`` fails cleanly whether ``--out`` names an existing results folder or a fresh one; returns stderr."""
    for out in outs:
        code, err = cli([*argv, "--quiet", "--out", str(out)], capsys)
        assert_one_clean_line(code, err, source, key, reason)
    assert_nothing_written(outs)
    return err


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_bad_scenario_file(path, capsys, outs):
    key, reason = expectation(path)
    reject(["run", str(path)], capsys, outs, str(path), key, reason)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_error_names_the_declared_key(path):
    """The loader itself blames exactly the declared key (the CLI test only checks it is mentioned)."""
    key, reason = expectation(path)
    with pytest.raises(scenarios.ScenarioError) as caught:
        scenarios.load(path)
    assert (caught.value.source, caught.value.key) == (str(path), key)
    assert reason in caught.value.reason


# SQLAlchemy 2.1 drives postgresql:// with psycopg (3), 2.0 with psycopg2; with neither, the URL is refused.
NO_PSYCOPG = all(importlib.util.find_spec(m) is None for m in ("psycopg", "psycopg2"))
# (flags after "run SMALL", source named, key named, fragment of the reason)
BAD_FLAGS = [
    (["--set", "erp.capacity"], "--set", "erp.capacity", "expected KEY=VALUE"),
    (["--set", "=5"], "--set", "=5", "expected KEY=VALUE"),
    (["--set", "erp.nothing=1"], "--set", "erp.nothing", "unknown key"),
    (["--set", "erp..capacity=1"], "--set", "erp.", "unknown key"),
    (["--set", "erp.capacity.x=1"], "--set", "erp.capacity.x", "unknown key"),
    (["--set", "erp.service.get.sigma=1"], "--set", "erp.service.get.sigma", "unknown key"),
    (["--set", "erp.capacity=-2"], "--set", "erp.capacity", "must not be negative"),
    (["--set", "erp.capacity=0"], "--set", "erp.capacity", "greater than 0"),
    (["--set", "workload.rate=nan"], "--set", "workload.rate", "finite"),
    (["--set", "workload.rate=-inf"], "--set", "workload.rate", "finite"),
    (["--set", "scenario.duration=1e308"], "--set", "scenario.duration", "at most"),
    (["--set", "data.customers=" + "1" + "0" * 30], "--set", "data.customers", "at most"),
    (["--set", "erp.capacity=" + "9" * 5000], "--set", "erp.capacity", "too many digits"),
    (["--set", "scenario.duration=" + "[" * 10_000 + "]" * 10_000], "--set", "scenario.duration", "too deeply"),
    (["--set", "erp={capacity=0}"], "--set", "erp.capacity", "greater than 0"),
    (["--set", "erp=3"], "--set", "erp", "is a table"),
    (["--set", "erp.outages={start=1}"], "--set", "erp.outages", "must be a list"),
    (["--set", "erp.service.get={dist='pareto'}"], "--set", "erp.service.get.dist", "unknown distribution"),
    (["--set", "erp.service.get.mean_ms=abc"], "--set", "erp.service.get.mean_ms", "finite"),
    (["--set", "workload.list_fraction=2"], "--set", "workload.list_fraction", "fraction between 0 and 1"),
    (["--set", "workload.list_fraction=0.6"], "--set", "workload", "must sum to 1"),
    (["--set", "scenario.seed=1.5"], "--set", "scenario.seed", "whole number"),
    (["--set", "scenario.name=a\x00b"], "--set", "scenario.name", "control characters"),
    (["--set", "local_db.url=nope"], "--set", "local_db.url", "not a SQLAlchemy URL"),
    (["--seed", "x"], "--seed", "", "invalid int value"),
    (["--seed", "-5"], "--seed", "scenario.seed", "must not be negative"),
    (["--seed", "1" + "0" * 30], "--seed", "scenario.seed", "too large"),
    (["--patterns", ""], "--patterns", "", "no architecture"),
    (["--patterns", "teleport"], "--patterns", "teleport", "unknown pattern"),
    (["--patterns", "batch_sync+"], "--patterns", "''", "unknown pattern"),
    (["--patterns", "direct+batch_sync"], "--patterns", "direct+batch_sync", "pick one"),
    (["--patterns", "direct+direct"], "--patterns", "direct+direct", "named twice"),
    (["--patterns", "direct,direct"], "--patterns", "direct", "listed twice"),
    (["--patterns", "batch_sync+realtime_sync"], "--patterns", "batch_sync+realtime_sync", "one sync"),
    (["--patterns", "batch_sync+queued_sync"], "--patterns", "batch_sync+queued_sync", "kind of realtime_sync"),
    (["--patterns", "direct\nrm -rf"], "--patterns", "direct\\nrm", "unknown pattern"),
    (["--patterns", "batch_sync+lazy_load,lazy_load+batch_sync"], "--patterns", "lazy_load+batch_sync",
     "listed twice (the same patterns as 'batch_sync+lazy_load')"),
    (["--set", "workload.page_size=1e9"], "--set", "workload.page_size", "the Integration Service's page limit"),
    (["--set", "patterns.batch_sync.page_size=1e12"], "--set", "patterns.batch_sync.page_size", "page limit"),
    (["--set", "workload.bursts=[{start=0,duration=10,multiplier=1e12}]"], "--set", "workload.bursts[0].multiplier",
     "above the ceiling of 100,000"),
    (["--set", "erp.bursts=[{start=0,duration=10,multiplier=1e12}]"], "--set", "erp.bursts[0].multiplier",
     "changes/s at the peak"),
    (["--set", 'scenario.name="Retail\\rOVERWRITTEN"'], "--set", "scenario.name", "control characters"),
    (["--set", 'scenario.description="a\\u001b[2Jb"'], "--set", "scenario.description", "control characters"),
    (["--db", "not a url"], "--db", "", "not a SQLAlchemy URL"),
    (["--db", "oracle://scott@db/x"], "--db", "oracle", "not supported"),
    (["--db", "postgresql+nosuchdriver://u@h/db"], "--db", "nosuchdriver", "unknown driver"),
    (["--db", "sqlite:////nonexistent-patternsim-folder/x.db"], "--db", "nonexistent-patternsim-folder",
     "does not exist"),
    (["--db", "sqlite:///{tmp}"], "--db", "{tmp}", "is a directory"),
    pytest.param(["--db", "postgresql://user:hunter2@h/db"], "--db", "user:***@h", "driver is not installed",
                 marks=pytest.mark.skipif(not NO_PSYCOPG, reason="a PostgreSQL driver is installed here")),
    (["--bogus"], "patternsim", "--bogus", "unrecognized arguments"),
    (["--set"], "patternsim", "--set", "expected one argument"),
]


@pytest.mark.parametrize(("flags", "source", "key", "reason"), BAD_FLAGS,
                         ids=lambda v: one_line(" ".join(v))[:40] if isinstance(v, list) else None)
def test_bad_flag_value(flags, source, key, reason, capsys, outs, tmp_path):
    flags = [f.replace("{tmp}", str(tmp_path)) for f in flags]
    key = key.replace("{tmp}", str(tmp_path))
    err = reject(["run", SMALL, *flags], capsys, outs, source, key, reason)
    assert "hunter2" not in err


def test_a_password_never_appears_in_the_error(capsys, tmp_path):
    code, err = cli(["run", SMALL, "--quiet", "--db", "oracle://scott:tiger@db/x"], capsys)
    assert code == 2 and "tiger" not in err and "scott:***@db" in err


# -- files that cannot be read, or are not files ------------------------------------------------------
def test_file_problems_are_reported_as_themselves(tmp_path):
    """Each reading problem has its own reason (not one wrapped in another)."""
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (scenarios.MAX_SCENARIO_BYTES + 1))
    cases = [(tmp_path / "nope.toml", "no such file"), (tmp_path, "is a directory, not a scenario file"),
             (big, f"file is larger than {scenarios.MAX_SCENARIO_BYTES} bytes, the most a scenario may be")]
    for path, reason in cases:
        with pytest.raises(scenarios.ScenarioError) as caught:
            scenarios.load(path)
        assert (caught.value.key, caught.value.reason) == ("", reason)


def test_missing_file(capsys, outs, tmp_path):
    path = tmp_path / "nope.toml"
    reject(["run", str(path)], capsys, outs, str(path), "", "no such file")


def test_directory_instead_of_a_file(capsys, outs, tmp_path):
    reject(["run", str(tmp_path)], capsys, outs, str(tmp_path), "", "is a directory")


def test_path_with_a_nul_byte(capsys, outs, tmp_path):
    path = str(tmp_path / "a\x00b.toml")
    reject(["run", path], capsys, outs, path, "", "no such file")  # no file can have such a name


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads a chmod 000 file anyway; test_unreadable_file_simulated covers it")
def test_unreadable_file(capsys, outs, tmp_path):
    path = tmp_path / "secret.toml"
    path.write_text("[erp]\ncapacity = 3\n")
    path.chmod(0)
    try:
        reject(["run", str(path)], capsys, outs, str(path), "", "permission denied")
    finally:
        path.chmod(0o600)


def test_unreadable_file_simulated(capsys, outs, tmp_path, monkeypatch):
    """What chmod 000 does for an ordinary user, simulated so it also runs as root (as CI does)."""
    path = tmp_path / "secret.toml"
    path.write_text("[erp]\ncapacity = 3\n")
    real_open = os.open

    def refuse(file, *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", refuse)
    reject(["run", str(path)], capsys, outs, str(path), "", "permission denied")


def test_fifty_megabyte_file(capsys, outs, tmp_path):
    path = tmp_path / "huge.toml"
    line = b"# " + b"x" * 1021 + b"\n"
    with path.open("wb") as handle:
        for _ in range(50 * 1024):
            handle.write(line)
    assert path.stat().st_size == 50 * 1024 * 1024
    reject(["run", str(path)], capsys, outs, str(path), "", "larger than")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_endless_device_is_not_read(capsys, outs):
    reject(["run", "/dev/zero"], capsys, outs, "/dev/zero", "", "is a character device, not a scenario file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_at_once_not_waited_on(capsys, outs, tmp_path):
    """Opening a FIFO for reading blocks until someone writes to it; nobody will."""
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    reject(["run", str(fifo)], capsys, outs, str(fifo), "", "is a FIFO (named pipe), not a scenario file")


@pytest.mark.parametrize("text", [
    "x = " + "{ a = " * 10_000 + "1" + " }" * 10_000 + "\n",
    "x = " + "[" * 10_000 + "]" * 10_000 + "\n",
    "[erp]\noutages = " + "[" * 10_000 + "]" * 10_000 + "\n",
], ids=["inline-tables", "arrays", "arrays-in-a-known-key"])
def test_deeply_nested_tables(text, capsys, outs, tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(text)
    reject(["run", str(path)], capsys, outs, str(path), "", "nested too deeply")


@pytest.mark.skipif(os.name != "posix", reason="'a file as a parent folder' is a POSIX example")
def test_out_that_is_a_file_or_cannot_be_created(capsys, tmp_path):
    afile = tmp_path / "results.json"
    afile.write_bytes(PREVIOUS)
    for out, reason in ((afile, "exists and is not a directory"), (afile / "sub", "cannot be created")):
        code, err = cli(["run", SMALL, "--quiet", "--out", str(out)], capsys)
        assert_one_clean_line(code, err, "--out", str(out), reason)
    assert afile.read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


# -- valid edge cases -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "# only a comment\n\n"], ids=["empty", "comments-only"])
def test_empty_file_means_all_defaults(text, tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text(text)
    expected = scenarios.defaults()
    scenarios.validate(expected, "defaults")
    assert scenarios.load(path) == expected


def test_empty_file_runs(tmp_path, capsys):
    path = tmp_path / "empty.toml"
    path.write_bytes(b"")
    argv = ["run", str(path), "--patterns", "batch_sync", "--quiet", "--json", "--set", "scenario.duration=20",
            "--set", "scenario.warmup=0", "--set", "data.customers=50", "--set", "workload.rate=2"]
    assert main(argv) == 0
    assert '"batch_sync"' in capsys.readouterr().out


# -- the same in real processes: no traceback escapes ----------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["run", str(HOSTILE / "toml_unclosed_table.toml")],
    ["run", str(HOSTILE / "not_utf8.toml")],
    ["run", str(HOSTILE / "huge_int_float_key.toml")],
    ["run", str(HOSTILE / "key_with_newline.toml")],
    ["run", SMALL, "--set", "erp.capacity=" + "[" * 10_000],
    ["run", SMALL, "--seed", "-5"],
    ["run", SMALL, "--db", "not a url"],
], ids=["broken-toml", "not-utf8", "huge-int", "newline-key", "deep-set", "negative-seed", "bad-db"])
def test_in_a_real_process(argv, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "app.cli", *argv, "--quiet", "--out", str(out)],
                          capture_output=True, text=True, cwd=FIXTURES.parents[1], timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("patternsim: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert not out.exists()


# -- the other commands that read files or take the same flags -------------------------------------------
def test_sweep_rejects_a_negative_seed_and_an_out_that_cannot_be_created(capsys, tmp_path, outs):
    base = ["sweep", SMALL, "--vary", "workload.rate=1,2", "--seeds", "1", "--workers", "0", "--quiet"]
    reject([*base, "--seed", "-5"], capsys, outs, "--seed", "scenario.seed", "must not be negative")
    afile = tmp_path / "afile"
    afile.write_bytes(PREVIOUS)
    code, err = cli([*base, "--out", str(afile / "sub")], capsys)
    assert_one_clean_line(code, err, "--out", str(afile / "sub"), "cannot be created")
    assert afile.read_bytes() == PREVIOUS


def test_report_of_deeply_nested_json_is_one_line(capsys, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 10_000 + "]" * 10_000)
    code, err = cli(["report", str(path), "--out", str(tmp_path / "report")], capsys)
    assert_one_clean_line(code, err, str(path), "", "not JSON")
    assert not (tmp_path / "report").exists()


def test_out_holding_a_folder_named_results_json_is_refused_before_the_run(capsys, tmp_path):
    out = tmp_path / "out"
    (out / "results.json").mkdir(parents=True)
    code, err = cli(["run", SMALL, "--quiet", "--out", str(out)], capsys)
    assert_one_clean_line(code, err, "--out", str(out), "results.json in it is a directory")
    assert [p.name for p in out.iterdir()] == ["results.json"]


def test_out_file_checks_for_commands_that_write_one_file(tmp_path):
    """``checks.out_file`` (for --out FILE flags): refuses folders and impossible paths, creates nothing."""
    afile = tmp_path / "table.md"
    afile.write_text("old")
    assert checks.out_file(str(afile)) == afile
    assert checks.out_file(str(tmp_path / "new" / "deeper" / "table.md")) == tmp_path / "new" / "deeper" / "table.md"
    for value, reason in ((str(tmp_path), "is a directory"), (str(afile / "x.md"), "cannot be created"),
                          (str(afile / "a" / "x.md"), "cannot be created"), ("", "not a usable path")):
        with pytest.raises(UsageError, match=reason):
            checks.out_file(value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.md"]


def test_a_rejected_run_leaves_no_database_file(capsys, tmp_path, outs):
    """Checking ``--db`` connects to nothing, and a run refused for another reason creates no SQLite file."""
    db = tmp_path / "local.db"
    url = f"sqlite:///{db}"
    reject(["run", SMALL, "--db", url, "--patterns", "teleport"], capsys, outs, "--patterns", "teleport",
           "unknown pattern")
    reject(["run", str(HOSTILE / "nan_rate.toml"), "--db", url], capsys, outs, str(HOSTILE / "nan_rate.toml"),
           "workload.rate", "finite")
    assert not db.exists()


def test_sweep_names_the_patterns_flag_too(capsys, outs):
    reject(["sweep", SMALL, "--vary", "workload.rate=1,2", "--patterns", "teleport"], capsys, outs, "--patterns",
           "teleport", "unknown pattern")
