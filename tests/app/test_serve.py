"""``patternsim serve`` in a real browser: the page loads, shows the welcome screen, and keys reach the UI.

The browser draws the terminal on a canvas, so the test reads what the server sent it: the
websocket frames the page received, with the terminal's escape sequences taken out.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import main

ESCAPES = re.compile(r"\x1b\[[0-9;?$<>]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen, limit_s: float = 120.0) -> None:
    deadline = time.monotonic() + limit_s  # a start-up limit, not a measured speed
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server ended: {server.communicate()}")
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing listens on port {port}")


def test_serve_in_a_browser_shows_welcome_then_the_first_question(browser, tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, server)
        frames: list[str] = []
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
            payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload)))
        page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)

        def shown(text: str) -> bool:
            for _ in range(240):
                if text in ESCAPES.sub("", "".join(frames)):
                    return True
                page.wait_for_timeout(250)
            return False

        assert shown("Which integration patterns fit your data?"), "the welcome screen never arrived"
        page.mouse.click(640, 400)
        page.keyboard.press("Enter")  # the guided walk
        assert shown("Can the data of this concept be copied outside the system of record?")
        page.screenshot(path=str(tmp_path / "first-question.png"))
        page.close()
    finally:
        server.terminate()
        try:
            out, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            out, _ = server.communicate()
    assert "participants open http://127.0.0.1:" in out


def test_serve_refuses_a_port_in_use_in_one_line(capsys) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--host", "127.0.0.1", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot listen" in err


@pytest.mark.parametrize("flags", [["--port", "0"], ["--port", "70000"], ["--public-url", "room:8000"]])
def test_serve_refuses_bad_flags_in_one_line(flags, capsys) -> None:
    assert main(["serve", *flags]) == 2
    assert capsys.readouterr().err.count("\n") == 1
