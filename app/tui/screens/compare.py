"""Compare a run with an earlier one of the session: what changed in the scenario, and in every metric."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Select, Static

from app.compare import differences, scenario_changes
from app.tui.session import Run
from app.tui.widgets.comparison_table import wrapped

if TYPE_CHECKING:
    from app.tui.app import PatternsimApp

STYLE = {"better": "green", "worse": "red", "unsure": "dim", "same": "dim", "": ""}
MARK = {"better": " ▲", "worse": " ▼", "unsure": " ≈", "same": "", "": ""}


class CompareScreen(Screen[None]):
    """The current run against an earlier one (the one before it, or another picked above the table)."""

    app: PatternsimApp
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, run: Run, earlier: Run):
        super().__init__()
        self.run, self.earlier = run, earlier

    def compose(self) -> ComposeResult:
        choices = [(r.label, r.number) for r in self.app.session.runs if r.number != self.run.number]
        yield Header()
        with Horizontal(id="compare-bar"):
            yield Label("Compared with", id="compare-label")
            yield Select(choices, value=self.earlier.number, allow_blank=False, compact=True, id="compare-select")
        yield Static("", id="compare-scenario", markup=False)
        yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
        yield Static("earlier → this run · ▲ better · ▼ worse · ≈ within the 95% CIs",
                     id="compare-legend")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"run {self.run.number} against an earlier run"
        self.show()
        self.query_one(DataTable).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        picked = next((r for r in self.app.session.runs if r.number == event.value), None)
        if picked is not None and picked is not self.earlier:
            self.earlier = picked
            self.show()

    def show(self) -> None:
        before, after = self.earlier.results, self.run.results
        changed = scenario_changes(before, after)
        lines = [f"Run {self.run.number} ({self.run.label.split(': ', 1)[1]})"]
        lines.append("What changed: " + ("; ".join(f"{k} {a} → {b}" for k, a, b in changed) if changed
                                         else "nothing in the scenario (same settings, same seed)"))
        common, rows = differences(before, after)
        only = [n for n in [*before["architectures"], *after["architectures"]] if n not in common]
        if only:
            lines.append("Not in both runs: " + ", ".join(dict.fromkeys(only)))
        self.query_one("#compare-scenario", Static).update("\n".join(lines))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.fixed_columns = 1
        names = [wrapped(n) for n in common]
        table.header_height = max((n.count("\n") + 1 for n in names), default=1)
        table.add_column("metric", key="metric")
        for name, shown in zip(common, names, strict=True):
            table.add_column(Text(shown, justify="right"), key=name)
        for label, changes in rows:
            cells = [Text(label)]
            for name in common:
                c = changes[name]
                body = c.after if c.before == c.after else f"{c.before} → {c.after}"
                if c.delta:
                    body += f" ({c.delta})"
                cells.append(Text(body + MARK[c.verdict], style=STYLE[c.verdict], justify="right"))
            table.add_row(*cells, key=label)

    def action_back(self) -> None:
        self.app.pop_screen()
