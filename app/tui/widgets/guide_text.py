"""A scenario's guide, with the table rows it names highlighted as they are in the comparison table."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from app.guide import QUOTED, reflow, row_for
from app.tui.widgets.comparison_table import GUIDED


def guide_text(guide: str, title: str = "What to look at") -> Text:
    text = Text()
    if title:
        text.append(title + "\n", style="bold")
    body = Text(reflow(guide))
    for match in QUOTED.finditer(body.plain):
        if row_for(" ".join(match.group(1).split())):
            body.stylize(GUIDED, match.start(), match.end())
    text.append_text(body)
    return text


class GuideText(Static):
    """The guide as text; quoted row names in the highlight colour."""

    def __init__(self, guide: str, title: str = "What to look at", **kwargs: object):
        super().__init__(guide_text(guide, title), **kwargs)
