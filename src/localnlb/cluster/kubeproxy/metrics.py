"""kube-proxy's traffic counters: what each node's NodePorts forwarded, and how much crossed nodes.

In instance mode a load balancer sends to any node's NodePort, and with
``externalTrafficPolicy: Cluster`` that node may forward to a pod on another node: the extra hop.
These series make that hop visible per node, Service and port (``cross_node="true"``).

One :class:`ProxyMetrics` per registry, shared by every node's proxier in a process (the
``node`` label tells them apart); a registry is passed in, never the global one. Counting
happens at flow start and end only, never per packet, so bytes of a long flow appear when it
ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge

_FLOW_LABELS = ("node", "namespace", "service", "port", "protocol", "cross_node")
_PORT_LABELS = ("node", "namespace", "service", "port", "protocol")


@dataclass(frozen=True, slots=True)
class PortLabels:
    """Which node, Service and Service port a NodePort flow belongs to."""

    node: str
    namespace: str
    service: str
    port: str
    protocol: str

    def values(self) -> tuple[str, str, str, str, str]:
        return (self.node, self.namespace, self.service, self.port, self.protocol)


class ProxyMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.connections = Counter(
            "localnlb_kubeproxy_connections",
            "NodePort connections (TCP) or flows (UDP) forwarded to an endpoint",
            _FLOW_LABELS,
            registry=registry,
        )
        self.active = Gauge(
            "localnlb_kubeproxy_connections_active",
            "NodePort connections or flows open now",
            _FLOW_LABELS,
            registry=registry,
        )
        self.bytes = Counter(
            "localnlb_kubeproxy_bytes",
            "Bytes relayed by NodePort flows that ended (direction: to_endpoint, to_client)",
            (*_FLOW_LABELS, "direction"),
            registry=registry,
        )
        self.refused = Counter(
            "localnlb_kubeproxy_connections_refused",
            "NodePort connections refused because the Service had no usable endpoint here",
            _PORT_LABELS,
            registry=registry,
        )
        self.upstream_failed = Counter(
            "localnlb_kubeproxy_upstream_failures",
            "NodePort connections reset because the chosen endpoint refused or was unreachable",
            _FLOW_LABELS,
            registry=registry,
        )

    def flow_opened(self, labels: PortLabels, *, cross_node: bool) -> None:
        values = (*labels.values(), _flag(cross_node))
        self.connections.labels(*values).inc()
        self.active.labels(*values).inc()

    def flow_closed(
        self,
        labels: PortLabels,
        *,
        cross_node: bool,
        to_endpoint: int,
        to_client: int,
        upstream_failed: bool = False,
    ) -> None:
        values = (*labels.values(), _flag(cross_node))
        self.active.labels(*values).dec()
        if to_endpoint:
            self.bytes.labels(*values, "to_endpoint").inc(to_endpoint)
        if to_client:
            self.bytes.labels(*values, "to_client").inc(to_client)
        if upstream_failed:
            self.upstream_failed.labels(*values).inc()

    def flow_refused(self, labels: PortLabels) -> None:
        self.refused.labels(*labels.values()).inc()


def _flag(value: bool) -> str:
    return "true" if value else "false"
