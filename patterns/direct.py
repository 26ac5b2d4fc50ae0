"""Direct integration: every read goes to the system of record through the Integration Service.

No local copy at all (a rule may forbid replicas, or the data changes too often for any delay):
always current, but every read costs a source call and its latency.
"""

from __future__ import annotations

from patterns.integration import IntegrationService
from patterns.pattern import Context, Pattern
from patterns.ports import Caller, Step


class DirectSummary:
    """List and get answered by the source (search and read calls)."""

    def __init__(self, integration: IntegrationService):
        self.integration = integration

    def list(self, caller: Caller, criteria: dict[str, str], offset: int, limit: int) -> Step:
        return (yield from self.integration.search(caller, criteria, offset, limit))

    def get(self, caller: Caller, key: int) -> Step:
        return (yield from self.integration.get_customer(caller, key))


class DirectDetail:
    """Details fetched from the source on every request."""

    def __init__(self, integration: IntegrationService):
        self.integration = integration

    def get(self, caller: Caller, key: int) -> Step:
        return (yield from self.integration.get_detail(caller, key))


class Direct(Pattern):
    """No replica: the baseline every other architecture is compared with."""

    id = "direct"
    axis = "summary"
    title = "Direct integration"
    summary = "Every read and write goes straight to the system of record; nothing is kept locally."
    advantages = ("Data is always current",)
    disadvantages = ("Every read loads the system of record", "Consumers wait for the round trip",
                     "A new retrieval need means a new source API")

    def install(self, ctx: Context) -> None:
        pass  # the Core Service's defaults are already direct
