"""The ``patternsim`` console script: imports the CLI inside a Ctrl-C guard.

Importing the CLI loads the patterns and SQLAlchemy, which takes a moment (each command loads the
rest when it runs); Ctrl-C pressed during that moment must still end in one line and exit status
130 (SIGTERM: 143), not a traceback.
"""

from __future__ import annotations

import sys

from app.signals import EXIT_STATUS, Terminated, sigterm_as_interrupt


def main() -> int:
    try:
        with sigterm_as_interrupt():
            from app.cli import main as cli_main  # noqa: PLC0415 - the import is what is guarded
    except Terminated:
        sys.stderr.write("patternsim: terminated\n")
        return EXIT_STATUS
    except KeyboardInterrupt:
        sys.stderr.write("patternsim: interrupted\n")
        return 130
    return cli_main()
