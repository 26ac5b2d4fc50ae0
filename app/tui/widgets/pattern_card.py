"""One pattern's title, one-line summary, advantages and disadvantages."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from patterns.pattern import Pattern


class PatternCard(Static):
    """Shows a pattern class's own description (or says it cannot run in this build)."""

    def __init__(self, pid: str, cls: type[Pattern] | None, **kwargs: object):
        super().__init__(**kwargs)
        self.pid, self.cls = pid, cls

    def render(self) -> RenderableType:
        title = Text()
        if self.cls is None:
            title.append(f"{self.pid}\n", style="bold")
            title.append("not runnable in this build yet", style="italic red")
            return title
        title.append(self.cls.title, style="bold")
        title.append(f"  ({self.pid})", style="dim")
        points = Table.grid(padding=(0, 1))
        points.add_column(width=1)
        points.add_column(ratio=1)
        for pro in self.cls.advantages:
            points.add_row(Text("+", style="bold green"), pro)
        for con in self.cls.disadvantages:
            points.add_row(Text("-", style="bold red"), con)
        return Group(title, Text(self.cls.description), points)
