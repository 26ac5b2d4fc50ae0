"""The replica seam: what a sync job runs, in which order, and how it retries (patterns/replica.py)."""

from __future__ import annotations

from typing import Any

import pytest

from patterns.integration import SourceUnavailable
from patterns.ports import Step
from patterns.replica import Copy, SyncJob
from tests.conftest import World


class Source:
    """Pages of changes for one cursor: two pages a cycle, failing while ``down``."""

    def __init__(self, world: World, name: str):
        self.world, self.name, self.down, self.log = world, name, False, []

    def fetch(self, since: float | None, after: Any) -> Step:
        yield self.world.env.timeout(1.0)
        if self.down:
            raise SourceUnavailable(f"{self.name} is down")
        page = 0 if after is None else after + 1
        self.log.append((self.name, since, page))
        return [page], (since, page), self.world.env.now, page == 0  # two pages: 0 then 1

    def write(self, rows: list[Any]) -> Step:
        yield self.world.env.timeout(0.5)


def job_of(world: World, *names: str) -> tuple[SyncJob, dict[str, Source], list[str]]:
    sources = {name: Source(world, name) for name in names}
    job = SyncJob(world.ctx, [Copy(world.ctx, name, s.fetch, s.write) for name, s in sources.items()], interval=60.0)
    ran: list[str] = []

    def after() -> Step:
        yield world.env.timeout(0.1)
        ran.append("after")
        return True
    job.after.append(after)
    return job, sources, ran


def test_every_copy_runs_though_one_fails_and_the_after_steps_wait_for_all() -> None:
    world = World()
    job, sources, ran = job_of(world, "a", "b")
    sources["a"].down = True
    assert world.call(job.cycle()) is False
    assert [entry[0] for entry in sources["b"].log] == ["b", "b"] and ran == []  # b copied, after steps skipped
    assert (job.cycles, job.failed_cycles, job.copies[0].failures, job.copies[1].rows) == (0, 1, 1, 2)
    sources["a"].down = False
    assert world.call(job.cycle()) is True and ran == ["after"]
    assert [entry[2] for entry in sources["a"].log] == [0, 1]  # a's full load, resumed from nothing
    assert sources["b"].log[-1][1] is not None  # b, loaded already, asks for changes since its load


def test_a_first_load_retries_only_the_copies_that_failed() -> None:
    world = World()
    job, sources, _ = job_of(world, "a", "b")
    sources["b"].down = True
    world.env.process(job.load(retry_s=5.0))
    world.env.run(until=6.0)  # a loaded (2 pages: 3 s), b failed at 4 s and waits 5 s
    sources["b"].down = False
    world.env.run(until=30.0)
    assert [e[0] for e in sources["a"].log] == ["a", "a"]  # a was not copied again
    assert [e[0] for e in sources["b"].log] == ["b", "b"] and job.loaded()


def test_settle_waits_for_the_running_cycle_then_retries_until_one_succeeds() -> None:
    world = World()
    job, sources, ran = job_of(world, "a")
    world.env.process(job.cycle())
    world.env.run(until=0.5)  # a cycle is running
    sources["a"].down = True

    def recover() -> Step:
        yield world.env.timeout(20.0)
        sources["a"].down = False
    world.env.process(recover())
    settle = world.env.process(job.settle(retry_s=30.0))
    world.env.run(until=settle)
    # The running cycle failed at 1 s; settle looked again at 1.5 s and its cycle failed at 2.5 s; 30 s
    # later (the source back since 20.5 s) a cycle of two pages and the after step took 3.1 s.
    assert world.env.now == pytest.approx(2.5 + 30.0 + 3.1)
    assert ran == ["after"] and (job.cycles, job.failed_cycles) == (1, 2)
