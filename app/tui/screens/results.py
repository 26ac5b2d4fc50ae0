"""The results: the comparison table, the scenario's guide, charts over time and latency bars; export and compare.

On a wide terminal the table sits beside the guide and the charts; on a small one the guide is a
strip under the table (``i`` hides it) and ``g`` switches between table and charts. The metric
column stays put while the table scrolls sideways. Leaving (``w``, ``q``) asks first while the run
has not been exported, since a run lives only as long as the session.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from app.errors import UsageError
from app.guide import mentioned_rows
from app.table import footnote, warning_lines
from app.tui.screens.compare import CompareScreen
from app.tui.screens.confirm import ConfirmScreen
from app.tui.screens.export import ExportScreen
from app.tui.session import Run, export
from app.tui.widgets.comparison_table import ComparisonTable
from app.tui.widgets.guide_text import GuideText
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
    """Numbers for every architecture of one run of the session (or of an opened results file)."""

    app: PatternsimApp
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("g", "toggle_charts", "Charts"),
        Binding("s", "toggle_scale", "Scale", show=False),  # named in the charts' heading; the footer is full
        Binding("i", "toggle_guide", "Guide"),
        Binding("e", "export", "Export"),
        Binding("p", "compare", "Compare"),
        Binding("w", "welcome", "Restart"),
    ]

    def __init__(self, run: Run | None = None):
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        session = self.app.session
        if self.run is None:  # results set directly (an opened file, a test): keep them as a run of the session
            self.run = next((r for r in session.runs if r.results is session.results), None) or session.record(
                session.results or {})
        results = self.run.results
        s = results["scenario"]["scenario"]
        guide = s.get("guide", "")
        yield Header()
        yield Static(f"[b]{s['name']}[/b]: {s['duration']:,.0f} s after {s['warmup']:,.0f} s warm-up, "
                     f"seed {results['seed']} · [green]★ significantly best[/green]"
                     + (" · [bold yellow]▸ in the guide[/]" if guide else ""), id="results-title")
        notes = [t for t in (footnote(results), *warning_lines(results)) if t]
        if notes:
            yield Static(Text("\n".join(notes)), id="results-notes")
        with Horizontal(id="results-body"):
            yield ComparisonTable(id="table-pane")
            with VerticalScroll(id="charts-pane"):
                if guide:
                    yield GuideText(guide, id="guide-side", classes="guide")
                yield LatencySummary(results, id="latency")
                yield Label(self._charts_heading(False), id="charts-heading", classes="pane-title")
                blocks = {n: b["timeseries"] for n, b in results["architectures"].items() if b.get("timeseries")}
                tops = [max((max(read(ts), default=0.0) for ts in blocks.values()), default=0.0)
                        for _, _, read in SERIES]
                for name, ts in blocks.items():
                    yield Label(name, classes="chart-arch")
                    for (title, unit, read), top in zip(SERIES, tops, strict=True):
                        yield SeriesChart(title, read(ts), unit, ts.get("bucket_s"), top, classes="chart")
        if guide:
            with VerticalScroll(id="guide-strip"):
                yield GuideText(guide, classes="guide")
        yield Footer()

    def on_mount(self) -> None:
        assert self.run is not None
        self.sub_title = f"results, run {self.run.number}"
        table = self.query_one(ComparisonTable)
        table.load(self.run.results, mentioned_rows(self.run.results["scenario"]["scenario"].get("guide", "")))
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_guide" and not self.query("#guide-strip"):
            return False  # no guide: the key is not offered
        if action == "compare" and (self.run is None or self.app.session.previous(self.run) is None):
            return False
        return True

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
        s = (self.run.results if self.run else self.app.session.results or {})["scenario"]["scenario"]
        scale = "one scale per series (s: own)" if shared else "own scale each (s: shared)"
        return f"Over {s['duration']:,.0f} s, left to right: {scale}"

    def action_toggle_guide(self) -> None:
        self.toggle_class("-no-guide")

    def action_compare(self) -> None:
        assert self.run is not None
        earlier = self.app.session.previous(self.run)
        if earlier is not None:
            self.app.push_screen(CompareScreen(self.run, earlier))

    def action_export(self) -> None:
        assert self.run is not None
        folder = self.run.exported if self.run.exported and self.run.exported.is_dir() else \
            self.app.session.export_folder(self.run)
        self.app.push_screen(ExportScreen(f"Export run {self.run.number}", folder), self._chosen)

    def _chosen(self, choice: tuple[Path, list[str], bool] | None) -> None:
        if choice is not None:
            self.notify(f"Writing into {choice[0]}...")
            self.write_export(*choice)

    @work(thread=True, exclusive=True, group="export")
    def write_export(self, folder: Path, kinds: list[str], replace: bool) -> None:
        """JSON, CSV and the report of ``patternsim report`` (matplotlib takes seconds, so not on the UI thread)."""
        assert self.run is not None
        try:
            written = export(self.run.results, folder, kinds, replace)
        except (UsageError, OSError) as exc:
            self.app.call_from_thread(self.notify, f"not exported: {exc}", severity="error")
            return
        self.run.exported = folder
        self.app.call_from_thread(self.notify, f"written into {folder}: {', '.join(p.name for p in written)}")

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_welcome(self) -> None:
        if self.run is not None and self.run.exported is None:
            self.app.push_screen(ConfirmScreen(
                "Start again without exporting this run?",
                f"Run {self.run.number} stays in this session (p compares it with a later run), but it is lost "
                "when patternsim closes."), self._leave)
            return
        self._to_welcome()

    def _leave(self, answer: str | None) -> None:
        if answer == "yes":
            self._to_welcome()
        elif answer == "export":
            self.action_export()

    def _to_welcome(self) -> None:
        while len(self.app.screen_stack) > 2:
            self.app.pop_screen()
