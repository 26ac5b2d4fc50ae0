"""``patternsim recommend``: answers from flags, from a terminal, or a one-line error."""

from __future__ import annotations

import argparse
import io
import json
import shlex

import pytest

from app.cli import build_parser, main
from app.commands import recommend
from app.tui.session import Session
from patterns import decision_tree as tree
from patterns.architecture import parse
from simulator import scenario as scenarios


def flags(answers: dict[str, str]) -> list[str]:
    return [f"--answer={k}={v}" for k, v in answers.items()]


def test_recommended_answers_print_batch_sync(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", *flags(tree.recommended_answers())]) == 0
    out = capsys.readouterr().out
    assert "architecture: batch_sync" in out
    assert "--patterns direct,batch_sync" in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    answers = {**tree.recommended_answers(), "details_reused": "yes", "cheap_timestamp": "yes"}
    assert main(["recommend", "--json", *flags(answers)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["architecture"] == "batch_sync+lazy_load"
    assert doc["params"] == {"lazy_load": {"validation": "timestamp"}}
    assert doc["path"] == answers


def test_unanswered_without_a_terminal_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["recommend", "--answer", "replicate=yes"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "summary_reads" in err


def test_bad_answer_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", "--answer", "replicate=perhaps"]) == 2
    assert "replicate takes yes or no" in capsys.readouterr().err


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_questions_are_asked_on_a_terminal() -> None:
    # Enter takes the recommended answer; a wrong word is asked again.
    stdin, stdout = Tty("\nmaybe\n\nyes\n\n\n\n\n\n"), io.StringIO()
    args = argparse.Namespace(answers=[], json=False)
    assert recommend.main(args, stdin, stdout) == 0
    out = stdout.getvalue()
    assert "please answer yes or no" in out
    # Facts about the user's systems are "(default)"; only the seed's advice (batch over real time) is "(recommended)".
    assert out.count("(recommended)") == 1 and "No, minutes behind is fine: batch sync  (recommended)" in out
    assert "yes: Yes, a local copy is allowed  (default)" in out
    assert "architecture: realtime_sync" in out


def test_direct_is_not_compared_with_itself(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", "--answer", "replicate=no"]) == 0
    out = capsys.readouterr().out
    assert "direct,direct" not in out and "--patterns direct\n" in out


def complete_walks(answers: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Every complete set of answers the tree can be walked with."""
    answers = answers or {}
    question = tree.next_question(answers)
    if question is None:
        return [answers]
    return [walk for value in question.values for walk in complete_walks({**answers, question.id: value})]


@pytest.mark.parametrize("answers", complete_walks(), ids=lambda a: "-".join(a.values()))
def test_the_printed_command_runs_what_the_tui_runs(answers: dict[str, str],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The suggested ``patternsim run`` command, read by the CLI's own parser, gives the architectures
    and the scenario (every setting the walk chose) that the TUI runs after the same walk."""
    assert main(["recommend", *flags(answers)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "patternsim run" in x)
    argv = shlex.split(line.split(": ", 1)[1])
    assert argv[:2] == ["patternsim", "run"]
    args = build_parser().parse_args(argv[1:])
    session = Session()
    outcome = tree.follow(answers)
    session.adopt(outcome.ids, outcome.params)
    assert parse(args.patterns) == session.architectures
    assert scenarios.load(args.scenario, args.overrides) == session.base_scenario()


def test_timestamp_validation_is_in_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    answers = {**tree.recommended_answers(), "details_reused": "yes", "cheap_timestamp": "yes"}
    assert main(["recommend", *flags(answers)]) == 0
    assert "--set patterns.lazy_load.validation=timestamp" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["timestamp", "true", "12", "two words", "", 3, 0.5, True])
def test_a_setting_reads_back_as_the_same_value(value: object) -> None:
    scenario = {"k": "placeholder"}
    scenarios.apply_override(scenario, f"k={recommend._toml(value)}")
    assert scenario["k"] == value and type(scenario["k"]) is type(value)
