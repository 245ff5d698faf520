"""The routing table: a snapshot compiled into what each LB node listener does with a new flow.

:func:`compile_routing` turns a :class:`~localnlb.common.snapshot.RoutingSnapshot` into one
:class:`ListenerPlan` per (LB node address, port, transport), so that the hot path does a dict
lookup and an index, nothing more. The rules it applies (reference §3.7, §0):

* Only ``active`` load balancers get nodes; each node listens on its AZ address on every listener
  port (TCP_UDP listeners on both transports).
* Candidates for a new flow: the target group's targets in the node's own AZ (or AZ ``all``), or
  in every enabled AZ when cross-zone is on (the TG's ``cross_zone`` "true"/"false" overrides the
  LB's setting). Draining and unused targets never get new flows.
* In service means ``healthy``. When no candidate is healthy (or the group has none) the node
  fails open: it sends to every candidate regardless of health (``initial``, ``unhealthy``), as
  an NLB does at its default routing-failover threshold of one healthy target, per zone when
  cross-zone is off and across zones when it is on.

What happens to flows already open is :mod:`localnlb.dataplane.verdicts`. Pure, no I/O.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from localnlb.common.snapshot import (
    ALL_ZONES,
    LbNodeRoute,
    ListenerRoute,
    LoadBalancerRoute,
    LoadBalancerState,
    Protocol,
    RoutingSnapshot,
    TargetGroupRoute,
    TargetRoute,
    TargetState,
)

TCP = "tcp"
UDP = "udp"
# Listener protocol -> the transports its LB node listens on.
TRANSPORTS: Mapping[Protocol, tuple[str, ...]] = {
    Protocol.TCP: (TCP,),
    Protocol.TLS: (TCP,),  # no TLS termination here: forwarded as TCP (documented limitation)
    Protocol.UDP: (UDP,),
    Protocol.TCP_UDP: (TCP, UDP),
}
NO_NEW_FLOWS = frozenset({TargetState.DRAINING, TargetState.UNUSED, TargetState.UNHEALTHY_DRAINING})

Binding = tuple[str, int, str]  # (LB node address, port, transport)
# Where a flow is pinned: (binding, target group ARN, target address). Both engines name flows by
# it, so that each new table can judge the flows the old ones sent (dataplane/verdicts.py).
PinKey = tuple[Binding, str, tuple[str, int]]


@dataclass(frozen=True, slots=True)
class ListenerPlan:
    load_balancer: LoadBalancerRoute
    node: LbNodeRoute
    listener: ListenerRoute
    transport: str
    target_group: TargetGroupRoute | None
    candidates: tuple[TargetRoute, ...]
    failing_open: bool
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None

    @property
    def binding(self) -> Binding:
        return (self.node.address, self.listener.port, self.transport)

    def admits(self, client_ip: str) -> bool:
        """Whether the LB's security groups let ``client_ip`` in (None: no groups, all in)."""
        if self.allowed_networks is None:
            return True
        address = ipaddress.ip_address(client_ip)
        return any(address in network for network in self.allowed_networks)

    @property
    def writes_into_stream(self) -> bool:
        """PROXY protocol v2: a header goes into the stream, so only a relaying node can serve
        it (the kernel engine leaves these listeners to the user-space nodes)."""
        return self.target_group is not None and self.target_group.proxy_protocol_v2

    def is_cross_zone(self, target: TargetRoute) -> bool:
        return target.availability_zone not in (self.node.availability_zone, ALL_ZONES)


@dataclass(frozen=True, slots=True)
class RoutingTable:
    version: int
    plans: Mapping[Binding, ListenerPlan] = field(default_factory=dict)
    # LB DNS name -> node addresses to publish (DNS failover: zones with a healthy target).
    dns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    node_addresses: frozenset[str] = frozenset()


def cross_zone_enabled(load_balancer: LoadBalancerRoute, target_group: TargetGroupRoute) -> bool:
    if target_group.cross_zone in ("true", "false"):
        return target_group.cross_zone == "true"
    return load_balancer.cross_zone


def candidates_for(
    *, load_balancer: LoadBalancerRoute, node: LbNodeRoute, target_group: TargetGroupRoute
) -> tuple[tuple[TargetRoute, ...], bool]:
    """The targets a node may send new flows to, and whether that is failing open."""
    enabled_zones = {n.availability_zone for n in load_balancer.nodes}
    if cross_zone_enabled(load_balancer, target_group):
        zones = enabled_zones
    else:
        zones = {node.availability_zone}
    pool = tuple(
        sorted(
            (
                t
                for t in target_group.targets
                if t.state not in NO_NEW_FLOWS
                and (t.availability_zone in zones or t.availability_zone == ALL_ZONES)
            ),
            key=lambda t: (t.address, t.port, t.id),
        )
    )
    healthy = tuple(t for t in pool if t.state is TargetState.HEALTHY)
    if healthy:
        return healthy, False
    return pool, True


def compile_routing(snapshot: RoutingSnapshot) -> RoutingTable:
    plans: dict[Binding, ListenerPlan] = {}
    dns: dict[str, tuple[str, ...]] = {}
    for lb in snapshot.load_balancers:
        if lb.state is not LoadBalancerState.ACTIVE:
            continue
        networks = (
            None
            if lb.allowed_source_cidrs is None
            else tuple(ipaddress.ip_network(c, strict=False) for c in lb.allowed_source_cidrs)
        )
        serving: list[str] = []
        for node in lb.nodes:
            node_serves = not lb.listeners
            for listener in lb.listeners:
                tg = (
                    snapshot.target_group(listener.target_group_arn)
                    if listener.target_group_arn
                    else None
                )
                candidates: tuple[TargetRoute, ...] = ()
                failing_open = True
                if tg is not None:
                    candidates, failing_open = candidates_for(
                        load_balancer=lb, node=node, target_group=tg
                    )
                node_serves = node_serves or not failing_open
                for transport in TRANSPORTS.get(listener.protocol, ()):
                    plan = ListenerPlan(
                        load_balancer=lb,
                        node=node,
                        listener=listener,
                        transport=transport,
                        target_group=tg,
                        candidates=candidates,
                        failing_open=failing_open,
                        allowed_networks=networks,
                    )
                    plans[plan.binding] = plan
            if node_serves:
                serving.append(node.address)
        # If every zone fails, DNS serves them all (reference §3.7, DNS failover).
        dns[lb.dns_name] = tuple(serving) or tuple(n.address for n in lb.nodes)
    nodes = frozenset(
        n.address
        for lb in snapshot.load_balancers
        if lb.state is LoadBalancerState.ACTIVE
        for n in lb.nodes
    )
    return RoutingTable(version=snapshot.version, plans=plans, dns=dns, node_addresses=nodes)
