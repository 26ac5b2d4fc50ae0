"""SimRuntime.within: a call raced against a deadline, run in the caller's own process."""

import pytest
import simpy

from simulator.runtime import SimRuntime


def _call(env, log, seconds, value="answer"):
    """A remote call: it takes ``seconds`` and notes when it really finished."""
    yield env.timeout(seconds)
    log.append(("served", env.now))
    return value


def _run(env, step):
    proc = env.process(step)
    env.run()
    return proc.value


def test_a_call_that_answers_in_time_returns_its_value():
    env, log = simpy.Environment(), []
    rt = SimRuntime(env)

    def caller():
        return (yield from rt.within(_call(env, log, 1.0), 5.0))

    assert _run(env, caller()) == "answer"
    assert log == [("served", 1.0)]


def test_a_late_call_times_out_at_the_deadline_and_is_still_served_afterwards():
    env, log = simpy.Environment(), []
    rt = SimRuntime(env)

    def caller():
        try:
            yield from rt.within(_call(env, log, 10.0), 2.0)
        except TimeoutError as exc:
            log.append(("gave up", env.now, str(exc)))

    _run(env, caller())
    assert log == [("gave up", 2.0, "no answer within 2 s"), ("served", 10.0)]


def test_the_deadline_never_reaches_the_caller_after_the_call_returned():
    env, log = simpy.Environment(), []
    rt = SimRuntime(env)

    def caller():
        yield from rt.within(_call(env, log, 1.0), 2.0)
        yield env.timeout(5.0)  # waiting here when the (spent) deadline fires at t = 2
        log.append(("caller done", env.now))

    _run(env, caller())
    assert log == [("served", 1.0), ("caller done", 6.0)]


def test_an_answer_and_a_deadline_at_the_same_instant_resolve_one_way_only():
    # The deadline timer is scheduled before the call's own timeout, so it fires first: the caller
    # gives up, and the call's answer still arrives (to nobody) at the same instant.
    env, log = simpy.Environment(), []
    rt = SimRuntime(env)

    def caller():
        try:
            log.append(("got", (yield from rt.within(_call(env, log, 2.0), 2.0))))
        except TimeoutError:
            log.append(("gave up", env.now))
        yield env.timeout(1.0)
        log.append(("caller done", env.now))

    _run(env, caller())
    assert log == [("gave up", 2.0), ("served", 2.0), ("caller done", 3.0)]


def test_a_failing_event_is_thrown_into_the_call_which_may_handle_it():
    env = simpy.Environment()
    rt = SimRuntime(env)

    def call():
        failing = env.event()
        failing.fail(ValueError("refused"))
        try:
            yield failing
        except ValueError as exc:
            return f"handled {exc}"

    def caller():
        return (yield from rt.within(call(), 5.0))

    assert _run(env, caller()) == "handled refused"


def test_an_error_the_call_does_not_handle_reaches_the_caller():
    env = simpy.Environment()
    rt = SimRuntime(env)

    def call():
        yield env.timeout(1.0)
        raise LookupError("no such record")

    def caller():
        with pytest.raises(LookupError, match="no such record"):
            yield from rt.within(call(), 5.0)
        return "raised"

    assert _run(env, caller()) == "raised"


def test_an_interrupt_from_elsewhere_is_passed_on_and_the_call_goes_on_alone():
    env, log = simpy.Environment(), []
    rt = SimRuntime(env)

    def caller():
        try:
            yield from rt.within(_call(env, log, 10.0), 20.0)
        except simpy.Interrupt as exc:
            log.append(("interrupted", env.now, exc.cause))

    proc = env.process(caller())

    def crash():
        yield env.timeout(3.0)
        proc.interrupt("worker crashed")

    env.process(crash())
    env.run()
    assert log == [("interrupted", 3.0, "worker crashed"), ("served", 10.0)]


def test_a_call_with_nothing_to_wait_for_returns_at_once():
    env = simpy.Environment()
    rt = SimRuntime(env)

    def call():
        return "cached"
        yield  # a generator that never waits

    def caller():
        return (yield from rt.within(call(), 1.0))

    assert _run(env, caller()) == "cached"
    assert env.now == 1.0  # only the spent deadline timer was left to run


def _callers(env, guard, seed):
    """Callers arriving at random with calls of random length (some longer than their timeout), under
    two timeouts; each notes how its call ended and when. ``guard(call, seconds)`` is the mechanism
    under test."""
    import random

    rng, log = random.Random(seed), []

    def caller(i, length, seconds):
        try:
            value = yield from guard(_call(env, [], length, value=i), seconds)
            log.append((i, "answer", value, env.now))
        except TimeoutError:
            log.append((i, "timeout", None, env.now))

    def arrivals():
        for i in range(400):
            yield env.timeout(rng.expovariate(20.0))
            seconds = rng.choice((0.3, 1.0))
            env.process(caller(i, rng.expovariate(1 / 0.4), seconds))

    env.process(arrivals())
    env.run()
    return log


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_calls_time_out_exactly_as_with_a_timer_per_call(seed):
    """One timer per timeout value (``Deadlines``) against the plain reference: every call raced
    against its own timer in a process of its own."""
    def reference(env):
        def guard(call, seconds):
            running = env.process(call)
            yield env.any_of([running, env.timeout(seconds)])
            if not running.triggered:
                raise TimeoutError
            return running.value
        return guard

    env = simpy.Environment()
    expected = _callers(env, reference(env), seed)
    env = simpy.Environment()
    got = _callers(env, SimRuntime(env).within, seed)
    assert got == expected
    outcomes = {outcome for _, outcome, _, _ in got}
    assert outcomes == {"answer", "timeout"}  # both kinds occur, so the comparison says something
