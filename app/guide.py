"""A scenario's guide and the rows of the comparison table it mentions (no textual here).

A guide names a row by its label in double quotes ("ERP calls"); a label's unit in parentheses may be
left out ("summary staleness max" names "summary staleness max (s)"). The TUI highlights those rows.
"""

from __future__ import annotations

import re

from app.table import ROWS

QUOTED = re.compile(r'"([^"\n]+)"')


def quoted(guide: str) -> list[str]:
    """Every phrase the guide puts in double quotes, in order."""
    return QUOTED.findall(" ".join(guide.split()))


def row_for(phrase: str) -> str | None:
    """The row label a quoted phrase names, or None when it names no row."""
    for label, *_ in ROWS:
        if phrase in (label, label.split(" (")[0]):
            return label
    return None


def mentioned_rows(guide: str) -> list[str]:
    """The labels of the rows the guide mentions, in table order."""
    named = {row_for(p) for p in quoted(guide)}
    return [label for label, *_ in ROWS if label in named]
