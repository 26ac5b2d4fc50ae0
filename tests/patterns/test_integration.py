"""The Integration Service's canvas duties: roles, credentials, mapping, audit, errors."""

from __future__ import annotations

import json

import pytest

from patterns.integration import InvalidInput, NotAuthorized, NotFound, SourceRejected, SourceUnavailable
from patterns.ports import Caller, Customer, CustomerDetail
from simulator.run import CLIENT_SECRET
from tests.conftest import World, small_scenario

READER = Caller("reader", frozenset({"customers.read"}))
NOBODY = Caller("intruder", frozenset())


def test_a_caller_without_the_role_is_refused_before_any_erp_call(world):
    with pytest.raises(NotAuthorized, match="intruder may not read"):
        world.call(world.integration.get_customer(NOBODY, 1))
    with pytest.raises(NotAuthorized, match="customers.write"):
        world.call(world.integration.update(READER, 1, {"segment": "retail"}))
    assert world.erp.calls == 0
    assert [row["outcome"] for row in world.store.audit_rows()] == ["denied", "denied"]


def test_outputs_are_normalized_records_with_version(world):
    customer = world.call(world.integration.get_customer(READER, 3))
    detail = world.call(world.integration.get_detail(READER, 3))
    assert isinstance(customer, Customer) and isinstance(detail, CustomerDetail)
    assert customer.id == detail.id == 3 and customer.version == 1
    assert customer.city == world.erp.city_of(3)


def test_inputs_are_validated_before_the_source_is_called(world):
    for bad in (-1, "7", 2.5, True):
        with pytest.raises(InvalidInput):
            world.call(world.integration.get_customer(READER, bad))
    with pytest.raises(InvalidInput):
        world.call(world.integration.search(READER, {"name": "x"}, 0, 10))
    with pytest.raises(InvalidInput):
        world.call(world.integration.search(READER, {"city": "x"}, 0, 100_000))
    assert world.erp.calls == 0


def test_error_replies_become_exceptions(world):
    with pytest.raises(NotFound):
        world.call(world.integration.get_customer(READER, 10**6))
    writer = Caller("w", frozenset({"customers.write"}))
    with pytest.raises(SourceRejected, match="unknown segment"):
        world.call(world.integration.update(writer, 1, {"segment": "galactic"}))


def test_an_outage_is_source_unavailable():
    world = World(small_scenario(**{"erp.outages": [{"start": 0.0, "duration": 100.0}]}))
    with pytest.raises(SourceUnavailable):
        world.call(world.integration.get_customer(READER, 1))


def test_credentials_expire_and_are_refreshed_and_never_written_down():
    world = World(small_scenario(**{"erp.token_ttl": 60.0}))
    for gap in (10, 70, 10, 70, 1):  # the token lives 60 s: calls 3 and 5 find it expired
        world.call(world.integration.get_customer(READER, 1))
        world.env.run(until=world.env.now + gap)
    assert world.credentials.refreshes == 3
    assert world.erp.calls == 5 + 3
    trail = json.dumps(world.store.audit_rows())
    assert CLIENT_SECRET not in trail and "tok-" not in trail
    assert CLIENT_SECRET not in repr(world.credentials)


def test_a_token_the_erp_no_longer_accepts_is_refreshed_once(world):
    world.call(world.integration.get_customer(READER, 1))
    world.erp._tokens.clear()  # the ERP restarted and forgot every session
    assert world.call(world.integration.get_customer(READER, 2)).id == 2
    assert world.credentials.refreshes == 2
