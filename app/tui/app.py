"""The Textual app: its screens around one ``Session``.

``make_app`` is the one way to build it, for ``patternsim`` and for the tests alike.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from app.tui.screens.confirm import ConfirmScreen
from app.tui.screens.help import HelpScreen
from app.tui.screens.welcome import WelcomeScreen
from app.tui.session import Session
from simulator.pool import start_method_for_ui


class PatternsimApp(App[None]):
    """patternsim in a terminal: walk the tree, pick architectures, run them, compare the numbers."""

    TITLE = "patternsim"
    ENABLE_COMMAND_PALETTE = False  # every action has its key; the footer needs the room at 80 columns
    SUB_TITLE = "integration patterns, measured"
    CSS_PATH = [f"styles/{name}.tcss" for name in ("app", "walk", "outcome", "scenario", "run", "results")]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: Session, start_method: str | None = None):
        super().__init__()
        self.session = session
        self.start_method = start_method  # how runs start their processes (simulator.pool)

    def on_mount(self) -> None:
        self.push_screen(WelcomeScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Quit, after asking while a run of this session has not been exported (it would be lost)."""
        unexported = self.session.unexported()
        if not unexported or isinstance(self.screen, ConfirmScreen):
            self.exit()
            return
        numbers = ", ".join(str(r.number) for r in unexported)
        self.push_screen(ConfirmScreen(
            "Quit without exporting?", f"Run{'s' if len(unexported) > 1 else ''} {numbers} of this session "
            "will be lost: runs are kept only while patternsim is open."), self._quit_answer)

    def _quit_answer(self, answer: str | None) -> None:
        if answer == "yes":
            self.exit()
        elif answer == "export" and hasattr(self.screen, "action_export"):
            self.screen.action_export()


def make_app(scenario: str | None = None, overrides: list[str] | None = None,
             out_dir: str | Path | None = None) -> PatternsimApp:
    """Build the app; ``overrides`` are ``--set`` style ``key=value`` strings applied to the scenario."""
    start_method = start_method_for_ui()  # before Textual takes the terminal
    session = Session(scenario_path=scenario, overrides=list(overrides or []))
    if out_dir is not None:
        session.out_dir = Path(out_dir)
    return PatternsimApp(session, start_method)
