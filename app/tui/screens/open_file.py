"""Open a file: a scenario (``.toml``) to run, or a results document (``.json``) to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from app.errors import UsageError
from app.tui.session import open_file
from simulator import scenario as scenarios
from simulator.scenario import ScenarioError


class OpenFileScreen(ModalScreen[tuple[str, Any, str] | None]):
    """Type a path (or pick a bundled scenario); a file that cannot be used is explained here."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, scenarios_only: bool = False):
        super().__init__()
        self.scenarios_only = scenarios_only

    def compose(self) -> ComposeResult:
        with Vertical(id="open-box"):
            yield Label("Open a scenario file (.toml)" if self.scenarios_only else
                        "Open a scenario (.toml) or a results file (.json)", classes="box-title")
            yield Input(placeholder="path, e.g. scenarios/retail.toml or results/results.json", id="open-path")
            yield Label("", id="open-error")
            yield Label("Bundled scenarios", classes="box-subtitle")
            yield OptionList(*[Option(_describe(p), id=str(p)) for p in scenarios.bundled()], id="open-bundled")
            yield Label("Enter open · Tab to the list · Esc cancel", classes="box-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._try(event.value.strip())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._try(str(event.option.id))

    def _try(self, path: str) -> None:
        if not path:
            self.query_one("#open-error", Label).update("✗ type a path first")
            return
        try:
            if self.scenarios_only and path.endswith(".json"):
                raise UsageError(f"{path}: a results file; open it from the welcome screen")
            kind, value = open_file(path)
        except (UsageError, ScenarioError) as exc:
            self.query_one("#open-error", Label).update(f"✗ {exc}")
            return
        self.dismiss((kind, value, path))


def _describe(path: Path) -> str:
    try:
        return f"{path.name}  [dim]{scenarios.load(path)['scenario']['name']}[/]"
    except ScenarioError as exc:  # a broken bundled file is listed, with why it cannot be used
        return f"{path.name}  [red]{exc.reason}[/]"
