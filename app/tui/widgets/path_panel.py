"""The path so far: the questions answered on the way to the current one, and what each added."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class PathPanel(Static):
    """A list of ``(question, answer, patterns added)`` with the current question last."""

    def show(self, steps: list[tuple[str, str, str]], current: str | None) -> None:
        text = Text()
        text.append("Path so far\n", style="bold")
        if not steps:
            text.append("(first question)\n", style="dim")
        for i, (question, answer, effect) in enumerate(steps, 1):
            text.append(f"{i}. {question}\n", style="dim")
            text.append(f"   {answer}", style="bold")
            if effect:
                text.append(f" {effect}", style="green")
            text.append("\n")
        if current:
            text.append(f"{len(steps) + 1}. {current}?", style="reverse")
        self.update(text)
