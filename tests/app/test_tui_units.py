"""The UI's plain-Python parts: the scenario form's checks, the session, and that the domain never loads textual."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import UsageError
from app.tui import form
from app.tui.session import Session, open_file, problem_with
from patterns.architecture import ArchitectureError
from simulator import scenario as scenarios
from simulator.scenario import ScenarioError


def test_domain_does_not_import_textual() -> None:
    code = ("import importlib, pkgutil, sys, patterns, simulator\n"
            "for pkg in (patterns, simulator):\n"
            "    for m in pkgutil.iter_modules(pkg.__path__):\n"
            "        importlib.import_module(f'{pkg.__name__}.{m.name}')\n"
            "import app.cli, app.tui, app.tui.form, app.tui.session\n"
            "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if m.startswith('textual'))\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_patterns_never_import_the_simulator_or_the_app() -> None:
    """Imports flow app -> simulator -> patterns: loading every module of patterns/ (and its plugins) loads neither."""
    code = ("import importlib, pkgutil, sys, patterns, patterns.catalogue\n"
            "for m in pkgutil.iter_modules(patterns.__path__):\n"
            "    importlib.import_module(f'patterns.{m.name}')\n"
            "up = sorted(m for m in sys.modules if m.split('.')[0] in ('simulator', 'app'))\n"
            "assert not up, up\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
    for path in (Path(__file__).resolve().parents[2] / "patterns").glob("*.py"):  # not even for type checking
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] \
                if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.split(".")[0] in ("simulator", "app")], f"{path.name} imports {names}"


def _values(base, architectures=(("direct",),)):
    return form.values(base, form.fields(base, [list(a) for a in architectures]))


def test_form_names_every_wrong_field_with_the_reason() -> None:
    base = scenarios.defaults()
    texts = {**_values(base), "scenario.duration": "abc", "data.customers": "-3", "workload.rate": ""}
    checked = form.check(base, texts)
    assert not checked.ok
    assert set(checked.errors) == {"scenario.duration", "data.customers", "workload.rate"}
    assert "number" in checked.errors["scenario.duration"]
    assert "negative" in checked.errors["data.customers"]
    assert checked.errors["workload.rate"] == "needs a value"


def test_form_returns_the_scenario_to_run() -> None:
    base = scenarios.defaults()
    checked = form.check(base, {**_values(base), "scenario.duration": "60", "erp.network_latency.mean_ms": "5"})
    assert checked.ok
    assert checked.scenario["scenario"]["duration"] == 60.0
    assert checked.scenario["erp"]["network_latency"] == {"dist": "constant", "mean_ms": 5.0}
    assert base["scenario"]["duration"] == 3600.0  # the base is not touched


def test_form_offers_every_setting_of_the_chosen_patterns_and_the_callbacks() -> None:
    base = scenarios.defaults()
    keys = {f.key for f in form.fields(base, [["direct"], ["batch_sync", "lazy_load"]])}
    settings = form.pattern_settings()
    assert {f"patterns.lazy_load.{k}" for k in settings["lazy_load"]} <= keys
    assert {f"patterns.batch_sync.{k}" for k in settings["batch_sync"]} <= keys
    assert {"erp.bursts", "erp.outages", "workload.bursts"} <= keys
    assert not any(k.startswith(("erp.callback.", "patterns.queued_sync.")) for k in keys)  # no callbacks taken
    specs = {f.key: f for f in form.fields(base, [["queued_sync", "ordered_sync"]])}
    callback = {f"erp.callback.{k}" for k, v in base["erp"]["callback"].items() if not isinstance(v, dict)}
    assert callback | {"erp.callback.delay.mean_ms"} <= specs.keys()
    assert {f"patterns.{p}.{k}" for p in ("realtime_sync", "queued_sync") for k in settings[p]} <= specs.keys()
    assert [s.section for s in specs.values()][-1] == "queued_sync"  # in the architecture's order
    lazy = {f.key: f for f in form.fields(base, [["lazy_load"]])}
    assert lazy["patterns.lazy_load.validation"].choices == ("ttl", "timestamp")


def test_a_new_patterns_settings_appear_without_editing_the_form(monkeypatch) -> None:
    """A pattern the form has never heard of (a stand-in for a plugin, installed or not) gets its fields."""
    from patterns import architecture
    from patterns.pattern import Pattern

    class WriteBehind(Pattern):
        id, axis = "write_behind", "writes"

    monkeypatch.setitem(architecture.PATTERNS, "write_behind", WriteBehind)
    base = scenarios.defaults()
    base["patterns"]["write_behind"] = {"flush_interval": 5.0, "coalesce": True}
    monkeypatch.setattr(form, "pattern_settings", lambda: {"write_behind": {"flush_interval": 5.0, "coalesce": True}})
    specs = [f for f in form.fields(base, [["write_behind"]]) if f.section == "write_behind"]
    assert [(f.key, f.label, f.choices) for f in specs] == [
        ("patterns.write_behind.flush_interval", "flush interval", ()),
        ("patterns.write_behind.coalesce", "coalesce", ("true", "false"))]
    assert form.values(base, specs) == {"patterns.write_behind.flush_interval": "5",
                                        "patterns.write_behind.coalesce": "true"}


def test_form_checks_bursts_outages_and_choices_as_set_does() -> None:
    base = scenarios.defaults()
    texts = _values(base, [["lazy_load"]])
    wrong = form.check(base, {**texts, "erp.outages": "[{ start = 5 }]", "erp.bursts": "lots"})
    assert wrong.errors == {"erp.outages": "[0].duration: missing", "erp.bursts": "must be a list, got 'lots'"}
    right = form.check(base, {**texts, "erp.outages": '[{ start = 5, duration = 10, mode = "hang" }]',
                              "patterns.lazy_load.validation": "timestamp"})
    assert right.ok
    assert right.scenario["erp"]["outages"] == [{"start": 5.0, "duration": 10.0, "mode": "hang"}]
    assert right.scenario["patterns"]["lazy_load"]["validation"] == "timestamp"


def test_session_adopts_the_walk_and_keeps_added_architectures() -> None:
    session = Session()
    session.adopt(["batch_sync"], {})
    assert session.architectures == [["direct"], ["batch_sync"]]
    session.add(["lazy_load"])
    with pytest.raises(ArchitectureError, match="already"):
        session.add(["lazy_load"])
    with pytest.raises(ArchitectureError, match="direct"):
        session.add(["direct", "batch_sync"])
    session.adopt(["direct"], {})
    assert session.architectures == [["direct"], ["lazy_load"]]


def test_walk_settings_reach_the_scenario() -> None:
    session = Session()
    session.adopt(["lazy_load"], {"lazy_load": {"validation": "timestamp"}})
    assert session.base_scenario()["patterns"]["lazy_load"]["validation"] == "timestamp"


def test_unknown_pattern_is_not_runnable() -> None:
    assert "not runnable" in problem_with(["no_such_pattern"])
    assert problem_with([]) and problem_with(["batch_sync"]) is None


def test_open_file_tells_results_from_scenarios(tmp_path: Path, results_file: Path) -> None:
    assert open_file(str(results_file))[0] == "results"
    assert open_file(str(scenarios.bundled()[0])) == ("scenario", str(scenarios.bundled()[0]))
    (tmp_path / "other.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(UsageError, match="not a patternsim results file"):
        open_file(str(tmp_path / "other.json"))
    doc = json.loads(results_file.read_text())
    del doc["architectures"]["direct"]["latency_s"]
    (tmp_path / "partial.json").write_text(json.dumps(doc))
    with pytest.raises(UsageError, match="not a patternsim results file.*latency_s"):
        open_file(str(tmp_path / "partial.json"))
    (tmp_path / "bad.toml").write_text("[erp]\ncapacity = -1\n")
    with pytest.raises(ScenarioError, match="erp.capacity"):
        open_file(str(tmp_path / "bad.toml"))


def test_bars_start_at_zero_and_reach_the_top_they_are_given() -> None:
    from app.tui.widgets.series_chart import bar_rows

    assert bar_rows([0, 4, 8], 3, 1, 8.0) == [" ▄█"]
    assert bar_rows([0, 4, 8], 3, 1, 16.0) == [" ▂▄"]  # a shared, higher top: lower bars
    assert bar_rows([8, 16], 2, 2, 16.0) == [" █", "██"]  # two lines: 16 eighths of height
    assert bar_rows([1, 9, 2, 3], 2, 1, 9.0) == ["█▃"]  # two values a column: the peak shows
    assert bar_rows([], 4, 1, 1.0) == ["    "]
