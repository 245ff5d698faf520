"""Flow metrics per load balancer, target group, target and LB node zone.

Workers count in plain lists of ints (:class:`FlowCounters`): one lookup and a few additions at
flow start and end, never per packet. Bytes of long-lived flows are added when the counters are
exported (:meth:`FlowCounters.export` takes the in-flight bytes of open flows), so a scrape sees
them within an export period. Export is a plain dict, which worker processes send to the parent;
:class:`FlowMetricsCollector` sums what every worker last sent and serves it to prometheus-client.

Health-check result counters belong to the health checker, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Label values: load balancer name, target group name, target "ip:port", LB node zone.
Labels = tuple[str, str, str, str]
LABEL_NAMES = ("load_balancer", "target_group", "target", "availability_zone")

NEW, ACTIVE, BYTES_IN, BYTES_OUT, RESETS, CROSS_AZ_FLOWS, CROSS_AZ_BYTES = range(7)
_FIELDS = 7


@dataclass(frozen=True, slots=True)
class _Series:
    name: str
    help: str
    index: int
    gauge: bool = False


SERIES = (
    _Series("localnlb_flows_new", "New flows forwarded to a target", NEW),
    _Series("localnlb_flows_active", "Flows open to a target now", ACTIVE, gauge=True),
    _Series("localnlb_bytes_client_to_target", "Bytes from clients to the target", BYTES_IN),
    _Series("localnlb_bytes_target_to_client", "Bytes from the target to clients", BYTES_OUT),
    _Series("localnlb_flows_reset", "Flows ended with resets (by the LB or a peer)", RESETS),
    _Series(
        "localnlb_flows_cross_zone", "New flows sent to a target in another AZ", CROSS_AZ_FLOWS
    ),
    _Series("localnlb_bytes_cross_zone", "Bytes of flows to targets in another AZ", CROSS_AZ_BYTES),
)

Exported = dict[Labels, list[int]]
RejectedKey = tuple[str, str, str]  # load balancer, zone, reason
RejectedExport = dict[RejectedKey, int]


class FlowCounters:
    def __init__(self) -> None:
        self.per_target: dict[Labels, list[int]] = {}
        self.rejected: dict[RejectedKey, int] = {}

    def slot(self, labels: Labels) -> list[int]:
        slot = self.per_target.get(labels)
        if slot is None:
            slot = self.per_target[labels] = [0] * _FIELDS
        return slot

    def reject(self, load_balancer: str, zone: str, reason: str) -> None:
        key = (load_balancer, zone, reason)
        self.rejected[key] = self.rejected.get(key, 0) + 1

    def export(
        self, in_flight: Iterable[tuple[list[int], int, int, bool]] = ()
    ) -> tuple[Exported, RejectedExport]:
        """Counters plus the bytes open flows moved so far (slot, up, down, cross-zone)."""
        out = {labels: list(values) for labels, values in self.per_target.items()}
        by_slot = {id(values): out[labels] for labels, values in self.per_target.items()}
        for slot, up, down, cross in in_flight:
            values = by_slot.get(id(slot))
            if values is None:
                continue
            values[BYTES_IN] += up
            values[BYTES_OUT] += down
            if cross:
                values[CROSS_AZ_BYTES] += up + down
        return out, dict(self.rejected)


class FlowMetricsCollector(Collector):
    """Sums the latest export of every worker into Prometheus metric families."""

    def __init__(self, sources: Callable[[], Iterable[tuple[Exported, RejectedExport]]]) -> None:
        self._sources = sources

    def collect(self) -> Iterator[Metric]:
        totals: dict[Labels, list[int]] = {}
        rejected: dict[RejectedKey, int] = {}
        for per_target, worker_rejected in self._sources():
            for labels, values in per_target.items():
                total = totals.setdefault(labels, [0] * _FIELDS)
                for index, value in enumerate(values):
                    total[index] += value
            for key, count in worker_rejected.items():
                rejected[key] = rejected.get(key, 0) + count
        for series in SERIES:
            family: CounterMetricFamily | GaugeMetricFamily
            if series.gauge:
                family = GaugeMetricFamily(series.name, series.help, labels=LABEL_NAMES)
            else:
                family = CounterMetricFamily(series.name, series.help, labels=LABEL_NAMES)
            for labels, values in sorted(totals.items()):
                family.add_metric(list(labels), values[series.index])
            yield family
        rejected_family = CounterMetricFamily(
            "localnlb_flows_rejected",
            "New flows refused by an LB node (no target, source not allowed, ...)",
            labels=("load_balancer", "availability_zone", "reason"),
        )
        for key, count in sorted(rejected.items()):
            rejected_family.add_metric(list(key), count)
        yield rejected_family
