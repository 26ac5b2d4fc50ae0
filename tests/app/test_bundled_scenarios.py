"""Bundled scenarios as guided exercises: run by name from anywhere, their comparison and guide, and the wheel."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from app.guide import mentioned_rows, quoted, row_for
from patterns.architecture import parse
from simulator import scenario as scenarios
from simulator.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
SHORT = ["--set", "scenario.duration=2", "--set", "scenario.warmup=1", "--set", "data.customers=50"]


def test_run_by_name_from_another_folder_runs_the_scenarios_comparison(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "truck_telemetry", *SHORT, "--json", "--quiet", "--workers", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["architectures"]) == ["realtime_sync", "ordered_sync"]
    assert doc["scenario"]["scenario"]["name"] == "Truck telemetry"


def test_patterns_flag_overrides_the_comparison(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "truck_telemetry.toml", *SHORT, "--json", "--quiet", "--patterns", "direct"]) == 0
    assert list(json.loads(capsys.readouterr().out)["architectures"]) == ["direct"]


def test_unknown_name_lists_the_bundled_ones(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "flash_sael"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err and "flash_sale" in err
    assert main(["run", "scenarios/flash_sale.toml"]) == 2  # a checkout's path, elsewhere: say what to type
    assert "by name: flash_sale" in capsys.readouterr().err


def test_scenarios_command_lists_names_descriptions_and_comparisons(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for path in scenarios.bundled():
        info = scenarios.load(path)["scenario"]
        assert f"{path.stem}: {info['name']}" in out
        assert info["description"].split()[0] in out
        assert f"compares: {info['compare']}" in out


@pytest.mark.parametrize("path", scenarios.bundled(), ids=lambda p: p.stem)
def test_every_bundled_scenario_has_a_comparison_and_a_guide_naming_real_rows(path):
    info = scenarios.load(path)["scenario"]
    assert len(parse(info["compare"])) >= 2
    assert len(info["guide"].split()) > 30
    unknown = [p for p in quoted(info["guide"]) if row_for(p) is None]
    assert not unknown, f"{path.name}: the guide quotes phrases that are no row of the table: {unknown}"
    assert mentioned_rows(info["guide"])


def test_guide_rows_match_with_or_without_the_unit():
    assert mentioned_rows('look at "summary staleness max" and "ERP calls", not "nothing"') == [
        "ERP calls", "summary staleness max (s)"]


def test_compare_must_name_runnable_architectures(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\ncompare = "direct+batch_sync"\n')
    with pytest.raises(ScenarioError) as caught:
        scenarios.load(bad)
    assert caught.value.key == "scenario.compare" and "direct keeps no local copy" in caught.value.reason


def test_a_misspelt_key_suggests_the_right_one(tmp_path):
    with pytest.raises(ScenarioError, match=r"unknown key \(did you mean 'duration'\?\)"):
        scenarios.load(None, ["scenario.duraton=5"])
    with pytest.raises(ScenarioError, match=r"did you mean 'callback'"):
        scenarios.load(None, ["erp.calback.loss=0.1"])
    typo = tmp_path / "typo.toml"
    typo.write_text("[workload]\nrat = 3\n")
    with pytest.raises(ScenarioError, match="did you mean 'rate'"):
        scenarios.load(typo)


def test_the_wheel_ships_the_scenarios_and_finds_them_without_the_checkout(tmp_path):
    """A non-editable install: build the wheel, unpack it, and load a scenario by name from elsewhere."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("patternsim-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        shipped = {Path(n).name for n in archive.namelist() if n.startswith("scenarios/")}
        archive.extractall(tmp_path / "site")
    assert {p.name for p in scenarios.bundled()} | {"__init__.py"} <= shipped
    code = ("import simulator.scenario as s, sys\n"
            "assert s.__file__.startswith(sys.argv[1]), s.__file__\n"
            "print(len(s.bundled()), s.load('flash_sale')['scenario']['compare'])\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "site")], check=True, capture_output=True,
                         text=True, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin"})
    assert out.stdout.split(maxsplit=1) == [str(len(scenarios.bundled())),
                                            "realtime_sync,queued_sync,queued_sync+ordered_sync\n"]
