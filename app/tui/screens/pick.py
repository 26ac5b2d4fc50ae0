"""Pick patterns by hand into one architecture; the combination is checked as you select."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList
from textual.widgets.selection_list import Selection

from app.tui.session import problem_with
from patterns.catalogue import PATTERNS


class PickScreen(ModalScreen[list[str] | None]):
    """A list of every runnable pattern; Space toggles, ``a`` adds the architecture if it is valid."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("a,ctrl+s", "add", "Add architecture"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box"):
            yield Label("Combine patterns into one architecture", classes="box-title")
            yield SelectionList[str](
                *[Selection(f"{pid}  [dim]{cls.title}[/]", pid) for pid, cls in PATTERNS.items()], id="pick-list")
            yield Label("", id="pick-about")
            yield Label("", id="pick-status")
            yield Label("Space select · a add · Esc cancel", classes="box-hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()
        self._update()

    def chosen(self) -> list[str]:
        picked = set(self.query_one(SelectionList).selected)
        return [pid for pid in PATTERNS if pid in picked]

    def on_selection_list_selection_highlighted(self, event: SelectionList.SelectionHighlighted) -> None:
        pid = event.selection.value
        self.query_one("#pick-about", Label).update(f"{pid}: {PATTERNS[pid].description}")

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self._update()

    def _update(self) -> None:
        ids = self.chosen()
        problem = problem_with(ids)
        status = self.query_one("#pick-status", Label)
        status.update(f"✗ {problem}" if problem else f"✓ {'+'.join(ids)}: press a to add")
        status.set_class(bool(problem), "-invalid")

    def action_add(self) -> None:
        ids = self.chosen()
        if problem_with(ids):
            self.notify(problem_with(ids) or "", severity="error")
            return
        self.dismiss(ids)
