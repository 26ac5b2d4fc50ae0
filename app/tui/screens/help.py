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

1. **Welcome** - start the guided walk, pick a workshop scenario, pick patterns by hand, or open a
   scenario (`.toml`) or results (`.json`) file. Once you have run something, the session's runs are listed too.
2. **Walk** - one question a screen. The usual answer is marked ★ (*default* for a fact about your
   systems, *recommended* where the patterns advise it); `r` takes it. `Esc` goes back; answers are kept.
3. **Outcome** - the architecture the walk leads to and the answers that led there, its patterns in
   order with their pros and cons, and the baseline `direct`. `a` adds an architecture, `d` removes one.
4. **Workshop scenario** - what it compares and what to look at. `Enter` runs it, `s` adjusts the
   settings first, `a` changes the architectures.
5. **Scenario** - every setting of the chosen patterns, the ERP's callbacks, bursts and outages
   (lists in TOML: `[{ start = 25, duration = 15, multiplier = 100 }]`). A wrong value is explained
   under its field and blocks the run. `Ctrl+O` opens a file, `F2` shows the guide, `Ctrl+R` runs.
6. **Run** - one progress bar per architecture, in simulated seconds. `c` cancels.
7. **Results** - the comparison table (★ best value in a row; ▸ rows the guide mentions), the guide,
   charts over time and latency bars. `g` switches table/charts and `i` hides the guide on a small
   terminal; `p` compares with an earlier run of this session; `e` exports JSON, CSV and an HTML
   report to a folder you choose (shown before anything is written; existing files are replaced
   only if you tick it). Leaving with `w` or `q` asks first while a run is not exported.

Keys everywhere: `Tab`/`Shift+Tab` move between fields, arrows move in lists, `Enter` chooses,
`Esc` goes back, `?` or `F1` help, `q` quit (except while typing in a field).
"""


class HelpScreen(ModalScreen[None]):
    """Help over the current screen; any of Esc, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)
