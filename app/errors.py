"""Errors a door reports as one line and exit status 2 (bad input, never a traceback)."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input from the user (a flag value, a path, a file) with a message naming it."""
