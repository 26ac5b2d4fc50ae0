"""A scenario's guide and the rows of the comparison table it mentions (no textual here).

A guide names a row by its label in double quotes ("ERP calls"); a label's unit in parentheses may be
left out ("summary staleness max" names "summary staleness max (s)"). The TUI highlights those rows.
"""

from __future__ import annotations

import re

from app.table import ROWS

QUOTED = re.compile(r'"([^"\n]+)"')


def reflow(guide: str) -> str:
    """The guide with its source line breaks undone: one line per paragraph and per ``- `` bullet.

    A bullet's continuation lines are indented; an unindented line after a bullet starts a paragraph.
    """
    paragraphs: list[str] = []
    new = True
    for line in guide.strip().splitlines():
        text = line.strip()
        if not text:
            new = True
            continue
        bullet_before = bool(paragraphs) and paragraphs[-1].startswith("- ")
        continues = not new and paragraphs and not text.startswith("- ") and (
            line[:1].isspace() or not bullet_before)
        if continues:
            paragraphs[-1] += " " + text
        else:
            paragraphs.append(text)
        new = False
    return "\n".join(paragraphs)


def quoted(guide: str) -> list[str]:
    """Every phrase the guide puts in double quotes, in order."""
    return QUOTED.findall(" ".join(guide.split()))


def row_for(phrase: str) -> str | None:
    """The row label a quoted phrase names, or None when it names no row."""
    for row in ROWS:
        if phrase in (row.label, row.label.split(" (")[0]):
            return row.label
    return None


def mentioned_rows(guide: str) -> list[str]:
    """The labels of the rows the guide mentions, in table order."""
    named = {row_for(p) for p in quoted(guide)}
    return [row.label for row in ROWS if row.label in named]
