"""Every pattern patternsim can run, by id: the one list the CLI, the TUI, the tree and the scenario use.

The built-in patterns, then those other packages add through the entry-point group
``patternsim.patterns`` (``write_behind = "package.module:WriteBehind"``: the name is the pattern's
id). A plugin is checked when it loads; one that cannot be imported or breaks a rule is left out with
a warning that names it and says why, and patternsim runs without it (see docs/extending.md).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from importlib.metadata import EntryPoint, entry_points

from patterns.batch_sync import BatchSync
from patterns.direct import Direct
from patterns.isolated_sync import IsolatedSync
from patterns.lazy_load import LazyLoad
from patterns.ordered_sync import OrderedSync
from patterns.pattern import ANY, AXES, Pattern
from patterns.queued_sync import QueuedSync
from patterns.realtime_sync import RealtimeSync
from patterns.transparency import Transparency

ENTRY_POINT_GROUP = "patternsim.patterns"
PARAM_TYPES = (bool, int, float, str, list)  # what a scenario file can hold

BUILTIN: dict[str, type[Pattern]] = {
    cls.id: cls
    for cls in (Direct, BatchSync, RealtimeSync, QueuedSync, OrderedSync, LazyLoad, IsolatedSync, Transparency)
}


def problem(name: str, cls: object, known: dict[str, type[Pattern]]) -> str | None:
    """Why ``cls`` cannot join the catalogue as pattern ``name`` (None: it can). ``known``: the catalogue so far."""
    if not (isinstance(cls, type) and issubclass(cls, Pattern)):
        return "not a subclass of patterns.pattern.Pattern"
    if cls.id != name:
        return f"its id is {cls.id!r}, not the entry point's name {name!r}"
    if name in known:
        return "a pattern with this id is already in the catalogue"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return "an id is lower-case letters, digits and '_' (it is written in architectures and scenario keys)"
    if cls.axis not in AXES:
        return f"axis {cls.axis!r} is not one of {', '.join(AXES)}"
    for key, value in cls.defaults.items():
        if not isinstance(value, PARAM_TYPES):
            kinds = ", ".join(t.__name__ for t in PARAM_TYPES)
            return f"the default of {key!r} is a {type(value).__name__}; a scenario holds only {kinds}"
    before = [cls.variant_of] if cls.variant_of else []
    before += cls.needs
    for other in [*before, *(other for other in cls.conflicts if other != ANY)]:
        if other not in known:
            return f"names unknown pattern {other!r}"
    for other in before:  # a pattern extends what it builds on, so that must be installed first
        if AXES.index(known[other].axis) > AXES.index(cls.axis):
            return f"builds on {other!r}, whose axis {known[other].axis!r} installs after {cls.axis!r}"
    try:
        cls()
    except Exception as exc:  # noqa: BLE001 - any failure to build with its own defaults is the plugin's problem
        return f"cannot be built with its own defaults ({type(exc).__name__}: {exc})"
    return None


def plugins(found: Callable[[], Iterable[EntryPoint]] = lambda: entry_points(group=ENTRY_POINT_GROUP),
            known: dict[str, type[Pattern]] = BUILTIN) -> dict[str, type[Pattern]]:
    """The patterns other packages add, each checked; a broken one is left out with a warning."""
    added: dict[str, type[Pattern]] = {}
    for point in sorted(found(), key=lambda p: p.name):
        try:
            cls = point.load()
        except Exception as exc:  # noqa: BLE001 - an import error of any kind in someone else's package
            why = f"cannot be imported ({type(exc).__name__}: {exc})"
        else:
            why = problem(point.name, cls, {**known, **added})
        if why:
            warnings.warn(f"patternsim: pattern plugin {point.name!r} ({point.value}) left out: {why}", stacklevel=2)
            continue
        added[point.name] = cls
    return added


PATTERNS: dict[str, type[Pattern]] = {**BUILTIN, **plugins()}

__all__ = ["BUILTIN", "ENTRY_POINT_GROUP", "PATTERNS", "plugins", "problem"]
