"""Export a run: to a folder the user chooses, shown before writing; nothing is replaced unasked."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Static

from app import checks
from app.errors import UsageError
from app.tui.session import EXPORTS

KINDS = {"json": "JSON", "csv": "CSV", "html": "HTML report"}
Choice = tuple[Path, list[str], bool]


class ExportScreen(ModalScreen[Choice | None]):
    """Folder, what to write, and whether existing files may be replaced; Enter exports, Esc cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel"), Binding("ctrl+s", "export", "Export", priority=True)]

    def __init__(self, title: str, folder: Path):
        super().__init__()
        self.title_text, self.folder = title, folder

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Label(self.title_text, classes="box-title")
            yield Label("Folder", classes="box-subtitle")
            yield Input(str(self.folder), id="export-folder")
            with Horizontal(id="export-kinds"):
                for kind, label in KINDS.items():
                    yield Checkbox(label, True, id=f"export-{kind}", compact=True)
            yield Checkbox("replace files that exist", False, id="export-replace", compact=True)
            yield Static("", id="export-plan", markup=False)
            yield Label("", id="export-error", markup=False)
            yield Label("Enter or Ctrl+S export · Tab next · Esc cancel", classes="box-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.show_plan()

    def choice(self) -> Choice:
        kinds = [k for k in KINDS if self.query_one(f"#export-{k}", Checkbox).value]
        folder = Path(self.query_one(Input).value.strip()).expanduser()
        return folder, kinds, self.query_one("#export-replace", Checkbox).value

    def show_plan(self) -> list[str]:
        """Show what will be written where; return the names that would be replaced."""
        folder, kinds, replace = self.choice()
        shown = folder.absolute()
        state = "" if folder.exists() else "  (a new folder)"
        lines = [f"Writes into {shown}{state}:"]
        existing = []
        for kind in kinds:
            path = folder / EXPORTS[kind]
            note = ""
            if path.exists():
                existing.append(path.name)
                note += "  exists: will be replaced" if replace else "  exists: not replaced"
            lines.append(f"  {path.name}{note}")
        self.query_one("#export-plan", Static).update("\n".join(lines) if kinds else "Nothing chosen.")
        return existing

    def on_input_changed(self) -> None:
        self.show_plan()

    def on_checkbox_changed(self) -> None:
        self.show_plan()

    def on_input_submitted(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        folder, kinds, replace = self.choice()
        error = self.query_one("#export-error", Label)
        existing = self.show_plan()
        try:
            if not kinds:
                raise UsageError("choose at least one thing to export")
            checks.out_dir(str(folder), flag="folder", files=tuple(EXPORTS[k] for k in kinds))
            if existing and not replace:
                raise UsageError(f"{', '.join(existing)} already there: choose another folder, or tick 'replace'")
        except UsageError as exc:
            error.update(f"✗ {exc}")
            return
        self.dismiss((folder, kinds, replace))
