"""Shared fixtures: small, fast scenarios built from the defaults, and the local databases to test on.

PostgreSQL: ``.ci/run`` starts a throwaway server (``.ci/postgres``) and passes its URL in
``PATTERNSIM_TEST_PG_URL``; each test that asks for ``pg_url`` (or the ``postgresql`` side of
``db_url``) gets a database of its own, dropped afterwards. Without a server the PostgreSQL tests
are skipped, with one line in the header saying why, except in CI (``CI`` set), where the run
stops at once with that line.
"""

from __future__ import annotations

import functools
import os
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from simulator import scenario as scenarios

PG_ENV = "PATTERNSIM_TEST_PG_URL"


@functools.cache
def pg_problem() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None when the server answers."""
    url = os.environ.get(PG_ENV)
    if not url:
        return f"{PG_ENV} is not set (.ci/postgres start prints it)"
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import NullPool

    from patterns.database import one_line

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except SQLAlchemyError as exc:
        return f"the server at {PG_ENV} does not answer: {one_line(exc, url)}"
    finally:
        engine.dispose()
    return None


def pytest_report_header(config: pytest.Config) -> str:
    problem = pg_problem()
    return f"postgresql: {'skipped: ' + problem if problem else 'tests run on ' + PG_ENV}"


def pytest_sessionstart(session: pytest.Session) -> None:
    problem = pg_problem()
    if problem and os.environ.get("CI") and not os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.exit(f"PostgreSQL is required in CI: {problem}", returncode=1)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL schema (its own search_path), dropped after the test.

    A schema, not a database: creating a database takes about ten times as long, and patternsim's
    tables and lock both belong to the schema they are made in.
    """
    problem = pg_problem()
    if problem and os.environ.get("CI"):
        pytest.fail(problem)
    if problem:
        pytest.skip(problem)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    admin_url = os.environ[PG_ENV]
    name = f"patternsim_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'create schema "{name}"'))
    try:
        url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'drop schema if exists "{name}" cascade'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A local database to run on: a SQLite file, then a PostgreSQL database (the same tests on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'local.db'}"
    return request.getfixturevalue("pg_url")


def small_scenario(**overrides: Any) -> dict[str, Any]:
    """The defaults shrunk to run in well under a second; ``overrides`` are dotted keys."""
    sc = scenarios.defaults()
    sc["scenario"].update(duration=120.0, warmup=10.0)
    sc["data"]["customers"] = 500
    sc["workload"]["rate"] = 10.0
    for key, value in overrides.items():
        node = sc
        *path, last = key.split(".")
        for part in path:
            node = node[part]
        node[last] = value
    scenarios.validate(sc, "test")
    return sc


@pytest.fixture
def small() -> dict[str, Any]:
    return small_scenario()


class World:
    """One run's parts wired by hand, for tests that drive patterns step by step (on ``db_url``: close it after)."""

    def __init__(self, scenario: dict[str, Any] | None = None, seed: int = 1, db_url: str = "sqlite://"):
        import simpy

        from patterns.drivers import ErpDriver
        from patterns.integration import Credentials, IntegrationService, Route
        from patterns.pattern import Context
        from patterns.store import AuditTrail, Store
        from simulator.distributions import streams
        from simulator.erp import Erp
        from simulator.metrics import Metrics
        from simulator.run import CLIENT_SECRET
        from simulator.runtime import SimRuntime

        self.scenario = scenario or small_scenario()
        self.env = simpy.Environment()
        self.runtime = SimRuntime(self.env)
        s = self.scenario["scenario"]
        self.metrics = Metrics(s["warmup"], s["duration"], clock=lambda: self.env.now,
                               current=lambda: self.env.active_process)
        self.erp = Erp(self.env, self.scenario, seed, self.metrics)
        self.metrics.truth = self.erp
        self.store = Store(db_url)
        self.audit = AuditTrail(self.store, batch=1)
        self.credentials = Credentials(self.erp, "patternsim", CLIENT_SECRET)
        self.integration = IntegrationService(self.runtime, [Route(self.erp, ErpDriver(), self.credentials)],
                                              self.audit)
        self.ctx = Context(self.runtime, self.store, self.integration, streams(seed, "p")["p"], self.metrics)

    def call(self, step: Any) -> Any:
        """Run one pattern step to completion and return its value (or raise its exception)."""
        proc = self.env.process(step)
        self.env.run(until=proc)
        return proc.value


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def tiny_disk(tmp_path) -> Iterator[Any]:
    """The mount point of a real 64 KiB file system (tmpfs), where the machine lets us mount one (as root,
    as CI runs)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a file system here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)
