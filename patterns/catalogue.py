"""Every pattern patternsim can run, by id: the one list the CLI, the TUI and the tree use."""

from __future__ import annotations

from patterns.batch_sync import BatchSync
from patterns.direct import Direct
from patterns.lazy_load import LazyLoad
from patterns.pattern import Pattern

PATTERNS: dict[str, type[Pattern]] = {
    cls.id: cls
    for cls in (Direct, BatchSync, LazyLoad)
}

__all__ = ["PATTERNS"]
