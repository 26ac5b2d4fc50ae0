"""``patternsim run`` end to end: the table, the JSON, files written, errors as one line and exit 2."""

from __future__ import annotations

import json
import multiprocessing
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app import progress as progress_module
from app.cli import main
from app.table import comparison
from simulator import run as runs
from simulator.run import CLIENT_SECRET
from simulator.scenario import ScenarioError

SMALL = str(Path(__file__).parents[1] / "fixtures" / "small.toml")


def test_run_prints_both_architectures_and_batch_sync_spares_the_erp(capsys):
    assert main(["run", SMALL, "--patterns", "direct,batch_sync", "--json", "--quiet"]) == 0
    results = json.loads(capsys.readouterr().out)
    direct, batch = results["architectures"]["direct"], results["architectures"]["batch_sync"]
    assert batch["erp"]["calls"] < direct["erp"]["calls"] / 3
    assert batch["latency_s"]["list"]["mean"] < direct["latency_s"]["list"]["mean"] / 10
    assert direct["staleness"]["summary"]["stale_fraction"] < batch["staleness"]["summary"]["stale_fraction"]
    assert results["scenario"]["scenario"]["name"] == "Small test scenario"


def test_the_built_in_defaults_and_retail_toml_are_one_scenario(capsys):
    """No scenario file (the TUI's built-in defaults, recommend's command) and scenarios/retail.toml
    give identical JSON: the same name, seed and every setting, hence the same numbers (shortened).
    Only the file's workshop text differs: its ``compare`` and ``guide`` (empty in the defaults)."""
    retail = str(Path(__file__).parents[2] / "scenarios" / "retail.toml")
    short = ["--set", "scenario.duration=20", "--set", "scenario.warmup=5", "--patterns", "direct,batch_sync",
             "--workers", "1", "--json", "--quiet"]
    assert main(["run", *short]) == 0
    built_in = capsys.readouterr().out
    assert main(["run", retail, *short]) == 0
    from_file, defaults = json.loads(capsys.readouterr().out), json.loads(built_in)
    for key in ("compare", "guide"):
        assert from_file["scenario"]["scenario"].pop(key) and defaults["scenario"]["scenario"].pop(key) == ""
    assert from_file == defaults
    assert defaults["scenario"]["scenario"]["name"] == "Retail customers on an ERP"


def test_table_names_every_architecture(capsys):
    assert main(["run", SMALL, "--patterns", "direct,batch_sync", "--quiet"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("metric"))
    assert header.split()[1:] == ["direct", "batch_sync"]
    assert "ERP calls" in out and "summary stale fraction" in out


def test_out_writes_json_and_csv(tmp_path, capsys):
    assert main(["run", SMALL, "--patterns", "batch_sync", "--out", str(tmp_path / "res"), "--quiet"]) == 0
    data = json.loads((tmp_path / "res" / "results.json").read_text())
    assert list(data["architectures"]) == ["batch_sync"]
    csv_lines = (tmp_path / "res" / "results.csv").read_text().splitlines()
    assert csv_lines[0].startswith("architecture,seed,")
    assert csv_lines[1].startswith("batch_sync,7,")
    assert not [p for p in (tmp_path / "res").iterdir() if p.name.startswith(".")]  # no temporary files left


@pytest.mark.parametrize(("args", "needle"), [
    (["run", "missing.toml"], "missing.toml: no such file"),
    (["run", SMALL, "--patterns", "direct+batch_sync"], "direct+batch_sync"),
    (["run", SMALL, "--patterns", "teleport"], "unknown pattern 'teleport'"),
    (["run", SMALL, "--set", "workload.rate=-3"], "--set: workload.rate"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, needle):
    out_dir = tmp_path / "out"
    assert main([*args, "--out", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert not out_dir.exists()


def test_bad_flag_value_is_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["run", SMALL, "--seed", "x"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "--seed" in err and len(err.strip().splitlines()) == 1


def test_same_seed_same_json_in_two_processes():
    """Determinism across processes: workshop participants all get the same numbers."""
    cmd = [sys.executable, "-m", "app.cli", "run", SMALL, "--patterns", "direct,batch_sync", "--json", "--quiet"]
    first = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    second = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert first == second
    assert CLIENT_SECRET not in first and "tok-" not in first  # credentials never reach the results
    other_seed = subprocess.run([*cmd, "--seed", "8"], capture_output=True, text=True, check=True).stdout
    assert json.loads(other_seed)["architectures"] != json.loads(first)["architectures"]


def test_broken_scenario_gives_no_traceback_in_a_real_process(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("[erp\n")
    proc = subprocess.run([sys.executable, "-m", "app.cli", "run", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr and "invalid TOML" in proc.stderr


def test_an_architecture_that_answered_nothing_shows_no_latency_and_wins_nothing():
    answered = {"mean": 0.2, "p50": 0.1, "p95": 0.5, "p99": 0.9, "max": 1.0}
    silent = dict.fromkeys(answered, 0.0)
    blocks = {}
    for name, latency, availability in (("direct", silent, 0.0), ("batch_sync", answered, 1.0)):
        blocks[name] = {"requests": {"total": 10, "failed": 10 - int(10 * availability), "availability": availability},
                        "latency_s": dict.fromkeys(("all", "list", "get", "detail", "update"), latency),
                        "erp": {"calls": 1, "calls_per_s": 1.0, "utilization": 0.1, "queue": {"mean": 0, "max": 0},
                                "callbacks": {"sent": 0, "failed": 0}},
                        "staleness": dict.fromkeys(("summary", "detail"), {"stale_fraction": 0, "mean_s": 0,
                                                                           "max_s": 0, "p95_s": 0}),
                        "cache": {"hit_ratio": 0, "rows": 0}, "sync": {"queue_max": 0},
                        "convergence": {"divergent_records": 0, "lost_changes": 0},
                        "pattern_stats": {}}
    rows = {row[0]: row[1:] for row in comparison({"architectures": blocks})}
    assert rows["latency p50 (ms)"][0] == "-"
    assert rows["latency p50 (ms)"][1].strip() == "100.0"  # the only number: nothing to be best against


def test_workers_2_prints_the_comparison_table(capsys):
    assert main(["run", SMALL, "--patterns", "direct,batch_sync", "--workers", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("metric"))
    assert header.split()[1:] == ["direct", "batch_sync"]
    assert "ERP calls" in out


@pytest.mark.parametrize("value", ["0", "-1"])
def test_workers_below_one_is_one_line_and_exit_2(tmp_path, capsys, value):
    out_dir = tmp_path / "out"
    assert main(["run", SMALL, "--workers", value, "--out", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert "--workers" in err and len(err.strip().splitlines()) == 1
    assert not out_dir.exists()


def test_progress_counts_the_architectures_done(monkeypatch, capsys):
    monkeypatch.setattr(progress_module, "DELAY_S", 0.0)
    assert main(["run", SMALL, "--patterns", "direct,batch_sync", "--workers", "2", "--json"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert all(re.match(r"\[[0-2]/2 done\] ", line) for line in lines), lines
    assert lines[0].startswith("[0/2 done] ") and any(line.startswith("[1/2 done] ") for line in lines)
    assert lines[-1].startswith("[2/2 done] ") and lines[-1].endswith("100.0%")


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the workers must inherit the patched run_one")
def test_a_scenario_error_in_a_worker_is_the_same_one_line_as_in_process(monkeypatch, capsys):
    real = runs.run_one

    def broken(scenario, ids, seed, progress=None):
        if ids == ["batch_sync"]:
            raise ScenarioError("local database", "local_db.url", "cannot open it")
        return real(scenario, ids, seed, progress)

    monkeypatch.setattr(runs, "run_one", broken)
    errors = []
    for workers in ("1", "2"):
        assert main(["run", SMALL, "--patterns", "direct,batch_sync", "--workers", workers, "--quiet"]) == 2
        errors.append(capsys.readouterr().err)
    assert errors[0] == errors[1] == "patternsim: error: local database: local_db.url: cannot open it\n"


def test_help_starts_without_the_simulator_or_the_charts():
    """Each command loads its heavy libraries when it runs, so 'patternsim --help' starts in a fraction of the time."""
    code = ("import sys\nfrom app.cli import main\n"
            "for argv in (['--help'], ['run', '--help'], ['report', '--help'], ['faults', '--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "loaded = [m for m in ('matplotlib', 'jinja2', 'numpy', 'faker', 'simulator.run') if m in sys.modules]\n"
            "assert not loaded, loaded\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert "usage: patternsim report" in done.stdout


def test_version_is_printed_on_stdout(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"patternsim {runs.package_version()}\n"
