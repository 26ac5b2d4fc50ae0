"""Shared by the benchmarks: the machine they ran on, and writing a section of docs/benchmarks.md.

Each benchmark owns one section of the page, between ``<!-- bench:NAME -->`` markers, so any one of
them can be re-run alone and the others' numbers stay.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

from app.export import atomic_write

PAGE = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Speed and scale of patternsim, measured by the scripts in `benchmarks/` (run by hand, not by the
tests). Re-run one with `python -m benchmarks.<name>`; it rewrites its own section below.
"""
ORDER = ("throughput", "startup", "run", "replications", "scale", "sweep")


def machine() -> str:
    import simpy
    import sqlalchemy

    return (f"Python {platform.python_version()}, SimPy {simpy.__version__}, SQLAlchemy {sqlalchemy.__version__}, "
            f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), {platform.system()}")


def write_section(name: str, markdown: str) -> Path:
    """Replace (or add) this benchmark's section of docs/benchmarks.md."""
    text = PAGE.read_text(encoding="utf-8") if PAGE.exists() else HEADER
    sections = dict(re.findall(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->\n", text, flags=re.S))
    sections[name] = markdown.rstrip() + "\n"
    names = [n for n in ORDER if n in sections] + sorted(n for n in sections if n not in ORDER)
    body = "".join(f"\n<!-- bench:{n} -->\n{sections[n]}<!-- /bench:{n} -->\n" for n in names)
    return atomic_write(PAGE, HEADER + body)


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"
