"""One field of the scenario form: label, input, and the reason when the value is wrong."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from app.tui.form import Field


class FieldRow(Vertical):
    """Label and input side by side; an explanation line appears under them when the value is wrong."""

    def __init__(self, spec: Field, value: str, **kwargs: object):
        super().__init__(**kwargs)
        self.spec, self.value = spec, value

    def compose(self) -> ComposeResult:
        yield Label(self.spec.label, classes="field-label")
        yield Input(self.value, id=input_id(self.spec.key), classes="field-input", compact=True)
        yield Label("", classes="field-error")

    def show_error(self, reason: str | None) -> None:
        label = self.query_one(".field-error", Label)
        label.update(f"✗ {reason}" if reason else "")
        self.set_class(bool(reason), "-invalid")


def input_id(key: str) -> str:
    """The id of the input for a dotted scenario key (ids cannot contain dots)."""
    return "field-" + key.replace(".", "-")
