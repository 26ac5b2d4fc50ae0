"""The run: the architectures simulated side by side, one progress bar each; ``c`` cancels.

A worker thread calls ``simulator.run.run`` as ``patternsim run`` does (one process per
architecture, up to the number of cores). Its progress callback posts messages to the UI and raises
``Cancelled`` once the user asked to stop; the processes stop at their next progress step.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from app.tui.messages import RunFinished, RunProgress
from app.tui.screens.results import ResultsScreen
from app.tui.widgets.arch_progress import ArchProgress
from simulator.run import Cancelled, run

if TYPE_CHECKING:
    from app.tui.app import PatternsimApp


class RunScreen(Screen[None]):
    """Progress of a comparison run; replaced by the results when it finishes."""

    app: PatternsimApp
    BINDINGS = [Binding("c,escape", "cancel", "Cancel run")]

    def __init__(self, scenario: dict[str, Any], architectures: list[list[str]]):
        super().__init__()
        self.scenario, self.architectures = scenario, [list(a) for a in architectures]
        self.stop = threading.Event()
        self.worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        s = self.scenario["scenario"]
        horizon = s["warmup"] + s["duration"]
        yield Header()
        yield Static(f"Simulating [b]{s['name']}[/b]: {s['duration']:,.0f} s measured after {s['warmup']:,.0f} s "
                     f"warm-up, seed {s['seed']}, {self.scenario['data']['customers']:,} customers",
                     id="run-title")
        with VerticalScroll(id="run-bars"):
            for ids in self.architectures:
                yield ArchProgress("+".join(ids), horizon, classes="arch-progress")
        yield Static("The simulation runs in the background; c cancels it.", id="run-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "running"
        self.worker = self.simulate()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def simulate(self) -> None:
        def progress(name: str, fraction: float) -> None:
            if self.stop.is_set():
                raise Cancelled
            self.post_message(RunProgress(name, fraction))

        # One process per architecture, started as make_app prepared (a fork server where there is one).
        results = run(self.scenario, self.architectures, progress=progress, start_method=self.app.start_method)
        self.post_message(RunFinished(results))

    def on_unmount(self) -> None:
        self.stop.set()  # leaving the screen (or quitting) stops the simulation at its next step

    def on_run_progress(self, message: RunProgress) -> None:
        for bar in self.query(ArchProgress):
            if bar.arch == message.name:
                bar.advance(message.fraction)

    def on_run_finished(self, message: RunFinished) -> None:
        run = self.app.session.record(message.results)
        self.app.switch_screen(ResultsScreen(run))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        status = self.query_one("#run-status", Static)
        if isinstance(error, Cancelled):
            self.notify("Run cancelled.")
            self.app.pop_screen()
            return
        status.update(f"✗ the run failed: {error}")
        status.add_class("-invalid")
        self.sub_title = "failed"

    def action_cancel(self) -> None:
        if self.worker is not None and self.worker.is_finished:
            self.app.pop_screen()  # the run failed: back to the scenario
            return
        if self.stop.is_set():
            return
        self.stop.set()
        self.query_one("#run-status", Static).update("Cancelling...")
