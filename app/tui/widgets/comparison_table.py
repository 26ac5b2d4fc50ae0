"""The comparison table of ``patternsim run``, as a DataTable with the best value per row highlighted."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from app.table import comparison_cells


class ComparisonTable(DataTable):
    """One row per metric, one column per architecture (the same cells as the CLI's table)."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True

    def load(self, results: dict[str, Any]) -> None:
        names, rows = comparison_cells(results)
        self.clear(columns=True)
        self.add_column("metric", key="metric")
        for name in names:
            self.add_column(Text(name, justify="right"), key=name)
        for label, row in rows:
            cells: list[Text] = [Text(label)]
            for cell in row:
                cells.append(Text(cell.text + (" ★" if cell.best else "  "),
                                  style="bold green" if cell.best else "", justify="right"))
            self.add_row(*cells, key=label)
