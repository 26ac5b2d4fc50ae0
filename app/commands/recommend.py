"""``patternsim recommend``: the decision tree without the TUI.

Answers come from ``--answer QUESTION=ANSWER``; any question on the path left open is asked on the
terminal when stdin is one, and is an error otherwise (a script must not hang waiting for input).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import textwrap
import tomllib
from typing import Any, TextIO

from app.errors import UsageError
from patterns import decision_tree as tree
from patterns.catalogue import PATTERNS


def register(sub: argparse._SubParsersAction) -> None:
    forms = {q.id: f"{q.id}={'|'.join(q.values)}" for q in tree.QUESTIONS.values()}
    width = max(map(len, forms.values()))
    questions = "\n".join(f"  {forms[q.id].ljust(width)}  {q.text}" for q in tree.QUESTIONS.values())
    common = " ".join(f"--answer {k}={v}" for k, v in tree.recommended_answers().items())
    p = sub.add_parser(
        "recommend", help="walk the decision tree and print the recommended architecture",
        description="Answer the decision tree's questions (docs/decision-tree.md) and get the architecture "
                    "to run: pattern ids joined by '+', ready for 'patternsim run --patterns'.",
        epilog=f"questions (asked in this order; the answers decide which come next):\n{questions}\n\n"
               f"examples:\n  patternsim recommend            (asks each question in the terminal)\n"
               f"  patternsim recommend {common}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--answer", dest="answers", action="append", default=[], metavar="ID=VALUE",
                   help="answer one question (repeatable); unanswered ones are asked if the terminal allows")
    p.add_argument("--json", action="store_true", help="print the path, architecture and parameters as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        answers = tree.parse_answers(args.answers)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    while (question := tree.next_question(answers)) is not None:
        if not stdin.isatty():
            raise UsageError(f"question {question.id!r} is not answered; give --answer {question.id}="
                             f"{'|'.join(question.values)} (or run in a terminal to be asked)")
        answers[question.id] = ask(question, stdin, stdout)
    outcome = tree.follow(answers)
    missing = [pid for pid in outcome.ids if pid not in PATTERNS]
    if args.json:
        stdout.write(json.dumps({"path": dict(outcome.path), "architecture": outcome.name, "patterns": outcome.ids,
                                 "params": outcome.params, "not_runnable": missing}, indent=2) + "\n")
        return 0
    stdout.write(f"architecture: {outcome.name}\n")
    for pid in outcome.ids:
        description = PATTERNS[pid].description if pid in PATTERNS else "(not runnable in this build yet)"
        stdout.write(f"  {pid}: {description}\n")
    for pid, values in outcome.params.items():
        stdout.write(f"  {pid} settings: {', '.join(f'{k}={v}' for k, v in values.items())}\n")
    if outcome.name == "direct":  # the baseline itself: nothing to compare it with
        stdout.write(f"\nrun it: {run_command(outcome)}\n")
    else:
        stdout.write(f"\ncompare it with the baseline: {run_command(outcome)}\n")
    return 0


def ask(question: tree.Question, stdin: TextIO, stdout: TextIO) -> str:
    """Ask one question until the answer is one of its values (Enter takes the recommended one)."""
    stdout.write(f"\n{question.text}\n")
    stdout.write(textwrap.fill(question.explanation, 88, initial_indent="  ", subsequent_indent="  ") + "\n")
    for a in question.answers:
        mark = f"  ({question.mark})" if a.value == question.recommended else ""
        stdout.write(f"  {a.value}: {a.label}{mark}\n")
    while True:
        stdout.write(f"{'/'.join(question.values)} [{question.recommended}]: ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            raise UsageError(f"question {question.id!r}: no answer (end of input)")
        value = line.strip().lower() or question.recommended
        if value in question.values:
            return value
        stdout.write(f"  please answer {' or '.join(question.values)}\n")


def run_command(outcome: tree.Outcome) -> str:
    """The ``patternsim run`` command that runs what the walk chose, every setting included, as the TUI
    runs it: the baseline ``direct`` beside the architecture, on the built-in scenario."""
    runs = outcome.name if outcome.name == "direct" else f"direct,{outcome.name}"
    sets = [f"--set {shlex.quote(f'patterns.{pid}.{key}={_toml(value)}')}"
            for pid, values in outcome.params.items() for key, value in values.items()]
    return " ".join(["patternsim run --patterns", runs, *sets])


def _toml(value: Any) -> str:
    """A value as ``--set`` reads it: TOML, where a word TOML cannot read stays a bare string."""
    if isinstance(value, str) and value == value.strip() and value:
        try:
            tomllib.loads(f"v = {value}")
        except tomllib.TOMLDecodeError:
            return value
    return json.dumps(value)
