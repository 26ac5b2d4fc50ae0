"""The Textual terminal UI (``patternsim`` with no subcommand).

Textual is imported only when the UI starts, so the CLI and the domain packages never load it.
"""

from __future__ import annotations


def run_tui() -> int:
    from app.tui.app import make_app  # noqa: PLC0415 - keep textual out of plain CLI runs

    make_app().run()
    return 0
