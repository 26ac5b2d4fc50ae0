"""Snapshots of the main screens at a fixed size (update with ``pytest --snapshot-update`` after a look)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from app.tui.app import make_app
from app.tui.screens.results import ResultsScreen
from app.tui.session import load_results
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


def _results(path: Path, charts: bool = False):
    async def show(pilot: Pilot) -> None:
        pilot.app.session.results = load_results(path)
        await pilot.app.push_screen(ResultsScreen())
        if charts:
            await pilot.press("g")
        await pilot.pause()

    return show


def test_results_table(snap_compare, results_file: Path) -> None:
    assert snap_compare(make_app(), run_before=_results(results_file), terminal_size=SMALL_TERM)


def test_results_charts(snap_compare, results_file: Path) -> None:
    assert snap_compare(make_app(), run_before=_results(results_file, charts=True), terminal_size=SMALL_TERM)


def test_results_large(snap_compare, results_file: Path) -> None:
    assert snap_compare(make_app(), run_before=_results(results_file), terminal_size=LARGE_TERM)
