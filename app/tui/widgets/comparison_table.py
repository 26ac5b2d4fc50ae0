"""The comparison table of ``patternsim run``, as a DataTable with the best value per row highlighted."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from app.table import comparison


class ComparisonTable(DataTable):
    """One row per metric, one column per architecture (the same cells as the CLI's table)."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True

    def load(self, results: dict[str, Any]) -> None:
        header, *rows = comparison(results)
        self.clear(columns=True)
        self.add_column("metric", key="metric")
        for name in header[1:]:
            self.add_column(Text(name, justify="right"), key=name)
        for row in rows:
            cells: list[Text] = [Text(row[0])]
            for cell in row[1:]:
                best = cell.endswith(" *")
                cells.append(Text(cell.removesuffix(" *").rstrip() + (" ★" if best else "  "),
                                  style="bold green" if best else "", justify="right"))
            self.add_row(*cells, key=row[0])
