"""Errors a door reports as one line and exit status 2 (bad input, never a traceback)."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input from the user (a flag value, a path, a file) with a message naming it."""


def one_line(text: str) -> str:
    """``text`` with control characters escaped, so an error from hostile input stays on one line."""
    return "".join(c if c >= " " and c != "\x7f" else repr(c)[1:-1] for c in text)
