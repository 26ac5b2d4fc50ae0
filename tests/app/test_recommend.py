"""``patternsim recommend``: answers from flags, from a terminal, or a one-line error."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from app.cli import main
from app.commands import recommend
from patterns import decision_tree as tree


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
