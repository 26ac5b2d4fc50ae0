"""Fixtures for the app tests: a fixed results document for the results screen, small report inputs, a browser."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.export import to_json
from tests.conftest import small_scenario

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Debian's Chromium, driven by Playwright (which cannot download its own browsers here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def results_file() -> Path:
    """Results of direct,batch_sync on the small scenario, stored so screens do not move with the engine."""
    return FIXTURES / "tui_results.json"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium and Playwright; in CI their absence fails the test, elsewhere it skips it, saying why."""
    path = shutil.which("chromium") or CHROMIUM
    problem = ""
    if not Path(path).is_file():
        problem = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401, PLC0415 - only the browser tests need it
        except ImportError:
            problem = "the playwright package is not installed (pip install -e '.[test]')"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser test in CI: {problem}; .ci/run installs both")
        pytest.skip(f"browser test skipped: {problem}")
    return path


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``), closed after the test."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only the browser tests need it

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def report_scenario() -> dict:
    """A small scenario with an ERP outage, a change burst and a request burst inside the measured window."""
    return small_scenario(**{"scenario.duration": 40.0, "scenario.warmup": 5.0, "data.customers": 300,
                             "erp.outages": [{"start": 20.0, "duration": 5.0}],
                             "erp.bursts": [{"start": 10.0, "duration": 5.0, "multiplier": 10.0}],
                             "workload.bursts": [{"start": 30.0, "duration": 5.0, "multiplier": 2.0}]})


@pytest.fixture(scope="session")
def run_json(tmp_path_factory) -> Path:
    """results.json of a short run of three architectures (one with a sync queue, one with a cache)."""
    from simulator.run import run  # noqa: PLC0415

    path = tmp_path_factory.mktemp("run") / "results.json"
    path.write_text(to_json(run(report_scenario(), "direct,batch_sync+lazy_load,queued_sync", workers=1)))
    return path


@pytest.fixture(scope="session")
def sweep_json(tmp_path_factory) -> Path:
    """sweep.json of a short sweep: two values of a batch_sync key (direct runs once per seed), two seeds."""
    from simulator import sweep as sweeps  # noqa: PLC0415

    plan = sweeps.plan(report_scenario(), ["patterns.batch_sync.interval=10,30"], [["direct"], ["batch_sync"]],
                       seeds=2)
    with sweeps.make_executor(workers=0) as executor:
        records = sweeps.execute(plan, executor)
    path = tmp_path_factory.mktemp("sweep") / "sweep.json"
    path.write_text(to_json(sweeps.document(plan, records)))
    return path


def load_json(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def run_report(run_json, tmp_path_factory) -> Path:
    """The report folder of ``run_json``, written by ``patternsim report``."""
    from app.cli import main  # noqa: PLC0415

    out = tmp_path_factory.mktemp("run-report") / "report"
    assert main(["report", str(run_json), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def sweep_report(sweep_json, tmp_path_factory) -> Path:
    """The report folder of ``sweep_json``, written by ``patternsim report``."""
    from app.cli import main  # noqa: PLC0415

    out = tmp_path_factory.mktemp("sweep-report") / "report"
    assert main(["report", str(sweep_json), "--out", str(out)]) == 0
    return out
