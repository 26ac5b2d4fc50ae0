"""``?``: what each screen is for and its keys, over whatever screen is open."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
**patternsim** - pick integration patterns for data whose system of record is an ERP, then see what they cost:
consumer **latency**, **ERP load** and **staleness**, measured on a simulated ERP.

1. **Welcome** - start the guided walk, pick patterns by hand, or open a scenario (`.toml`)
   or results (`.json`) file.
2. **Walk** - one question a screen. The usual answer is marked ★ (*default* for a fact about your
   systems, *recommended* where the patterns advise it); `r` takes it.
   `Esc` goes back; your answers are kept.
3. **Outcome** - the architecture the walk leads to, each pattern's pros and cons, and the
   baseline `direct`. `a` adds an architecture, `d` removes the selected one, `Enter` goes on.
4. **Scenario** - choose a bundled scenario and adjust the key numbers. A wrong value is
   explained under its field and blocks the run. `Ctrl+O` opens a scenario file, `Ctrl+R` runs.
5. **Run** - one progress bar per architecture, in simulated seconds. `c` cancels.
6. **Results** - the comparison table (★ best value in a row), charts of ERP calls and stale
   reads over time, latency bars. `j` exports JSON, `v` CSV, `h` an HTML report with charts;
   `g` switches table/charts on a small terminal. Files go to the directory shown.

Keys everywhere: `Tab`/`Shift+Tab` move between fields, arrows move in lists, `Enter` chooses,
`Esc` goes back, `?` or `F1` help, `q` quit (except while typing in a field).
"""


class HelpScreen(ModalScreen[None]):
    """Help over the current screen; any of Esc, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)
