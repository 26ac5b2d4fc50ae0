"""The TUI driven by key presses: the recommended walk, a short run, the results, export, and mistakes."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Checkbox, DataTable, OptionList

from app.table import ROWS
from app.tui.app import make_app
from app.tui.screens.export import ExportScreen
from app.tui.screens.help import HelpScreen
from app.tui.screens.outcome import OutcomeScreen
from app.tui.screens.question import QuestionScreen
from app.tui.screens.results import ResultsScreen
from app.tui.screens.run import RunScreen
from app.tui.screens.scenario import ScenarioScreen
from tests.app.tui_helpers import SMALL, open_scenario, sync, type_into, until, walk_recommended

SIZE = (100, 30)


@sync
async def test_recommended_walk_runs_and_exports(tmp_path: Path) -> None:
    app = make_app(out_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await walk_recommended(pilot)
        assert isinstance(app.screen, OutcomeScreen)
        assert app.session.architectures == [["direct"], ["batch_sync"]]
        await pilot.press("n")
        assert isinstance(app.screen, ScenarioScreen)
        for key, text in SMALL.items():
            await type_into(pilot, key, text)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, ResultsScreen))
        table = app.screen.query_one(DataTable)
        assert [str(c.label).strip() for c in table.columns.values()] == ["metric", "direct", "batch_sync"]
        assert table.row_count == len(ROWS)
        await pilot.press("e")  # export: a new folder for this run is proposed and shown
        assert isinstance(app.screen, ExportScreen)
        folder = tmp_path / "retail-customers-on-an-erp-run1"
        assert f"Writes into {folder}  (a new folder)" in str(app.screen.query_one("#export-plan").render())
        app.screen.query_one("#export-html", Checkbox).value = False  # no matplotlib here: JSON and CSV
        await pilot.press("enter")
        await until(pilot, lambda: (folder / "results.csv").exists())
        assert app.session.unexported() == []
    doc = json.loads((folder / "results.json").read_text())
    assert list(doc["architectures"]) == ["direct", "batch_sync"]
    assert doc["scenario"]["scenario"]["duration"] == 60
    assert doc["scenario"]["data"]["customers"] == 500
    assert doc["architectures"]["batch_sync"]["requests"]["total"] > 0


@sync
async def test_going_back_keeps_answers() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")  # walk; replicate = yes
        await pilot.press("down", "enter")  # summary_reads = no
        assert app.screen.question.id == "details_reused"
        await pilot.press("escape")
        assert app.screen.question.id == "summary_reads"
        assert app.screen.query_one(OptionList).highlighted == app.screen.question.values.index("no")
        assert app.session.answers == {"replicate": "yes", "summary_reads": "no"}
        await pilot.press("enter", "enter", "enter", "enter")  # no, then recommended to the end
        assert app.session.walked == ["direct"]
        assert app.session.architectures == [["direct"]]


@sync
async def test_wrong_value_is_explained_and_blocks_the_run() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot)
        await type_into(pilot, "erp.summary_change_fraction", "1.5")
        row = app.screen.query_one("#row-erp-summary_change_fraction")
        assert row.has_class("-invalid")
        assert "between 0 and 1" in str(row.query_one(".field-error").render())
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioScreen)
        assert not app.workers and app.session.results is None
        await type_into(pilot, "erp.summary_change_fraction", "0.5")
        assert not row.has_class("-invalid")


@sync
async def test_cancel_returns_to_the_form() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot)
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, RunScreen)
        await pilot.press("c")  # the default hour-long run: stopped at its next progress step
        await until(pilot, lambda: isinstance(app.screen, ScenarioScreen))
        assert app.session.results is None


@sync
async def test_pick_by_hand_rejects_conflicts() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "enter")  # pick patterns by hand: the picker opens over the outcome
        await pilot.press("space", "down", "space")  # direct + batch_sync
        assert "direct+batch_sync" in str(app.screen.query_one("#pick-status").render())
        await pilot.press("a")
        assert app.session.architectures == [["direct"]]
        await pilot.press("up", "space", "a")  # batch_sync alone
        await pilot.pause()
        assert isinstance(app.screen, OutcomeScreen)
        assert app.session.architectures == [["direct"], ["batch_sync"]]
        await pilot.press("d")
        assert app.session.architectures == [["direct"]]


@sync
async def test_open_results_file_and_export_csv_and_report(tmp_path: Path, results_file: Path) -> None:
    app = make_app(out_dir=tmp_path / "out")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down", "enter")
        path = app.screen.query_one("#open-path")
        path.value = str(tmp_path / "missing.json")  # as if pasted
        await pilot.press("enter")
        assert "no such file" in str(app.screen.query_one("#open-error").render())
        path.value = str(results_file)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.screen.query_one(DataTable).row_count == len(ROWS)
        await pilot.press("e")
        app.screen.query_one("#export-folder").value = str(tmp_path / "chosen")
        app.screen.query_one("#export-json", Checkbox).value = False
        await pilot.press("ctrl+s")
        await until(pilot, lambda: (tmp_path / "chosen" / "report.html").exists())
        await pilot.press("q")  # an opened file is on disk already: nothing to ask
    assert app.return_code == 0
    header = (tmp_path / "chosen" / "results.csv").read_text().splitlines()[0]
    assert header.startswith("architecture,seed,")
    assert not (tmp_path / "chosen" / "results.json").exists()
    assert "<th>direct</th>" in (tmp_path / "chosen" / "report.html").read_text()


@sync
async def test_help_and_quit() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("q")
    assert app.return_code == 0


@sync
async def test_scenario_file_fills_the_form(tmp_path: Path) -> None:
    scenario = tmp_path / "mine.toml"
    scenario.write_text('[scenario]\nname = "Mine"\n[data]\ncustomers = 1234\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot)
        await type_into(pilot, "scenario.seed", "7")
        await pilot.press("ctrl+o")
        app.screen.query_one("#open-path").value = str(scenario)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioScreen)
        assert app.session.scenario_path == str(scenario)
        assert app.screen.query_one("#field-data-customers").value == "1234"
        assert app.screen.query_one("#field-scenario-seed").value == "42"  # a new file starts from its own values
        assert "Mine" in str(app.screen.query_one("#scenario-description").render())


@sync
async def test_charts_switch_to_one_scale_across_architectures(tmp_path: Path, results_file: Path) -> None:
    from app.tui.widgets.series_chart import Bars, SeriesChart

    app = make_app(out_dir=tmp_path / "out")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down", "enter")  # open a file
        app.screen.query_one("#open-path").value = str(results_file)
        await pilot.press("enter")
        await pilot.pause()
        charts = list(app.screen.query(SeriesChart))
        erp = [c for c in charts if c.title == "ERP calls"]
        assert len(erp) == 2 and erp[0].peak != erp[1].peak
        assert all("calls/s), " in str(c.query_one("Label").render()) and " s buckets" in str(
            c.query_one("Label").render()) for c in erp)
        assert {c.query_one(Bars).top for c in erp} == {c.peak for c in erp}  # each on its own scale
        await pilot.press("s")
        assert {c.query_one(Bars).top for c in erp} == {max(c.peak for c in erp)}
        assert "one scale per series" in str(app.screen.query_one("#charts-heading").render())
        assert all(", top " in str(c.query_one("Label").render()) for c in charts)
