"""The scenario: a bundled file or the defaults, and the key numbers in a form checked as you type.

A wrong value is explained under its field (the same reason ``--set`` would give) and the run is
blocked until every field is right.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Label, Select, Static

from app.tui import form
from app.tui.screens.guide import GuideScreen
from app.tui.screens.open_file import OpenFileScreen
from app.tui.screens.run import RunScreen
from app.tui.widgets.field_row import FieldRow
from simulator import scenario as scenarios
from simulator.scenario import ScenarioError

if TYPE_CHECKING:
    from app.tui.app import PatternsimApp

DEFAULTS_CHOICE = "(built-in defaults)"


class ScenarioScreen(Screen[None]):
    """Pick the scenario and adjust it; Ctrl+R runs every architecture on it."""

    app: PatternsimApp
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+r", "run", "Run", priority=True),
        Binding("ctrl+o", "open", "Open file", priority=True),
        Binding("f2", "guide", "Guide"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.base: dict[str, Any] | None = None
        self.checked: form.FormCheck | None = None
        self.specs: list[form.Field] = []

    def choices(self) -> list[tuple[str, str]]:
        """The defaults, the bundled files, and the file the user opened (if it is another one)."""
        path = self.app.session.scenario_path
        choices = [(DEFAULTS_CHOICE, "")] + [(p.name, str(p)) for p in scenarios.bundled()]
        if path and path not in {v for _, v in choices}:
            choices.append((Path(path).name, path))
        return choices

    def compose(self) -> ComposeResult:
        session = self.app.session
        yield Header()
        with Horizontal(id="scenario-bar"):
            yield Label("Scenario", id="scenario-label")
            yield Select(self.choices(), allow_blank=False, value=session.scenario_path or "",
                         id="scenario-select", compact=True)
        yield Static("", id="scenario-description", markup=False)
        yield VerticalScroll(id="form")
        yield Static("", id="field-help", markup=False)
        yield Static("", id="form-status")
        yield Footer()

    async def on_mount(self) -> None:
        self.sub_title = "scenario: " + ", ".join("+".join(a) for a in self.app.session.architectures)
        await self.load_base(keep_form=True)
        first = self.query(".field-input")
        if first:
            first.first().focus()

    async def load_base(self, keep_form: bool) -> None:
        """Load the chosen scenario; lay out its fields and fill them (or with what the user typed before)."""
        session = self.app.session
        try:
            self.base = session.base_scenario()
        except ScenarioError as exc:
            self.base = None
            self.query_one("#form-status", Static).update(f"✗ {exc}")
            return
        info = self.base["scenario"]
        guide = " · F2: what to look at" if info.get("guide") else ""
        self.query_one("#scenario-description", Static).update(f"{info['name']}: {info['description']}{guide}")
        self.refresh_bindings()
        self.specs = form.fields(self.base, session.architectures)
        texts = form.values(self.base, self.specs)
        if keep_form:
            texts.update({k: v for k, v in session.form.items() if k in texts})
        by_section: dict[str, list[Widget]] = {}
        for spec in self.specs:
            by_section.setdefault(spec.section, []).append(
                FieldRow(spec, texts[spec.key], id="row-" + spec.key.replace(".", "-"), classes="field-row"))
        sections: list[Widget] = []
        for section, rows in by_section.items():
            sections += [Static(section, classes="form-section", markup=False), Grid(*rows, classes="form-grid")]
        form_box = self.query_one("#form", VerticalScroll)
        with self.app.batch_update():
            await form_box.remove_children()
            await form_box.mount_all(sections)
        self.validate()

    async def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "scenario-select":
            self.validate()  # a field with choices
            return
        path = str(event.value) or None
        if path != self.app.session.scenario_path:
            await self.switch_to(path)

    async def switch_to(self, path: str | None) -> None:
        """Another scenario: its own values; and its comparison, unless the user chose the architectures."""
        session = self.app.session
        follow = session.follows_compare()
        session.scenario_path = path
        session.form.clear()
        compare = session.scenario_compare()
        if follow and compare and compare != session.architectures:
            session.architectures = compare
            self.notify("Its comparison: " + ", ".join("+".join(a) for a in compare))
        elif compare and compare != session.architectures:
            self.notify(f"This scenario is about {', '.join('+'.join(a) for a in compare)}; your architectures "
                        "are kept (Esc, then a and d, to change them).")
        self.sub_title = "scenario: " + ", ".join("+".join(a) for a in session.architectures)
        await self.load_base(keep_form=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "guide":  # offered only when the scenario has a guide
            return bool(self.base and self.base["scenario"].get("guide"))
        return True

    def action_guide(self) -> None:
        info = (self.base or {}).get("scenario", {})
        if info.get("guide"):
            self.app.push_screen(GuideScreen(info["name"], info["guide"]))
        else:
            self.notify("This scenario has no guide.")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.validate()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        focused = self.focused
        row = focused.parent if focused is not None else None
        if isinstance(row, FieldRow):
            self.query_one("#field-help", Static).update(f"{row.spec.label}: {row.spec.help}")

    def texts(self) -> dict[str, str]:
        return {row.spec.key: row.text for row in self.query(FieldRow)}

    def validate(self) -> form.FormCheck | None:
        if self.base is None:
            return None
        texts = self.texts()
        if not texts:  # the rows are being laid out
            return self.checked
        self.app.session.form = dict(texts)
        self.checked = form.check(self.base, texts)
        for row in self.query(FieldRow):
            row.show_error(self.checked.errors.get(row.spec.key))
        status = self.query_one("#form-status", Static)
        if self.checked.ok:
            s = self.checked.scenario["scenario"]  # type: ignore[index]
            status.update(f"✓ ready: {len(self.app.session.architectures)} architecture(s), "
                          f"{s['warmup'] + s['duration']:,.0f} simulated s each · Ctrl+R to run")
        else:
            bad = len(self.checked.errors)
            status.update(f"✗ {self.checked.general}" if self.checked.general else
                          f"✗ {bad} field{'s' if bad > 1 else ''} to fix before running")
        status.set_class(not self.checked.ok, "-invalid")
        return self.checked

    def action_run(self) -> None:
        checked = self.validate()
        if checked is None or not checked.ok:
            self.notify("Fix the fields marked ✗ first.", severity="error")
            return
        self.app.push_screen(RunScreen(checked.scenario, self.app.session.architectures))  # type: ignore[arg-type]

    def action_open(self) -> None:
        self.app.push_screen(OpenFileScreen(scenarios_only=True), self._opened)

    async def _opened(self, picked: tuple[str, object, str] | None) -> None:
        if picked is None:
            return
        path = str(picked[1])
        select = self.query_one("#scenario-select", Select)
        self.app.session.scenario_path, previous = path, self.app.session.scenario_path
        with self.prevent(Select.Changed):
            select.set_options(self.choices())
            select.value = path
        self.app.session.scenario_path = previous
        await self.switch_to(path)

    def action_back(self) -> None:
        self.app.pop_screen()
