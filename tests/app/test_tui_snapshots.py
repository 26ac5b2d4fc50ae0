"""Snapshots of the main screens at a fixed size (update with ``pytest --snapshot-update`` after a look)."""

from __future__ import annotations

import copy
from pathlib import Path

from textual.pilot import Pilot

from app.tui.app import make_app
from app.tui.screens.briefing import BriefingScreen
from app.tui.screens.results import ResultsScreen
from app.tui.session import load_results
from patterns.architecture import parse
from simulator import scenario as scenarios
from tests.app.tui_helpers import open_scenario, type_into

SMALL_TERM = (80, 24)
LARGE_TERM = (160, 50)


def test_welcome(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SMALL_TERM)


def test_first_question(snap_compare) -> None:
    assert snap_compare(make_app(), press=["enter"], terminal_size=SMALL_TERM)


def test_question_with_path_large(snap_compare) -> None:
    assert snap_compare(make_app(), press=["enter", "enter", "enter"], terminal_size=LARGE_TERM)


def test_outcome(snap_compare) -> None:
    keys = ["enter"] * 5 + ["down", "enter", "enter", "enter"]  # recommended, but details_reused = yes
    assert snap_compare(make_app(), press=keys, terminal_size=SMALL_TERM)


def test_scenario_form_with_an_error(snap_compare) -> None:
    async def wrong_value(pilot: Pilot) -> None:
        await open_scenario(pilot)
        await type_into(pilot, "workload.rate", "-3")

    assert snap_compare(make_app(), run_before=wrong_value, terminal_size=SMALL_TERM)


def _results(path: Path, charts: bool = False, guided: str | None = None, keys: tuple[str, ...] = ()):
    """The stored results; ``guided`` lends them a bundled scenario's guide (and its name), as after its run."""
    async def show(pilot: Pilot) -> None:
        doc = load_results(path)
        if guided:
            info = scenarios.load(guided)["scenario"]
            doc["scenario"]["scenario"].update(name=info["name"], guide=info["guide"])
        pilot.app.session.results = doc
        await pilot.app.push_screen(ResultsScreen())
        if charts:
            await pilot.press("g")
        await pilot.press(*keys)
        await steady_cursor(pilot)

    return show


async def steady_cursor(pilot: Pilot) -> None:
    """No blinking cursor in the focused input, so the picture is the same every time."""
    if hasattr(pilot.app.focused, "cursor_blink"):
        pilot.app.focused.cursor_blink = False
    await pilot.pause()


def test_results_table(snap_compare, results_file: Path) -> None:
    assert snap_compare(make_app(), run_before=_results(results_file), terminal_size=SMALL_TERM)


def test_results_charts(snap_compare, results_file: Path) -> None:
    assert snap_compare(make_app(), run_before=_results(results_file, charts=True), terminal_size=SMALL_TERM)


def test_results_large(snap_compare, results_file: Path) -> None:
    assert snap_compare(make_app(), run_before=_results(results_file), terminal_size=LARGE_TERM)


def test_results_with_the_guide(snap_compare, results_file: Path) -> None:
    assert snap_compare(make_app(), run_before=_results(results_file, guided="retail"), terminal_size=SMALL_TERM)


def test_results_with_the_guide_large(snap_compare, results_file: Path) -> None:
    assert snap_compare(make_app(), run_before=_results(results_file, guided="retail"), terminal_size=LARGE_TERM)


def test_export_dialog(snap_compare, results_file: Path) -> None:
    app = make_app(out_dir="/nonexistent/exports")  # the path shown is part of the picture
    assert snap_compare(app, run_before=_results(results_file, keys=("e",)), terminal_size=SMALL_TERM)


def test_compare_with_previous_run(snap_compare, results_file: Path) -> None:
    async def two_runs(pilot: Pilot) -> None:
        first = load_results(results_file)
        second = copy.deepcopy(first)
        second["scenario"]["patterns"]["batch_sync"]["interval"] = 60.0
        for block in second["architectures"].values():
            block["erp"]["calls"] = round(block["erp"]["calls"] * 1.5)
        pilot.app.session.record(first)
        await pilot.app.push_screen(ResultsScreen(pilot.app.session.record(second)))
        await pilot.press("p")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=two_runs, terminal_size=SMALL_TERM)


def _briefing(name: str):
    async def brief(pilot: Pilot) -> None:
        session = pilot.app.session
        session.scenario_path = name
        session.architectures = parse(scenarios.load(name)["scenario"]["compare"])
        await pilot.app.push_screen(BriefingScreen())
        await pilot.pause()

    return brief


def test_briefing(snap_compare) -> None:
    assert snap_compare(make_app(), run_before=_briefing("flash_sale"), terminal_size=SMALL_TERM)


def test_briefing_large(snap_compare) -> None:
    assert snap_compare(make_app(), run_before=_briefing("flash_sale"), terminal_size=LARGE_TERM)


def test_scenario_form_for_queued_sync_large(snap_compare) -> None:
    async def form(pilot: Pilot) -> None:
        await open_scenario(pilot, [["realtime_sync"], ["queued_sync", "ordered_sync"], ["batch_sync", "lazy_load"]])
        await steady_cursor(pilot)

    assert snap_compare(make_app(), run_before=form, terminal_size=LARGE_TERM)
