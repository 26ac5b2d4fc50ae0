"""The README's example is checked: every line it shows is what the command prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from app.cli import main

README = Path(__file__).parents[2] / "README.md"


def test_readme_example_output_is_real(capsys, monkeypatch):
    block = re.search(r"```console\n\$ (.+?)\n(.*?)```", README.read_text(), re.S)
    command, shown = block.group(1), block.group(2)
    argv = shlex.split(command)
    assert argv[0] == "patternsim"
    monkeypatch.chdir(README.parent)
    assert main([*argv[1:], "--quiet"]) == 0
    printed = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    for line in shown.splitlines():
        if line.strip() != "...":
            assert line.rstrip() in printed, line


def test_readme_names_the_ci_test_command():
    ci = (README.parent / ".ci" / "run").read_text()
    test_command = ci.strip().splitlines()[-1]
    assert test_command in README.read_text()
