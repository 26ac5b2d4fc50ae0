"""The runs of this session (and results files opened in it): pick one to see its results again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from app.tui.app import PatternsimApp


class RunsScreen(ModalScreen[int | None]):
    """Dismisses with the number of the run picked."""

    app: PatternsimApp
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        runs = self.app.session.runs
        with Vertical(id="open-box"):
            yield Label("Runs of this session", classes="box-title")
            yield OptionList(*[Option(escape(r.label) + ("" if r.exported else "  [yellow](not exported)[/]"),
                                      id=str(r.number)) for r in reversed(runs)], id="runs-list")
            yield Label("Enter open · Esc cancel", classes="box-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(str(event.option.id)))
