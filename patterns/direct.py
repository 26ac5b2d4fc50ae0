"""Direct integration: every read goes to the system of record through the Integration Service.

No local copy at all (a rule may forbid replicas, or the data changes too often for any delay):
always current, but every read costs a source call and its latency.
"""

from __future__ import annotations

from patterns.pattern import ANY, Context, Pattern


class Direct(Pattern):
    """No replica: the baseline every other architecture is compared with."""

    id = "direct"
    axis = "summary"
    title = "Direct integration"
    description = "Every read and write goes straight to the system of record; nothing is kept locally."
    advantages = ("Data is always current",)
    disadvantages = ("Every read loads the system of record", "Consumers wait for the round trip",
                     "A new retrieval need means a new source API")
    conflicts = {ANY: "direct keeps no local copy, {other} does; pick one"}

    def install(self, ctx: Context) -> None:
        pass  # the Core Service's defaults are already direct (core_service.DirectSummary, DirectDetail)
