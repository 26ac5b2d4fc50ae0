"""The results: the comparison table, charts over time and latency bars, and export to JSON and CSV.

On a wide terminal the table and the charts sit side by side; on a small one ``g`` switches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from app.errors import UsageError
from app.export import atomic_write, to_csv, to_json
from app.table import footnote, warning_lines
from app.tui.widgets.comparison_table import ComparisonTable
from app.tui.widgets.latency_summary import LatencySummary
from app.tui.widgets.series_chart import SeriesChart

if TYPE_CHECKING:
    from app.tui.app import PatternsimApp

# (title, unit, the series from a block's timeseries): rates per second and shares, not counts per bucket.
SERIES = (("ERP calls", "calls/s", lambda ts: [c / ts["bucket_s"] for c in ts.get("erp_calls", [])]),
          ("Stale reads", "%", lambda ts: [100 * s / r if r else 0.0
                                                    for s, r in zip(ts.get("stale_reads", []), ts.get("reads", []),
                                                                    strict=False)]))


class ResultsScreen(Screen[None]):
    """Numbers for every architecture of the last run (or of an opened results file)."""

    app: PatternsimApp
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("g", "toggle_charts", "Charts"),
        Binding("s", "toggle_scale", "Scale", show=False),  # named in the charts' heading; the footer is full
        Binding("j", "export('json')", "JSON"),
        Binding("v", "export('csv')", "CSV"),
        Binding("h", "report", "HTML"),
        Binding("w", "welcome", "Restart"),
    ]

    def compose(self) -> ComposeResult:
        results = self.app.session.results or {}
        s = results["scenario"]["scenario"]
        yield Header()
        yield Static(f"[b]{s['name']}[/b]: {s['duration']:,.0f} s after {s['warmup']:,.0f} s warm-up, "
                     f"seed {results['seed']} · [green]★ significantly best[/green]", id="results-title")
        notes = [t for t in (footnote(results), *warning_lines(results)) if t]
        if notes:
            yield Static(Text("\n".join(notes)), id="results-notes")
        with Horizontal(id="results-body"):
            yield ComparisonTable(id="table-pane")
            with VerticalScroll(id="charts-pane"):
                yield LatencySummary(results, id="latency")
                yield Label(self._charts_heading(False), id="charts-heading", classes="pane-title")
                blocks = {n: b["timeseries"] for n, b in results["architectures"].items() if b.get("timeseries")}
                tops = [max((max(read(ts), default=0.0) for ts in blocks.values()), default=0.0)
                        for _, _, read in SERIES]
                for name, ts in blocks.items():
                    yield Label(name, classes="chart-arch")
                    for (title, unit, read), top in zip(SERIES, tops, strict=True):
                        yield SeriesChart(title, read(ts), unit, ts.get("bucket_s"), top, classes="chart")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "results"
        table = self.query_one(ComparisonTable)
        table.load(self.app.session.results or {})
        table.focus()

    def action_toggle_charts(self) -> None:
        self.toggle_class("-charts")
        target = "#charts-pane" if self.has_class("-charts") else "#table-pane"
        self.query_one(target).focus()

    def action_toggle_scale(self) -> None:
        """Every series on one scale across architectures, or each on its own."""
        charts = list(self.query(SeriesChart))
        shared = not (charts and charts[0].shared)
        for chart in charts:
            chart.set_shared(shared)
        self.query_one("#charts-heading", Label).update(self._charts_heading(shared))

    def _charts_heading(self, shared: bool) -> str:
        s = (self.app.session.results or {})["scenario"]["scenario"]
        scale = "one scale per series (s: own)" if shared else "own scale each (s: shared)"
        return f"Over {s['duration']:,.0f} s, left to right: {scale}"

    def action_export(self, kind: str) -> None:
        results = self.app.session.results or {}
        path = self.app.session.out_dir / f"results.{kind}"
        try:
            atomic_write(path, to_json(results) if kind == "json" else to_csv(results))
        except OSError as exc:
            self.notify(f"could not write {path}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"written: {path}")

    def action_report(self) -> None:
        self.notify("Drawing the HTML report...")
        self.write_report()

    @work(thread=True, exclusive=True, group="report")
    def write_report(self) -> None:
        """The report of ``patternsim report`` (matplotlib takes seconds, so not on the UI thread)."""
        from app import report  # noqa: PLC0415 - matplotlib loads only when a report is asked for

        out = self.app.session.out_dir / "report"
        try:
            written = report.write(self.app.session.results or {}, out)
        except (UsageError, OSError) as exc:
            self.app.call_from_thread(self.notify, f"no report: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"written: {written[-1]} and {len(written) - 1} charts")

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_welcome(self) -> None:
        while len(self.app.screen_stack) > 2:
            self.app.pop_screen()
