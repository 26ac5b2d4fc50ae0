"""The documents users are pointed to exist, and say what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from app.cli import build_parser
from app.compare import flat
from patterns import decision_tree as tree
from patterns.catalogue import BUILTIN, PATTERNS
from simulator.scenario import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
DOC = re.compile(r"docs/[\w.-]+\.md")


def _help_texts() -> str:
    parser = build_parser()
    texts = [parser.format_help()]
    for action in parser._subparsers._group_actions:  # noqa: SLF001 - argparse keeps subcommands here
        texts += [sub.format_help() for sub in action.choices.values()]
    return "\n".join(texts)


def test_every_document_named_in_help_and_readme_exists() -> None:
    named = set(DOC.findall(_help_texts())) | set(DOC.findall((ROOT / "README.md").read_text()))
    assert {"docs/scenarios.md", "docs/decision-tree.md", "docs/workshop.md"} <= named
    assert [d for d in sorted(named) if not (ROOT / d).is_file()] == []
    assert "DESIGN" not in _help_texts() + (ROOT / "README.md").read_text()  # not shipped to users


def test_scenario_reference_names_every_key() -> None:
    text = re.sub(r"```.*?```", "", (ROOT / "docs" / "scenarios.md").read_text(), flags=re.S)
    quoted = " ".join(re.findall(r"`([^`\n]+)`", text))
    plugin = tuple(f"patterns.{pid}." for pid in PATTERNS if pid not in BUILTIN)  # its package documents those
    missing = [key for key in flat(DEFAULTS) if key.rsplit(".", 1)[-1] not in quoted and not key.startswith(plugin)]
    assert missing == [], "docs/scenarios.md does not describe these keys"


def test_decision_tree_document_has_every_question_and_answer() -> None:
    text = (ROOT / "docs" / "decision-tree.md").read_text()
    for q in tree.QUESTIONS.values():
        assert q.text in text
        assert all(f"`{q.id}={a.value}`" in text for a in q.answers)
