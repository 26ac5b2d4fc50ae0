"""The outcome: architectures to compare (the walk's, the baseline, any added) and their pros and cons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from app.tui.screens.pick import PickScreen
from app.tui.screens.scenario import ScenarioScreen
from app.tui.session import BASELINE, patterns_in_order, problem_with, walk_steps
from app.tui.widgets.pattern_card import PatternCard
from patterns.architecture import ArchitectureError, expand
from patterns.catalogue import PATTERNS

if TYPE_CHECKING:
    from app.tui.app import PatternsimApp


class OutcomeScreen(Screen[None]):
    """Review and edit the list of architectures; each one's patterns explained on the right."""

    app: PatternsimApp
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "add", "Add"),
        Binding("d,delete", "remove", "Remove"),
        Binding("n", "next", "Next: scenario"),
    ]

    def __init__(self, walked: list[str] | None = None, pick_first: bool = False):
        super().__init__()
        self.walked, self.pick_first = walked, pick_first

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="outcome"):
            with Vertical(id="arch-pane"):
                if self.walked:
                    yield Static(f"The walk leads to: [b]{'+'.join(self.walked)}[/b]", id="walk-result")
                yield Label("Architectures to compare", classes="pane-title")
                yield OptionList(id="arch-list")
                yield Static("a add · d remove · Tab reads the cards · n or Enter: scenario", id="arch-hint")
            yield VerticalScroll(id="cards")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "architectures to compare"
        archs = self.app.session.architectures
        self.refresh_list(archs.index(self.walked) if self.walked in archs else 0)
        if self.pick_first:
            self.action_add()

    def refresh_list(self, highlight: int = 0) -> None:
        menu = self.query_one("#arch-list", OptionList)
        menu.clear_options()
        for ids in self.app.session.architectures:
            name = "+".join(ids)
            note = " (baseline)" if ids == BASELINE else " (from the walk)" if ids == self.walked else ""
            if problem_with(ids):
                note += " ✗ not runnable"
            menu.add_option(Option(name + note, id=name))
        if menu.option_count:
            menu.highlighted = min(highlight, menu.option_count - 1)
        menu.focus()
        self.show_cards()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_cards()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_next()

    def show_cards(self) -> None:
        cards = self.query_one("#cards", VerticalScroll)
        cards.remove_children()
        archs = self.app.session.architectures
        index = self.query_one("#arch-list", OptionList).highlighted
        if index is None or not archs:
            cards.mount(Static("No architecture yet: press a to add one.", classes="card"))
            return
        ids = archs[index]
        cards.mount(Static(self.why(ids), classes="why"))
        cards.mount_all([PatternCard(pid, PATTERNS.get(pid), classes="card") for pid in expand(ids)])

    def why(self, ids: list[str]) -> Text:
        """Why this architecture is listed (the answers that led to it), and its patterns in build order."""
        text = Text()
        text.append("+".join(ids), style="bold")
        if ids == self.app.session.walked:
            text.append(", because you answered:\n")
            for i, (question, _, label, effect) in enumerate(walk_steps(self.app.session.answers), 1):
                text.append(f"{i}. {question}: ", style="dim")
                text.append(label)
                if effect:
                    text.append(f"  {effect}", style="green")
                text.append("\n")
        elif ids == BASELINE:
            text.append(": the baseline, every read and write goes to the ERP.\n")
        else:
            text.append(": added by hand.\n")
        text.append("Its patterns, in order: ", style="dim")
        text.append(" → ".join(f"{pid} ({title})" for pid, title in patterns_in_order(ids)))
        return text

    def action_add(self) -> None:
        self.app.push_screen(PickScreen(), self._picked)

    def _picked(self, ids: list[str] | None) -> None:
        if not ids:
            return
        try:
            self.app.session.add(ids)
        except ArchitectureError as exc:
            self.notify(str(exc), severity="error")
            return
        self.refresh_list(len(self.app.session.architectures) - 1)

    def action_remove(self) -> None:
        index = self.query_one("#arch-list", OptionList).highlighted
        if index is None:
            return
        del self.app.session.architectures[index]
        self.refresh_list(index)

    def action_next(self) -> None:
        archs = self.app.session.architectures
        if not archs:
            self.notify("Add at least one architecture first (a).", severity="error")
            return
        for ids in archs:
            problem = problem_with(ids)
            if problem:
                self.notify(f"{'+'.join(ids)}: {problem}. Remove it (d) to go on.", severity="error")
                return
        self.app.push_screen(ScenarioScreen())

    def action_back(self) -> None:
        self.app.pop_screen()
