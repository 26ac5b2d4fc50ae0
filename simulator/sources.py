"""Several systems of record for one concept (the transparency service's world).

When an architecture includes ``transparency``, each name in ``patterns.transparency.sources`` is
its own simulated system: its own share of the customers (source ``i`` of ``n`` holds the
normalized ids ``k`` with ``k % n == i``, as its local records ``k // n``), its own change
process (``erp.update_rate`` split evenly), its own capacity, latencies and API format. The
formats go round-robin: ``sap`` (the plain ERP), ``crm``, ``legacy``; a profile per format makes
them differ in speed too (a SaaS CRM far away on the network, a slow legacy system).

``Federation`` is the truth the metrics judge against: it answers "what is the newest version of
customer k?" by asking the system that owns k, and it runs the inserts, so that new customers
are numbered densely and each lands on the system that owns its number.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator
from typing import Any

import simpy

from patterns.drivers import DRIVERS, ErpDriver, FederatedDriver, driver_for
from patterns.integration import Credentials, Route
from patterns.ports import Endpoint, Reply, Subscription, Table
from simulator.distributions import streams
from simulator.erp import DETAIL_GROUP, SUMMARY_GROUP, Erp, ErpObserver

FORMATS = ("sap", "crm", "legacy")
# Per format: (network latency factor, service time factor) applied to the scenario's ERP.
PROFILES = {"sap": (1.0, 1.0), "crm": (4.0, 0.8), "legacy": (1.0, 2.5)}


class Format:
    """How one system writes records at its API: its driver's field names and value converters, run
    the other way (the driver reads what this writes, so the two cannot drift apart)."""

    def __init__(self, driver: type[FederatedDriver]):
        self.name = driver.format
        self.names: dict[str, str] = {}  # ERP field -> this system's field
        self.out: dict[str, Callable[[Any], Any]] = {}  # ERP value -> this system's value
        self.into: dict[str, Callable[[Any], Any]] = {}  # this system's value -> ERP value
        for ours, theirs, customer_ids in ((ErpDriver.summary_map, driver.summary_map, "id"),
                                           (ErpDriver.detail_map, driver.detail_map, "id"),
                                           (ErpDriver.contract_map, driver.contract_map, "customer_id")):
            for field, erp_name in ours.items():
                self.names[erp_name] = theirs[field]
                if field == customer_ids:
                    self.out[erp_name] = driver.local_id
                elif field in driver.outgoing:
                    self.out[erp_name], self.into[erp_name] = driver.outgoing[field], driver.incoming[field]
        self.key_out, self.key_in = driver.local_id, driver.parse_id
        self.back = {v: k for k, v in self.names.items()}
        self._layouts: dict[tuple[str, ...], tuple[tuple[str, ...], list[Callable[[Any], Any] | None]]] = {}

    def table(self, table: Table) -> Table:
        layout = self._layouts.get(table.fields)
        if layout is None:
            fields = tuple(self.names[f] for f in table.fields)
            layout = self._layouts[table.fields] = (fields, [self.out.get(f) for f in table.fields])
        fields, convert = layout
        rows = [tuple(v if c is None else c(v) for c, v in zip(convert, row, strict=True)) for row in table.rows]
        return Table(fields, rows)

    def values_in(self, values: dict[str, Any]) -> dict[str, Any]:
        """Field names and values written in this format, back in the ERP's terms."""
        mapped = {}
        for field, value in values.items():
            own = self.back.get(field, field)
            convert = self.into.get(own)
            mapped[own] = convert(value) if convert else value
        return mapped


class FormattedErp(Erp):
    """A simulated system that speaks its own format at the API; its truth stays the ERP's."""

    def __init__(self, env: simpy.Environment, scenario: dict[str, Any], seed: int, observer: ErpObserver,
                 name: str, fmt: Format):
        super().__init__(env, scenario, seed, observer, name=name)
        self.fmt = fmt
        self.format = fmt.name

    def _call(self, op: str, token: str | None, answer: Callable[[], Reply]) -> Generator[Any, Any, Reply]:
        fmt = self.fmt

        def formatted() -> Reply:
            reply = answer()
            if reply.ok and isinstance(reply.data, Table):
                reply.data = fmt.table(reply.data)
            elif reply.ok and op == "timestamp":
                reply.data = fmt.out["AEDAT"](reply.data)
            return reply
        return (yield from super()._call(op, token, formatted))

    def subscribe(self, endpoint: Endpoint) -> Subscription:
        """Callbacks name the changed record by this system's own id (and carry it in this format)."""
        key_out, table = self.fmt.key_out, self.fmt.table
        return super().subscribe(lambda n: endpoint(n._replace(
            key=key_out(n.key), record=None if n.record is None else table(n.record))))

    def _key(self, raw: Any) -> int:
        try:
            return self.fmt.key_in(raw)
        except (AttributeError, TypeError, ValueError):
            return -1  # unknown id: the ERP answers NOT_FOUND

    def search(self, token: str, criteria: dict[str, str], offset: int, limit: int) -> Generator[Any, Any, Reply]:
        return (yield from super().search(token, self.fmt.values_in(criteria), offset, limit))

    def read(self, token: str, key: Any) -> Generator[Any, Any, Reply]:
        return (yield from super().read(token, self._key(key)))

    def read_detail(self, token: str, key: Any) -> Generator[Any, Any, Reply]:
        return (yield from super().read_detail(token, self._key(key)))

    def last_update(self, token: str, key: Any) -> Generator[Any, Any, Reply]:
        return (yield from super().last_update(token, self._key(key)))

    def update(self, token: str, key: Any, values: dict[str, Any]) -> Generator[Any, Any, Reply]:
        return (yield from super().update(token, self._key(key), self.fmt.values_in(values)))


class _GroupHistory:
    """One field group's change history, addressed by normalized key, kept by the owning system."""

    def __init__(self, federation: Federation, group: str):
        self.federation, self.group = federation, group

    def get(self, k: int, default: Any = None) -> Any:
        source, local = self.federation.locate(k)
        return source.history[self.group].get(local, default)


class _GroupNewest:
    """One field group's newest version per normalized key, as the owning system keeps it (``Metrics.reads``)."""

    def __init__(self, federation: Federation, group: str):
        self.federation, self.group = federation, group

    def __getitem__(self, k: int) -> int:
        source, local = self.federation.locate(k)
        return source.newest[self.group][local]

    def __len__(self) -> int:
        return self.federation.count


class Federation:
    """Several systems seen as one truth: normalized keys, each judged by the system that owns it."""

    def __init__(self, env: simpy.Environment, sources: list[Erp], insert_rate: float, seed: int):
        self.env, self.sources, self.n = env, sources, len(sources)
        self.insert_rate = insert_rate
        self.rng = streams(seed, "federation:inserts")["federation:inserts"]
        self.history = {group: _GroupHistory(self, group) for group in (SUMMARY_GROUP, DETAIL_GROUP)}
        self.newest = {group: _GroupNewest(self, group) for group in (SUMMARY_GROUP, DETAIL_GROUP)}

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sources)

    @property
    def changes_made(self) -> int:
        return sum(s.changes_made for s in self.sources)

    def locate(self, k: int) -> tuple[Erp, int]:
        return self.sources[k % self.n], k // self.n

    def city_of(self, k: int) -> str:
        source, local = self.locate(k)
        return source.city_of(local)

    def summary_row(self, k: int) -> tuple[Any, ...]:
        source, local = self.locate(k)
        return (k, *source.summary_row(local)[1:])

    def staleness(self, group: str, k: int, version: int, now: float) -> float:
        source, local = self.locate(k)
        return source.staleness(group, local, version, now)

    def summary(self, k: int) -> tuple[Any, ...]:
        source, local = self.locate(k)
        return (k, *source.summary(local)[1:])

    def changes_after(self, group: str, k: int, version: int) -> int:
        source, local = self.locate(k)
        return source.changes_after(group, local, version)

    def change_process(self, horizon: float) -> Generator[Any, Any, None]:
        """Every system's own changes, and inserts: customer ``count`` goes to the system that owns it."""
        for source in self.sources:
            self.env.process(source.change_process(horizon))
        if self.insert_rate <= 0:
            return
        while True:
            yield self.env.timeout(self.rng.expovariate(self.insert_rate))
            if self.env.now >= horizon:
                return
            self.sources[self.count % self.n].insert()


def _scaled(spec: dict[str, Any], factor: float) -> dict[str, Any]:
    return {k: (v * factor if k in ("mean_ms", "low_ms", "high_ms") else v) for k, v in spec.items()}


def build_sources(env: simpy.Environment, scenario: dict[str, Any], seed: int, observer: ErpObserver,
                  ids: list[str]) -> tuple[Any, dict[str, Erp]]:
    """The system(s) of record for one run: the truth to judge reads by, and the sources by name."""
    if "transparency" not in ids:
        erp = Erp(env, scenario, seed, observer)
        return erp, {erp.name: erp}
    names = scenario["patterns"]["transparency"]["sources"]
    n, total = len(names), scenario["data"]["customers"]
    sources: list[Erp] = []
    for i, name in enumerate(names):
        fmt = FORMATS[i % len(FORMATS)]
        network, service = PROFILES[fmt]
        own = copy.deepcopy(scenario)
        own["data"]["customers"] = max(1, len(range(i, total, n)))
        own["erp"]["update_rate"] = scenario["erp"]["update_rate"] / n
        own["erp"]["insert_rate"] = 0.0  # the federation numbers and places new customers
        own["erp"]["network_latency"] = _scaled(scenario["erp"]["network_latency"], network)
        own["erp"]["service"] = {op: _scaled(spec, service) for op, spec in scenario["erp"]["service"].items()}
        source_seed = seed * 1009 + i  # each system its own data
        if fmt == "sap":
            source = Erp(env, own, source_seed, observer, name=name)
            source.format = "sap"
        else:
            source = FormattedErp(env, own, source_seed, observer, name, Format(DRIVERS[fmt]))
        sources.append(source)
    return Federation(env, sources, scenario["erp"]["insert_rate"], seed), {s.name: s for s in sources}


def routes(sources: dict[str, Erp], secret: str) -> list[Route]:
    """One route per source: its driver (by format and position) and its own credentials."""
    if len(sources) == 1:
        erp = next(iter(sources.values()))
        return [Route(erp, ErpDriver(), Credentials(erp, "patternsim", secret))]
    n = len(sources)
    return [Route(s, driver_for(getattr(s, "format", "sap"), i, n), Credentials(s, "patternsim", secret))
            for i, s in enumerate(sources.values())]
