"""One field of the scenario form: label, input (or a list of choices), and the reason when the value is wrong."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select

from app.tui.form import Field


class FieldRow(Vertical):
    """Label and input side by side; an explanation line appears under them when the value is wrong."""

    def __init__(self, spec: Field, value: str, **kwargs: object):
        super().__init__(**kwargs)
        self.spec, self.value = spec, value

    def compose(self) -> ComposeResult:
        yield Label(self.spec.label, classes="field-label")
        if self.spec.choices:
            options = [(c, c) for c in self.spec.choices]
            if self.value not in self.spec.choices:
                options.append((self.value, self.value))
            yield Select(options, value=self.value, allow_blank=False, compact=True, id=input_id(self.spec.key),
                         classes="field-input")
        else:
            yield Input(self.value, id=input_id(self.spec.key), classes="field-input", compact=True)
        yield Label("", classes="field-error", markup=False)

    @property
    def text(self) -> str:
        """The value as typed or chosen."""
        widget = self.query_one(".field-input")
        return str(widget.value)

    def show_error(self, reason: str | None) -> None:
        label = self.query_one(".field-error", Label)
        label.update(f"✗ {reason}" if reason else "")
        self.set_class(bool(reason), "-invalid")


def input_id(key: str) -> str:
    """The id of the input for a dotted scenario key (ids cannot contain dots)."""
    return "field-" + key.replace(".", "-")
