"""Traffic counters from the Prometheus endpoints, and rates computed from them.

Two sources, both Prometheus text: the data plane's per-target flow counters (labels
``load_balancer``, ``target_group``, ``target`` = ``ip:port``, ``availability_zone`` of the LB
node) and kube-proxy's per-node NodePort counters (labels ``node``, ``namespace``, ``service``,
``port`` = the Service port's name, ``cross_node``). Parsing is prometheus-client's own parser.

Rates are deltas of counters over a sliding window (:class:`TrafficHistory`), so one ``curl``
lights its path for the window's length rather than for a single scrape. A counter that went
down (its process restarted) counts from zero. A source's first scrape is its baseline (what it
counted before the dashboard looked is not a burst of traffic), a failed scrape adds nothing,
and a source unread for a whole window has no rates. Time is always passed in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from prometheus_client.parser import text_string_to_metric_families

RATE_WINDOW_SECONDS = 5.0

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class LbTargetKey:
    load_balancer: str
    target_group: str
    target: str  # "ip:port"
    zone: str  # the LB node's zone


@dataclass(frozen=True, slots=True)
class ProxyKey:
    node: str
    namespace: str
    service: str
    port_name: str
    cross_node: bool


@dataclass(frozen=True, slots=True)
class Counters:
    flows: float = 0.0
    bytes: float = 0.0
    active: float = 0.0


@dataclass(frozen=True, slots=True)
class TrafficSample:
    """One scrape of both sources; ``None`` for a source that could not be read this time."""

    at: float
    lb: Mapping[LbTargetKey, Counters] | None = None
    proxy: Mapping[ProxyKey, Counters] | None = None


@dataclass(frozen=True, slots=True)
class Rate:
    flows_per_second: float = 0.0
    bytes_per_second: float = 0.0
    active: int = 0
    last_flow_at: float | None = None

    @property
    def lit(self) -> bool:
        return self.flows_per_second > 0 or self.bytes_per_second > 0 or self.active > 0


@dataclass(frozen=True, slots=True)
class TrafficRates:
    lb: Mapping[LbTargetKey, Rate] = field(default_factory=dict)
    proxy: Mapping[ProxyKey, Rate] = field(default_factory=dict)


_DATAPLANE_FIELDS = {
    "localnlb_flows_new_total": "flows",
    "localnlb_bytes_client_to_target_total": "bytes",
    "localnlb_bytes_target_to_client_total": "bytes",
    "localnlb_flows_active": "active",
}
_KUBEPROXY_FIELDS = {
    "localnlb_kubeproxy_connections_total": "flows",
    "localnlb_kubeproxy_bytes_total": "bytes",
    "localnlb_kubeproxy_connections_active": "active",
}


def _counters(
    text: str, fields: Mapping[str, str], key_of: Callable[[Mapping[str, str]], K]
) -> dict[K, Counters]:
    """Sum the samples named in ``fields`` into the Counters field it names, per ``key_of``."""
    found: dict[K, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            which = fields.get(sample.name)
            if which is None:
                continue
            totals = found.setdefault(key_of(sample.labels), {})
            totals[which] = totals.get(which, 0.0) + sample.value
    return {key: Counters(**values) for key, values in found.items()}


def _lb_target_key(labels: Mapping[str, str]) -> LbTargetKey:
    return LbTargetKey(
        load_balancer=labels.get("load_balancer", ""),
        target_group=labels.get("target_group", ""),
        target=labels.get("target", ""),
        zone=labels.get("availability_zone", ""),
    )


def _proxy_key(labels: Mapping[str, str]) -> ProxyKey:
    return ProxyKey(
        node=labels.get("node", ""),
        namespace=labels.get("namespace", ""),
        service=labels.get("service", ""),
        port_name=labels.get("port", ""),
        cross_node=labels.get("cross_node") == "true",
    )


def parse_dataplane(text: str) -> dict[LbTargetKey, Counters]:
    return _counters(text, _DATAPLANE_FIELDS, _lb_target_key)


def parse_kubeproxy(text: str) -> dict[ProxyKey, Counters]:
    return _counters(text, _KUBEPROXY_FIELDS, _proxy_key)


class _Series(Generic[K]):
    """One source's successful scrapes over the window (a failed scrape adds nothing)."""

    def __init__(self, window: float) -> None:
        self.window = window
        self.samples: deque[tuple[float, Mapping[K, Counters]]] = deque()
        self.last_flow: dict[K, float] = {}

    def add(self, at: float, counters: Mapping[K, Counters]) -> None:
        if self.samples:  # the first scrape is the baseline: its counters are not new flows
            _note_new_flows(self.samples[-1][1], counters, at, self.last_flow)
        self.samples.append((at, counters))
        # Keep one sample at or before the window's start, so the window is always covered.
        while len(self.samples) > 2 and self.samples[1][0] <= at - self.window:
            self.samples.popleft()

    def rates(self, now: float) -> dict[K, Rate]:
        if not self.samples or self.samples[-1][0] < now - self.window:
            return {}  # nothing scraped lately: no rates rather than stale ones
        (then, before), (newest, after) = self.samples[0], self.samples[-1]
        return _rates(before, after, newest - then, self.last_flow)


class TrafficHistory:
    """Both sources' samples over the last window, and when each series last saw a new flow."""

    def __init__(self, window: float = RATE_WINDOW_SECONDS) -> None:
        self.window = window
        self._lb: _Series[LbTargetKey] = _Series(window)
        self._proxy: _Series[ProxyKey] = _Series(window)
        self._now = 0.0

    def add(self, sample: TrafficSample) -> None:
        self._now = max(self._now, sample.at)
        if sample.lb is not None:
            self._lb.add(sample.at, sample.lb)
        if sample.proxy is not None:
            self._proxy.add(sample.at, sample.proxy)

    def rates(self) -> TrafficRates:
        return TrafficRates(lb=self._lb.rates(self._now), proxy=self._proxy.rates(self._now))


def _note_new_flows(
    before: Mapping[K, Counters], after: Mapping[K, Counters], at: float, last: dict[K, float]
) -> None:
    for key, now in after.items():
        then = before.get(key)
        changed = then is None or now.flows != then.flows or now.bytes != then.bytes
        if changed and (now.flows or now.bytes):
            last[key] = at


def _delta(now: float, then: float) -> float:
    return now - then if now >= then else now  # a restarted process counts from zero


def _rates(
    before: Mapping[K, Counters], after: Mapping[K, Counters], span: float, last: Mapping[K, float]
) -> dict[K, Rate]:
    out: dict[K, Rate] = {}
    for key, now in after.items():
        then = before.get(key, Counters())
        flows = _delta(now.flows, then.flows)
        moved = _delta(now.bytes, then.bytes)
        out[key] = Rate(
            flows_per_second=flows / span if span > 0 else 0.0,
            bytes_per_second=moved / span if span > 0 else 0.0,
            active=int(now.active),
            last_flow_at=last.get(key),
        )
    return out
