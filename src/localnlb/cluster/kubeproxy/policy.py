"""kube-proxy's decision for each new NodePort connection, plugged into the generic relays.

Per new TCP connection (or new UDP flow), :class:`NodePortForwarding` looks up the *current*
rule for the NodePort (so an ``apply`` with new endpoints takes effect for the next connection,
without rebinding) and:

- refuses when the rule has no endpoint (the relay resets the client, as kube-proxy's REJECT
  rule does for a Service without endpoints);
- picks one endpoint at random, each equally likely (iptables mode's ``statistic --mode random``
  chain);
- picks the upstream source address: ``externalTrafficPolicy: Cluster`` masquerades to the
  node's IP (SNAT: the pod sees the node, and the endpoint may sit on another node — the extra
  hop); ``Local`` keeps the client's IP (every 127/8 address is local, so the upstream socket is
  bound to the client's IP, any port: the pod sees the client's address, not its port);
- counts the connection, and whether it crosses nodes, at its start and end.

Established flows never look at the table again: a rule change or removal leaves them running,
as conntrack keeps established connections when kube-proxy rewrites its rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Mapping
from dataclasses import dataclass

from localnlb.cluster.kubeproxy.metrics import PortLabels, ProxyMetrics
from localnlb.cluster.kubeproxy.rules import Endpoint, NodePortRule
from localnlb.common.forwarding.tcp import FlowEnd, TcpFlow, UpstreamPlan
from localnlb.common.forwarding.udp import UdpFlow, UdpUpstreamPlan

RuleKey = tuple[str, int]  # (protocol, node port)
CONNECT_TIMEOUT = 10.0
UDP_IDLE_TIMEOUT = 120.0  # conntrack's nf_conntrack_udp_timeout_stream


def rule_key(rule: NodePortRule) -> RuleKey:
    return (rule.protocol, rule.node_port)


@dataclass(frozen=True, slots=True)
class FlowRecord:
    """What a flow was counted as when it opened, so its end is counted alike."""

    labels: PortLabels
    endpoint: Endpoint
    source_ip: str
    cross_node: bool


class NodePortForwarding:
    """The node's current NodePort rules, its open TCP flows and the choices for new flows."""

    def __init__(
        self,
        *,
        node_name: str,
        node_ip: str,
        metrics: ProxyMetrics,
        rng: random.Random | None = None,
    ) -> None:
        self.node_name = node_name
        self.node_ip = node_ip
        self.metrics = metrics
        self.rules: Mapping[RuleKey, NodePortRule] = {}
        self.open_tcp: set[TcpFlow] = set()
        self._rng = rng or random.Random()
        self._drained: asyncio.Event | None = None

    def pick(self, key: RuleKey, client: tuple[str, int]) -> FlowRecord | None:
        rule = self.rules.get(key)
        if rule is None:  # the listener is going away
            return None
        labels = PortLabels(
            self.node_name, rule.namespace, rule.service, rule.port_name, rule.protocol
        )
        if not rule.endpoints:
            self.metrics.flow_refused(labels)
            return None
        endpoint = self._rng.choice(rule.endpoints)
        cross_node = endpoint.node_name != self.node_name
        source_ip = client[0] if rule.local_only else self.node_ip
        self.metrics.flow_opened(labels, cross_node=cross_node)
        return FlowRecord(labels, endpoint, source_ip, cross_node)

    def ended(self, record: FlowRecord, *, to_endpoint: int, to_client: int, failed: bool) -> None:
        self.metrics.flow_closed(
            record.labels,
            cross_node=record.cross_node,
            to_endpoint=to_endpoint,
            to_client=to_client,
            upstream_failed=failed,
        )

    # -- draining on stop --------------------------------------------------------------------

    def untrack(self, flow: TcpFlow) -> None:
        self.open_tcp.discard(flow)
        if not self.open_tcp and self._drained is not None:
            self._drained.set()

    async def drain(self, grace: float) -> None:
        """Wait up to ``grace`` seconds for open TCP flows to end, then reset the rest."""
        if self.open_tcp and grace > 0:
            self._drained = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), grace)
        for flow in list(self.open_tcp):
            flow.reset("kube-proxy stopping")


class TcpNodePortPolicy:
    def __init__(self, forwarding: NodePortForwarding, key: RuleKey) -> None:
        self._forwarding = forwarding
        self._key = key

    def open_flow(self, flow: TcpFlow) -> UpstreamPlan | None:
        record = self._forwarding.pick(self._key, flow.client)
        if record is None:
            return None
        flow.tag = record
        self._forwarding.open_tcp.add(flow)
        return UpstreamPlan(
            address=(record.endpoint.address, record.endpoint.port),
            source_ip=record.source_ip,
            connect_timeout=CONNECT_TIMEOUT,
        )

    def flow_closed(self, flow: TcpFlow) -> None:
        record: FlowRecord | None = flow.tag
        if record is None:  # refused
            return
        self._forwarding.ended(
            record,
            to_endpoint=flow.bytes_up,
            to_client=flow.bytes_down,
            failed=flow.end is FlowEnd.UPSTREAM_FAILED,
        )
        self._forwarding.untrack(flow)


class UdpNodePortPolicy:
    def __init__(self, forwarding: NodePortForwarding, key: RuleKey) -> None:
        self._forwarding = forwarding
        self._key = key

    def open_flow(self, flow: UdpFlow) -> UdpUpstreamPlan | None:
        record = self._forwarding.pick(self._key, flow.client)
        if record is None:
            return None
        flow.tag = record
        return UdpUpstreamPlan(
            address=(record.endpoint.address, record.endpoint.port),
            source_ip=record.source_ip,
            idle_timeout=UDP_IDLE_TIMEOUT,
        )

    def flow_closed(self, flow: UdpFlow) -> None:
        record: FlowRecord | None = flow.tag
        if record is not None:
            self._forwarding.ended(
                record,
                to_endpoint=flow.bytes_up,
                to_client=flow.bytes_down,
                failed=flow.reset_reason == "upstream unreachable",
            )
