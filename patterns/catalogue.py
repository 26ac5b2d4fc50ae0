"""Every pattern patternsim can run, by id: the one list the CLI, the TUI and the tree use."""

from __future__ import annotations

from patterns.batch_sync import BatchSync
from patterns.direct import Direct
from patterns.isolated_sync import IsolatedSync
from patterns.lazy_load import LazyLoad
from patterns.ordered_sync import OrderedSync
from patterns.pattern import Pattern
from patterns.queued_sync import QueuedSync
from patterns.realtime_sync import RealtimeSync
from patterns.transparency import Transparency

PATTERNS: dict[str, type[Pattern]] = {
    cls.id: cls
    for cls in (Direct, BatchSync, RealtimeSync, QueuedSync, OrderedSync, LazyLoad, IsolatedSync, Transparency)
}

__all__ = ["PATTERNS"]
