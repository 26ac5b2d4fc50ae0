"""``patternsim sweep`` against hostile input and folders: refused up front in one line, or never trusted.

Repeated values and runaway sizes are refused before any cell runs; an output folder with a file
where a folder goes (or the reverse) is refused before any cell runs; a cell file that is not the
planned cell as patternsim writes it is run again, never used; a full disk is one line, leaving
finished cells for ``--resume`` or nothing at all.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from app.cli import main
from patterns.architecture import parse
from simulator import files
from simulator import scenario as scenarios
from simulator import sweep as sweeps

SMALL = str(Path(__file__).resolve().parents[1] / "fixtures" / "small.toml")
TINY = ["--set", "scenario.duration=20", "--set", "scenario.warmup=2", "--set", "data.customers=50",
        "--set", "workload.rate=5"]
VARY = "erp.update_rate=1,2"


def sweep_argv(out: Path, *extra: str, vary: str = VARY) -> list[str]:
    return ["sweep", SMALL, *TINY, "--patterns", "direct", "--vary", vary, "--seeds", "1", "--workers", "0",
            "--quiet", "--out", str(out), *extra]


def cli(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err


def planned_ids(vary: str = VARY) -> list[str]:
    scenario = scenarios.load(SMALL, TINY[1::2])
    return [c.id for c in sweeps.plan(scenario, [vary], parse("direct"), 1).cells]


# -- item 4: the same value spelled twice ----------------------------------------------------------------------
@pytest.mark.parametrize(("vary", "first", "again"), [
    ("erp.update_rate=1,1.0,+1", "1", "1.0"),
    ("data.customers=50,50.0", "50", "50.0"),
    ("erp.network_latency={dist='constant',mean_ms=5},{mean_ms=5,dist=\"constant\"}", "{dist='constant',mean_ms=5}",
     "{mean_ms=5,dist=\"constant\"}"),
], ids=["float", "whole-number", "table"])
def test_a_value_given_twice_in_two_spellings_is_refused(vary, first, again, tmp_path, capsys):
    code, out, err = cli(sweep_argv(tmp_path / "out", vary=vary), capsys)
    refused(code, out, err, f"--vary: {vary.partition('=')[0]}: {first} and {again} are the same value")
    assert not (tmp_path / "out").exists()


def test_each_distinct_value_counts_its_own_seeds():
    """The interval is over distinct runs: with the duplicates gone, 'seeds' is the number of seeds."""
    scenario = scenarios.load(SMALL, TINY[1::2])
    plan = sweeps.plan(scenario, ["erp.update_rate=1,2"], parse("direct"), 2)
    assert len({c.id for c in plan.cells}) == len(plan.cells) == 4


# -- item 11: sizes that would exhaust memory ---------------------------------------------------------------------
@pytest.mark.parametrize(("extra", "fragment"), [
    (["--seeds", "1000000000"], "--seeds: must be at most 1,000, got 1,000,000,000"),
    (["--seeds", "1000", "--vary", "workload.rate=" + ",".join(str(r) for r in range(1, 11))],
     "sweep: 10,000 cells (values x seeds x architectures) is more than the 5,000"),
], ids=["seeds", "cells"])
def test_a_sweep_too_big_to_hold_is_refused_before_anything_runs(extra, fragment, tmp_path, capsys):
    argv = sweep_argv(tmp_path / "out")
    argv[argv.index("--seeds"):argv.index("--seeds") + 2] = []
    if "--vary" in extra:
        argv[argv.index("--vary"):argv.index("--vary") + 2] = []
    code, out, err = cli([*argv, *extra], capsys)
    refused(code, out, err, fragment)
    assert not (tmp_path / "out").exists()


# -- item 9: tampered output folders ----------------------------------------------------------------------------
@pytest.mark.parametrize(("make", "fragment"), [
    (lambda out: (out / "cells").write_text("not a folder"), "cells in it is not a directory"),
    (lambda out: (out / "sweep.json").mkdir(), "sweep.json in it is a directory"),
    (lambda out: (out / "summary.csv").mkdir(), "summary.csv in it is a directory"),
], ids=["cells-is-a-file", "sweep-json-is-a-folder", "summary-csv-is-a-folder"])
def test_an_output_path_of_the_wrong_kind_is_refused_before_any_cell_runs(make, fragment, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    make(out)
    before = sorted(p.name for p in out.iterdir())
    code, stdout, err = cli(sweep_argv(out), capsys)
    refused(code, stdout, err, f"--out {out}", fragment)
    assert sorted(p.name for p in out.iterdir()) == before


def test_a_cell_path_that_is_a_folder_is_refused_before_any_cell_runs(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "cells" / f"{planned_ids()[1]}.json").mkdir(parents=True)
    code, stdout, err = cli(sweep_argv(out, "--resume"), capsys)
    refused(code, stdout, err, "is a folder, so this cell could not be saved")
    assert [p.name for p in (out / "cells").iterdir()] == [f"{planned_ids()[1]}.json"]


def forge(record: dict, how: str) -> bytes:
    if how == "null-result":
        record["result"] = None
    elif how == "negative-p95":
        record["result"]["latency_s"]["all"]["p95"] = -5.0
    elif how == "another-seed":
        record["seed"] += 1
    elif how == "script-in-vary":
        record["vary"]["erp.update_rate"] = "<script>alert(1)</script>"
    elif how == "nan":
        return json.dumps(record).replace('"mean": 0.0', '"mean": NaN', 1).encode()
    elif how == "not-json":
        return b"{\"id\": "
    return json.dumps(record).encode()


@pytest.mark.parametrize("how", ["null-result", "negative-p95", "another-seed", "script-in-vary", "nan", "not-json"])
def test_a_tampered_cell_is_run_again_never_used(how, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(sweep_argv(out)) == 0
    honest = json.loads((out / "sweep.json").read_text())
    path = out / "cells" / f"{planned_ids()[0]}.json"
    path.write_bytes(forge(json.loads(path.read_text()), how))
    capsys.readouterr()
    code, stdout, err = cli(sweep_argv(out, "--resume"), capsys)
    assert code == 0, err
    assert err == f"patternsim: note: 1 cell files in {out / 'cells'} were not cells of this sweep as patternsim " \
                  "writes them, and were run again\n"
    assert json.loads((out / "sweep.json").read_text())["cells"] == honest["cells"]
    assert json.loads(path.read_text()) == honest["cells"][0]


def test_a_cell_that_is_a_fifo_is_not_waited_on(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "cells").mkdir(parents=True)
    os.mkfifo(out / "cells" / f"{planned_ids()[0]}.json")
    code, stdout, err = cli(sweep_argv(out, "--resume"), capsys)
    assert code == 0 and "1 cell files" in err
    assert (out / "cells" / f"{planned_ids()[0]}.json").is_file()


# -- item 16: a full disk ----------------------------------------------------------------------------------------
def test_a_full_disk_before_the_first_cell_leaves_nothing(tmp_path, capsys, monkeypatch):
    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    out = tmp_path / "new" / "out"
    code, stdout, err = cli(sweep_argv(out), capsys)
    refused(code, stdout, err, f"--out {out}: cannot save a cell (No space left on device); no cell had finished")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_at_the_final_files_keeps_the_cells_for_resume(tmp_path, capsys, monkeypatch):
    real = os.open

    def open_(path, *args, **kwargs):  # the disk fills up while the second of the three files is written
        if Path(path).name.startswith(".sweep.csv."):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", open_)
    out = tmp_path / "out"
    code, stdout, err = cli(sweep_argv(out), capsys)
    refused(code, stdout, err, "cannot write the sweep's files (No space left on device); 2 finished cells kept",
            "--resume")
    assert sorted(p.name for p in out.iterdir()) == ["cells"]  # all three final files, or none
    monkeypatch.undo()
    assert main(sweep_argv(out, "--resume")) == 0


def test_a_sweep_on_a_really_full_disk(tiny_disk, capsys):
    out = tiny_disk / "out"
    code, stdout, err = cli(sweep_argv(out, vary="erp.update_rate=1,2,3,4"), capsys)
    refused(code, stdout, err, "No space left on device")
    leftovers = [p for p in tiny_disk.rglob("*") if p.is_file()]
    assert all(p.parent.name == "cells" and not p.name.startswith(".") for p in leftovers), leftovers
    for cell in leftovers:  # what is kept is whole cells, good for --resume
        assert json.loads(cell.read_text())["id"] == cell.stem
    if not leftovers:
        assert not out.exists()


def test_a_run_on_a_really_full_disk_leaves_no_empty_folder(tiny_disk, capsys):
    out = tiny_disk / "results" / "today"
    code, stdout, err = cli(["run", SMALL, "--quiet", "--patterns", "direct,batch_sync", "--out", str(out)], capsys)
    refused(code, stdout, err, f"--out {out}: cannot write the results (No space left on device)")
    assert list(tiny_disk.iterdir()) == []


# -- item 17: cells are files like any other result --------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_cell_files_have_the_same_mode_as_results(tmp_path):
    old = os.umask(0o022)
    try:
        assert main(sweep_argv(tmp_path)) == 0
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in [*tmp_path.glob("*.*"), *(tmp_path / "cells").iterdir()]}
    assert set(modes.values()) == {0o644}, modes
