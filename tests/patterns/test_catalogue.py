"""The catalogue: plugins join it through one entry-point group, checked as they load, and every rule an
architecture follows comes from the patterns' own declarations, a plugin's as much as a built-in's."""

from __future__ import annotations

import re
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from patterns import architecture
from patterns.architecture import ArchitectureError, build, check, expand, minimal
from patterns.catalogue import BUILTIN, ENTRY_POINT_GROUP, PATTERNS, plugins, problem
from patterns.decision_tree import walk
from patterns.pattern import Pattern
from simulator import scenario as scenarios
from tests.conftest import World


class Outbox(Pattern):
    id, axis = "outbox", "writes"
    defaults = {"interval": 1.0}


class NotAPattern:
    id = "outbox"


class Misnamed(Pattern):
    id, axis = "out_box", "writes"


class Sideways(Pattern):
    id, axis = "outbox", "sideways"


class SetDefault(Pattern):
    id, axis = "outbox", "writes"
    defaults = {"topics": {"a", "b"}}


class Orphan(Pattern):
    id, axis = "outbox", "writes"
    needs = ("nothing",)


class Refuses(Pattern):
    id, axis = "outbox", "writes"

    def __init__(self, params: Any = None):
        raise RuntimeError("no broker configured")


class Early(Pattern):
    id, axis = "outbox", "summary"
    needs = ("isolated_sync",)


def entry_points(**values: str) -> Any:
    return lambda: [EntryPoint(name, value, ENTRY_POINT_GROUP) for name, value in values.items()]


def test_builtin_patterns_keep_the_rules_a_plugin_is_held_to() -> None:
    for pid, cls in BUILTIN.items():
        assert problem(pid, cls, {k: v for k, v in BUILTIN.items() if k != pid}) is None, pid


def test_a_plugin_joins_the_catalogue_by_its_entry_point() -> None:
    assert plugins(entry_points(outbox=f"{__name__}:Outbox")) == {"outbox": Outbox}


@pytest.mark.parametrize(("name", "value", "reason"), [
    ("outbox", f"{__name__}:NotAPattern", "not a subclass of patterns.pattern.Pattern"),
    ("outbox", "no_such_package_anywhere:Outbox", "cannot be imported (ModuleNotFoundError"),
    ("outbox", f"{__name__}:Misnamed", "its id is 'out_box', not the entry point's name 'outbox'"),
    ("outbox", f"{__name__}:Sideways", "axis 'sideways' is not one of"),
    ("outbox", f"{__name__}:SetDefault", "the default of 'topics' is a set; a scenario holds only"),
    ("outbox", f"{__name__}:Orphan", "names unknown pattern 'nothing'"),
    ("outbox", f"{__name__}:Refuses", "cannot be built with its own defaults (RuntimeError: no broker configured)"),
    ("outbox", f"{__name__}:Early", "builds on 'isolated_sync', whose axis 'placement' installs after 'summary'"),
    ("direct", "patterns.direct:Direct", "a pattern with this id is already in the catalogue"),
])
def test_a_broken_plugin_is_left_out_with_a_warning_naming_it(name: str, value: str, reason: str) -> None:
    with pytest.warns(UserWarning, match=re.escape(f"pattern plugin {name!r} ({value}) left out: {reason}")):
        assert plugins(entry_points(**{name: value})) == {}


# -- the rules of an architecture, derived ---------------------------------------------------------------
class Delta(Pattern):
    """A variant of batch_sync: implies it, installs after it, and is no kind of realtime_sync."""

    id, axis, variant_of = "delta", "summary", "batch_sync"


class Cdc(Pattern):
    """A third way to keep the one replica."""

    id, axis, exclusive = "cdc", "summary", True


class Shadow(Pattern):
    id, axis = "shadow", "detail"
    conflicts = {"lazy_load": "both cache details"}
    needs = ("cdc", "batch_sync")


@pytest.fixture
def extended(monkeypatch: pytest.MonkeyPatch) -> None:
    for cls in (Delta, Cdc, Shadow, Outbox):
        monkeypatch.setitem(PATTERNS, cls.id, cls)


@pytest.mark.usefixtures("extended")
def test_the_rules_of_an_architecture_come_from_the_patterns_declarations() -> None:
    assert expand(["lazy_load", "delta"]) == ["batch_sync", "lazy_load", "delta"]
    assert minimal(["batch_sync", "delta"]) == ["delta"]
    for spec, message in (("realtime_sync+delta", "realtime_sync+delta: delta is a kind of batch_sync, not of "
                                                  "realtime_sync"),
                          ("batch_sync+cdc", "batch_sync+cdc: one summary replica has one sync; pick one"),
                          ("cdc+lazy_load+shadow", "shadow+lazy_load: both cache details"),
                          ("shadow", "shadow needs cdc or batch_sync in the same architecture"),
                          ("outbox+direct", "direct+outbox: direct keeps no local copy, outbox does")):
        with pytest.raises(ArchitectureError, match=re.escape(message)):
            check(spec.split("+"))
    check(["delta", "shadow", "outbox"])
    assert scenarios.pattern_defaults()["outbox"] == {"interval": 1.0}


@pytest.mark.usefixtures("extended")
def test_patterns_install_by_axis_and_a_variant_after_its_base() -> None:
    world = World()
    arch = build(["outbox", "lazy_load", "delta"], world.ctx, {})
    assert [p.id for p in arch.patterns] == ["batch_sync", "outbox", "lazy_load", "delta"]  # start order: as given
    assert list(world.ctx.installed) == ["batch_sync", "delta", "lazy_load", "outbox"]


def test_the_decision_tree_names_only_the_variants() -> None:
    answers = {"replicate": "yes", "summary_reads": "yes", "realtime": "yes", "change_volume": "yes",
               "concurrent_callbacks": "yes", "isolate_sync": "no", "details_reused": "no", "several_sources": "no"}
    assert walk(answers) == ["queued_sync", "ordered_sync"]


def test_neither_the_scenario_nor_the_architecture_module_names_a_pattern() -> None:
    """What a pattern is and how it combines is said once, in its own module."""
    root = Path(__file__).resolve().parents[2]
    for module in (root / "simulator" / "scenario.py", Path(architecture.__file__)):
        text = module.read_text()
        named = [pid for pid in BUILTIN if re.search(rf"\b{pid}\b", text)]
        assert not named, f"{module.name} names {named}"
