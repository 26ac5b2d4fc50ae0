"""``patternsim serve``: the terminal UI in web browsers (textual-serve), for a workshop room.

Each browser that opens the page gets its own ``patternsim`` process on this machine, with its own
session; the page is a terminal drawn in the browser, so participants need nothing but a browser.
"""

from __future__ import annotations

import argparse
import shlex
import socket
import sys

from app.errors import UsageError

WILDCARDS = ("0.0.0.0", "::", "")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve", help="serve the terminal UI to web browsers (a workshop room)",
        description="Serve the patternsim UI over HTTP: every browser that opens the page gets its own "
                    "session. See docs/workshop.md for running a room.",
        epilog="examples:\n  patternsim serve                      (this machine only: http://localhost:8000)\n"
               "  patternsim serve --host 0.0.0.0 --public-url http://192.168.1.20:8000   (a room on the LAN)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="localhost",
                   help="address to listen on (default: localhost; 0.0.0.0 for every network interface)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.add_argument("--public-url", metavar="URL",
                   help="the address participants' browsers use, when it differs from http://HOST:PORT "
                        "(needed with --host 0.0.0.0 unless this machine's name resolves in the room)")
    p.set_defaults(func=main)


def public_url(host: str, port: int, given: str | None) -> str:
    """What the page tells browsers to connect back to (its websocket)."""
    if given:
        if not given.startswith(("http://", "https://")):
            raise UsageError(f"--public-url {given!r}: must start with http:// or https://")
        return given.rstrip("/")
    shown = socket.gethostname() if host in WILDCARDS else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}"


def main(args: argparse.Namespace) -> int:
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port: must be between 1 and 65535, got {args.port}")
    try:
        from textual_serve.server import Server  # noqa: PLC0415 - only the server needs aiohttp
    except ImportError:
        raise UsageError("serve needs textual-serve (pip install textual-serve)") from None
    url = public_url(args.host, args.port, args.public_url)
    try:  # fail now, in one line, rather than inside the web server's start-up
        with socket.create_server((args.host or "0.0.0.0", args.port)):
            pass
    except OSError as exc:
        raise UsageError(f"--host {args.host} --port {args.port}: cannot listen ({exc.strerror or exc})") from None
    # Each browser runs the UI in its own process: this Python, this patternsim.
    command = shlex.join([sys.executable, "-m", "app.cli"])
    sys.stdout.write(f"patternsim: participants open {url} in a browser; Ctrl+C stops the server\n")
    sys.stdout.flush()
    Server(command, host=args.host, port=args.port, title="patternsim", public_url=url).serve()
    return 0
