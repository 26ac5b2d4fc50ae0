"""The walk: one question a screen, its explanation, the answers (recommended one marked), the path so far.

Answering pushes the screen of the next question; Esc pops back to the previous one with its answer
still selected, because answers live in the session, not in the screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from app.tui.screens.outcome import OutcomeScreen
from app.tui.session import walk_steps
from app.tui.widgets.path_panel import PathPanel
from patterns import decision_tree as tree

if TYPE_CHECKING:
    from app.tui.app import PatternsimApp


class QuestionScreen(Screen[None]):
    """One question of the decision tree."""

    app: PatternsimApp
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("r", "recommended", "Default"),
    ]

    def __init__(self, qid: str):
        super().__init__()
        self.question = tree.QUESTIONS[qid]

    def compose(self) -> ComposeResult:
        q = self.question
        yield Header()
        with Horizontal(id="walk"):
            yield PathPanel(id="path")
            with Vertical(id="question"):
                yield Static(q.text, id="question-text")
                with VerticalScroll(id="explanation-box"):
                    yield Static(q.explanation, id="explanation")
                yield OptionList(*[self._option(a) for a in q.answers], id="answers")
        yield Footer()

    def _option(self, answer: tree.Answer) -> Option:
        recommended = answer.value == self.question.recommended
        adds = f"  [green]+{'+'.join(answer.adds)}[/]" if answer.adds else ""
        mark = f"  [b]★ {self.question.mark}[/]" if recommended else ""
        return Option(f"{answer.label}{adds}{mark}", id=answer.value)

    def on_mount(self) -> None:
        answers = self.app.session.answers
        steps = [(q, value, effect) for q, value, _, effect in walk_steps(answers, until=self.question.id)]
        self.query_one(PathPanel).show(steps, self.question.short)
        self.sub_title = f"question {len(steps) + 1}: {self.question.short}"
        menu = self.query_one(OptionList)
        chosen = answers.get(self.question.id, self.question.recommended)
        menu.highlighted = self.question.values.index(chosen)
        menu.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(str(event.option.id))

    def action_recommended(self) -> None:
        self.choose(self.question.recommended)

    def choose(self, value: str) -> None:
        session = self.app.session
        session.answers[self.question.id] = value
        following = self.question.answer(value).next
        if following is not None:
            self.app.push_screen(QuestionScreen(following))
            return
        outcome = tree.follow(session.answers)
        session.adopt(outcome.ids, outcome.params)
        self.app.push_screen(OutcomeScreen(walked=outcome.ids))

    def action_back(self) -> None:
        self.app.pop_screen()
