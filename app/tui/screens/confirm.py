"""Ask before something is lost: y goes on, n (or Esc) stays; an optional third key offers a way out (export)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class ConfirmScreen(ModalScreen[str]):
    """Dismisses with ``"yes"``, ``"no"`` or ``"export"``."""

    BINDINGS = [Binding("y", "dismiss('yes')", "Yes"), Binding("n,escape", "dismiss('no')", "No"),
                Binding("e", "dismiss('export')", "Export first")]

    def __init__(self, question: str, detail: str, hint: str = "y yes · e export first · n or Esc stay"):
        super().__init__()
        self.question, self.detail, self.hint = question, detail, hint

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Label(self.question, classes="box-title", markup=False)
            yield Static(self.detail, id="confirm-detail", markup=False)
            yield Label(self.hint, classes="box-hint")
