"""Helpers shared by the TUI tests: drive the app to a screen by key presses."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerFailed

from patterns import decision_tree as tree


def sync(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test with asyncio (no pytest plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


SMALL = {"scenario.duration": "60", "scenario.warmup": "10", "data.customers": "500"}


async def walk_recommended(pilot: Pilot) -> None:
    """From the welcome screen: open the guided walk and take every preselected (recommended) answer."""
    await pilot.press("enter")
    for _ in tree.recommended_answers():
        await pilot.press("enter")
    await pilot.pause()
    from app.tui.screens.outcome import OutcomeScreen

    await until(pilot, lambda: isinstance(pilot.app.screen, OutcomeScreen))  # a loaded machine lags


async def until(pilot: Pilot, done: Callable[[], bool], steps: int = 200) -> None:
    """Let the app process messages until ``done()`` (a run's worker posts its result asynchronously)."""
    for _ in range(steps):
        if done():
            return
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # a cancelled or failed run: the screen handles it (on_worker_state_changed)
        await pilot.pause(0.05)
    raise AssertionError("the app never reached the expected state")


async def open_scenario(pilot: Pilot, architectures: list[list[str]] | None = None) -> None:
    """Straight to the scenario form (the walk has its own tests; each key press costs real time)."""
    from app.tui.screens.scenario import ScenarioScreen

    pilot.app.session.architectures = architectures or [["direct"], ["batch_sync"]]
    await pilot.app.push_screen(ScenarioScreen())
    await pilot.pause()


async def type_into(pilot: Pilot, key: str, text: str) -> None:
    """Focus a form field and type over its value (an input selects all on focus)."""
    from app.tui.widgets.field_row import input_id

    pilot.app.screen.set_focus(None)  # so that focusing the field selects its whole value again
    await pilot.pause()
    field = pilot.app.screen.query_one(f"#{input_id(key)}")
    field.cursor_blink = False  # a snapshot must not catch the cursor mid-blink
    field.focus()
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()
