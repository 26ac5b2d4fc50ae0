"""The comparison table of ``patternsim run``, as a DataTable with the best value per row highlighted.

The metric column stays put while the table scrolls sideways, long architecture names wrap at ``+``,
and rows a scenario's guide mentions are highlighted. Cells are the CLI's (values with their 95%
intervals when the run had replications); the best mark comes as a flag, not as text.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from app.table import comparison_cells

GUIDED = "bold yellow"  # rows the guide mentions, here and in the guide's text


def wrapped(name: str, width: int = 14) -> str:
    """An architecture name broken after ``+`` into lines of at most about ``width`` characters."""
    lines: list[str] = []
    for part in name.split("+"):
        if lines and len(lines[-1]) + 1 + len(part) <= width:
            lines[-1] += "+" + part
        else:
            if lines:
                lines[-1] += "+"
            lines.append(part)
    return "\n".join(lines)


class ComparisonTable(DataTable):
    """One row per metric, one column per architecture (the same cells as the CLI's table)."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.fixed_columns = 1

    def load(self, results: dict[str, Any], highlight: Collection[str] = ()) -> None:
        names, rows = comparison_cells(results)
        self.clear(columns=True)
        shown = [wrapped(n) for n in names]
        self.header_height = max((n.count("\n") + 1 for n in shown), default=1)
        self.add_column(Text("metric"), key="metric")
        for name, label in zip(names, shown, strict=True):
            self.add_column(Text(label, justify="right"), key=name)
        for label, row in rows:
            guided = label in highlight
            cells: list[Text] = [Text(("▸ " if guided else "") + label, style=GUIDED if guided else "")]
            for cell in row:
                cells.append(Text(cell.text + (" ★" if cell.best else "  "),
                                  style="bold green" if cell.best else "", justify="right"))
            self.add_row(*cells, key=label)
