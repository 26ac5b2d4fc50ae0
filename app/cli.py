"""The ``patternsim`` command: subcommands for the doors, one module each under ``app/commands``.

Bad input of any kind (flags, scenario files, pattern combinations) ends in one line on stderr
and exit status 2; Ctrl-C in exit status 130, SIGTERM in 143 (``app/signals.py``). With no
subcommand, the Textual UI opens.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app import signals
from app.commands import catalogue, faults, recommend, report, run, serve, sweep
from app.errors import UsageError, one_line
from app.signals import Terminated, sigterm_as_interrupt
from patterns.architecture import ArchitectureError
from simulator.scenario import ScenarioError

COMMANDS = [run, sweep, report, recommend, faults, serve, catalogue]


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and still exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="patternsim", description="Compare integration patterns for master data held in an "
                    "external system of record, with numbers from a simulated ERP.")
    parser.add_argument("--version", action=VersionAction, nargs=0, default=argparse.SUPPRESS,
                        help="show patternsim's version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in COMMANDS:
        module.register(sub)
    return parser


class VersionAction(argparse.Action):
    """``--version``, worked out only when asked for: the version lives with the simulator, which is slow to load."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        sys.stdout.write(_version() + "\n")
        parser.exit()


def _version() -> str:
    from simulator.run import package_version

    return f"patternsim {package_version()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        return open_tui(args)
    try:
        with sigterm_as_interrupt():
            return args.func(args)
    except ArchitectureError as exc:  # through the CLI, architectures only ever come from --patterns
        sys.stderr.write(f"patternsim: error: --patterns: {one_line(str(exc))}\n")
        return 2
    except (ScenarioError, UsageError) as exc:
        sys.stderr.write(f"patternsim: error: {one_line(str(exc))}\n")
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM, maybe from a command that says what it kept
        detail = f"; {one_line(str(exc))}" if str(exc) else ""
        if isinstance(exc, Terminated):
            sys.stderr.write(f"patternsim: terminated{detail}\n")
            return signals.EXIT_STATUS
        sys.stderr.write(f"patternsim: interrupted{detail}\n")
        return 130
    except BrokenPipeError:
        return 0


def open_tui(args: argparse.Namespace) -> int:
    """No subcommand: the terminal UI (or help, until the UI is there)."""
    try:
        from app.tui import run_tui  # noqa: PLC0415 - textual loads only when the UI is wanted
    except ImportError:
        build_parser().print_help()
        return 0
    return run_tui()


if __name__ == "__main__":
    raise SystemExit(main())
