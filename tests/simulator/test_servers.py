"""Servers: c servers, one FIFO line, and a waiting call that goes away gives its turn on."""

import simpy

from simulator.servers import Servers


def _call(env, servers, name, service, log):
    turn = servers.acquire()
    if turn is not None:
        try:
            yield turn
        except simpy.Interrupt:
            servers.abandon(turn)
            log.append((name, "left", env.now))
            return
    log.append((name, "start", env.now))
    try:
        yield env.timeout(service)
    finally:
        servers.release()


def test_two_servers_serve_in_arrival_order_and_the_third_call_waits_for_the_first_free():
    env, log = simpy.Environment(), []
    servers = Servers(env, 2)
    for name, service in (("a", 3.0), ("b", 1.0), ("c", 1.0), ("d", 1.0)):
        env.process(_call(env, servers, name, service, log))
    env.run()
    assert log == [("a", "start", 0.0), ("b", "start", 0.0), ("c", "start", 1.0), ("d", "start", 2.0)]
    assert servers.busy == 0


def test_a_call_that_leaves_the_line_does_not_hold_a_server():
    env, log = simpy.Environment(), []
    servers = Servers(env, 1)
    env.process(_call(env, servers, "a", 2.0, log))
    b = env.process(_call(env, servers, "b", 1.0, log))
    env.process(_call(env, servers, "c", 1.0, log))

    def impatient():
        yield env.timeout(1.0)
        b.interrupt()

    env.process(impatient())
    env.run()
    assert log == [("a", "start", 0.0), ("b", "left", 1.0), ("c", "start", 2.0)]
    assert servers.busy == 0


def test_a_call_handed_a_server_as_it_leaves_passes_the_server_on():
    env, log = simpy.Environment(), []
    servers = Servers(env, 1)
    env.process(_call(env, servers, "a", 1.0, log))
    b = env.process(_call(env, servers, "b", 1.0, log))
    env.process(_call(env, servers, "c", 1.0, log))

    def impatient():  # at t = 1, after a's release handed b the server but before b resumed
        yield env.timeout(1.0)
        b.interrupt()

    env.process(impatient())
    env.run()
    assert ("b", "left", 1.0) in log
    assert ("c", "start", 1.0) in log
    assert servers.busy == 0
