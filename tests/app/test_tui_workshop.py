"""The TUI for a room: guided scenarios, results at 80 columns, the session's runs, export and leaving."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from textual.widgets import Checkbox, DataTable, Footer

from app.guide import mentioned_rows
from app.tui.app import make_app
from app.tui.screens.briefing import BriefingScreen
from app.tui.screens.compare import CompareScreen
from app.tui.screens.confirm import ConfirmScreen
from app.tui.screens.export import ExportScreen
from app.tui.screens.outcome import OutcomeScreen
from app.tui.screens.results import ResultsScreen
from app.tui.screens.scenario import ScenarioScreen
from app.tui.session import load_results
from patterns.architecture import parse
from simulator import scenario as scenarios
from tests.app.tui_helpers import sync, until

SMALL_TERM = (80, 24)
SHORT = ["scenario.duration=3", "scenario.warmup=1"]


def _label(table: DataTable, row: int) -> str:
    return str(table.get_row_at(row)[0])


@sync
async def test_a_guided_scenario_brings_its_comparison_and_its_guide_before_and_after_the_run() -> None:
    app = make_app(overrides=SHORT)
    guide = scenarios.load("truck_telemetry")["scenario"]["guide"]
    async with app.run_test(size=SMALL_TERM) as pilot:
        await pilot.press("down", "enter")  # workshop scenarios
        names = [p.stem for p in scenarios.bundled()]
        await pilot.press(*["down"] * names.index("truck_telemetry"), "enter")
        assert isinstance(app.screen, BriefingScreen)
        assert app.session.architectures == [["realtime_sync"], ["ordered_sync"]]
        assert "older copy over newer" in str(app.screen.query_one("GuideText").render())
        await pilot.press("enter")  # run it as it is
        await until(pilot, lambda: isinstance(app.screen, ResultsScreen))
        table = app.screen.query_one(DataTable)
        assert list(app.session.results["architectures"]) == ["realtime_sync", "ordered_sync"]
        marked = [_label(table, i).removeprefix("▸ ") for i in range(table.row_count)
                  if _label(table, i).startswith("▸ ")]
        assert marked == mentioned_rows(guide) and "older copy over newer" in marked
        strip = app.screen.query_one("#guide-strip")
        assert strip.display and "older copy over newer" in str(strip.query_one("GuideText").render())
        await pilot.press("i")
        assert not strip.display


@sync
async def test_opening_a_scenario_file_preselects_its_comparison(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text('[scenario]\nname = "Mine"\ncompare = "direct,lazy_load"\nguide = """Look at "ERP calls"."""\n')
    app = make_app()
    async with app.run_test(size=SMALL_TERM) as pilot:
        await pilot.press("down", "down", "down", "enter")
        app.screen.query_one("#open-path").value = str(mine)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.session.architectures == [["direct"], ["lazy_load"]]
        await pilot.press("s")  # adjust the settings: choosing another scenario brings its comparison too
        assert isinstance(app.screen, ScenarioScreen)
        await app.screen.switch_to(str(scenarios.SCENARIO_DIR / "flash_sale.toml"))
        assert app.session.architectures == parse(scenarios.load("flash_sale")["scenario"]["compare"])
        assert app.screen.query("#field-patterns-queued_sync-workers")  # the new architectures' settings


@sync
async def test_chosen_architectures_are_kept_when_the_scenario_changes() -> None:
    app = make_app()
    async with app.run_test(size=SMALL_TERM) as pilot:
        app.session.architectures = [["lazy_load"]]
        await app.push_screen(ScenarioScreen())
        await pilot.pause()
        await app.screen.switch_to(str(scenarios.SCENARIO_DIR / "flash_sale.toml"))
        assert app.session.architectures == [["lazy_load"]]


@sync
async def test_results_fit_80_columns(results_file: Path) -> None:
    doc = load_results(results_file)
    for name in ("realtime_sync", "batch_sync+lazy_load", "queued_sync+ordered_sync"):  # too wide for 80 columns
        doc["architectures"][name] = copy.deepcopy(doc["architectures"]["batch_sync"])
    app = make_app()
    async with app.run_test(size=SMALL_TERM) as pilot:
        app.session.record(doc)
        await app.push_screen(ResultsScreen(app.session.runs[0]))
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.fixed_columns == 1 and table.header_height == 2
        assert [str(c.label) for c in table.columns.values()][-1] == "queued_sync+\nordered_sync"
        table.scroll_to(x=table.max_scroll_x, animate=False)  # scrolled right: the metric column stays
        await pilot.pause()
        assert table.scroll_x > 0
        first_row = table.render_line(table.header_height).text
        assert first_row.lstrip().startswith("requests") and "ordered_sync" not in first_row
        footer = app.screen.query_one(Footer)
        assert all(key.region.right <= SMALL_TERM[0] for key in footer.children if key.display)


@sync
async def test_replicated_results_show_intervals_and_warnings(results_file: Path) -> None:
    doc = load_results(results_file)
    doc["replications"] = 4
    block = doc["architectures"]["batch_sync"]
    block["ci95"] = {"erp": {"calls": 12.5}, "requests": {"availability": 0.001}}
    block["warnings"] = ["the ERP is saturated: offered load is 1.3 times its capacity"]
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.session.record(doc)
        await app.push_screen(ResultsScreen(app.session.runs[0]))
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        erp_calls = table.get_row("ERP calls")
        assert "± 12" in str(erp_calls[2]) and "±" not in str(erp_calls[1])
        assert "± 0.10%" in str(table.get_row("availability")[2])
        notes = str(app.screen.query_one("#results-notes").render())
        assert "! batch_sync: the ERP is saturated" in notes and "over 4 replications" in notes


@sync
async def test_compare_with_the_previous_run_shows_what_changed(results_file: Path) -> None:
    first = load_results(results_file)
    second = copy.deepcopy(first)
    second["scenario"]["erp"]["update_rate"] = 5.0
    second["architectures"]["batch_sync"]["erp"]["calls"] = first["architectures"]["batch_sync"]["erp"]["calls"] * 2
    app = make_app()
    async with app.run_test(size=SMALL_TERM) as pilot:
        app.session.record(first)
        run = app.session.record(second)
        await app.push_screen(ResultsScreen(run))
        await pilot.pause()
        await pilot.press("p")
        assert isinstance(app.screen, CompareScreen)
        assert "erp.update_rate 2 → 5" in str(app.screen.query_one("#compare-scenario").render())
        cell = str(app.screen.query_one(DataTable).get_row("ERP calls")[2])
        assert "→" in cell and "(+100%) ▼" in cell


@sync
async def test_export_shows_the_files_first_and_never_replaces_unasked(tmp_path: Path, results_file: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "results.json").write_text("keep me")
    app = make_app(out_dir=tmp_path)
    async with app.run_test(size=SMALL_TERM) as pilot:
        app.session.record(load_results(results_file))
        await app.push_screen(ResultsScreen(app.session.runs[0]))
        await pilot.press("e")
        assert isinstance(app.screen, ExportScreen)
        assert str(tmp_path / "retail-customers-on-an-erp-run1") in str(app.screen.query_one("#export-plan").render())
        app.screen.query_one("#export-folder").value = str(folder)
        app.screen.query_one("#export-html", Checkbox).value = False
        await pilot.pause()
        assert "results.json  exists: not replaced" in str(app.screen.query_one("#export-plan").render())
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ExportScreen)  # refused, and said why
        assert "already there" in str(app.screen.query_one("#export-error").render())
        assert (folder / "results.json").read_text() == "keep me"
        app.screen.query_one("#export-replace", Checkbox).value = True
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.session.runs[0].exported == folder)
    assert json.loads((folder / "results.json").read_text())["seed"] == 42


@sync
async def test_leaving_unexported_results_asks_first(results_file: Path) -> None:
    app = make_app()
    async with app.run_test(size=SMALL_TERM) as pilot:
        app.session.record(load_results(results_file))
        await app.push_screen(ResultsScreen(app.session.runs[0]))
        await pilot.press("w")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("w", "e")  # "export first" opens the export dialog
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("escape", "q")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Run 1" in str(app.screen.query_one("#confirm-detail").render())
        await pilot.press("n")
        assert app.return_code is None
        await pilot.press("q", "y")
    assert app.return_code == 0


@sync
async def test_outcome_says_why_and_lists_the_patterns_in_order() -> None:
    app = make_app()
    async with app.run_test(size=SMALL_TERM) as pilot:
        await pilot.press(*(["enter"] * 5 + ["down", "enter", "enter", "enter"]))  # details reused: lazy_load
        assert isinstance(app.screen, OutcomeScreen)
        why = str(app.screen.query_one(".why").render())
        assert "batch_sync+lazy_load, because you answered:" in why
        assert "5. Details reused: Yes, cache details when fetched (lazy load)  +lazy_load" in why
        assert "Its patterns, in order: batch_sync (" in why and ") → lazy_load (" in why
