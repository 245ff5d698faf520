"""Build the scene: (routing snapshot, cluster view, traffic rates, timeline, time) → Scene.

A pure function: load balancers with their LB nodes, listeners and target groups (each target
with its health and what it is in the cluster, see :mod:`localnlb.web.anchors`), nodes with
NodePorts and pods, and the traffic paths with their rates (:mod:`localnlb.web.paths`).
"""

from __future__ import annotations

from localnlb.common.snapshot import (
    ALL_ZONES,
    LoadBalancerRoute,
    Protocol,
    RoutingSnapshot,
    TargetGroupRoute,
)
from localnlb.elbv2.model.target_health import DESCRIPTIONS, TargetHealthReason
from localnlb.web.anchors import (
    Resolver,
    lb_node_anchor,
    node_anchor,
    node_order,
    node_port_anchor,
    pod_anchor,
)
from localnlb.web.cluster_view import ClusterView, NodeView, PodView
from localnlb.web.paths import lb_edges, proxy_edges
from localnlb.web.scene import (
    EdgeScene,
    LbNodeScene,
    ListenerScene,
    LoadBalancerScene,
    NodePortScene,
    NodeScene,
    PodScene,
    Scene,
    SourceStatus,
    TargetGroupScene,
    TargetScene,
    TimelineEntry,
)
from localnlb.web.traffic import RATE_WINDOW_SECONDS, TrafficRates


def build_scene(
    *,
    snapshot: RoutingSnapshot | None,
    cluster: ClusterView,
    rates: TrafficRates,
    timeline: tuple[TimelineEntry, ...] = (),
    sources: tuple[SourceStatus, ...] = (),
    now: float,
    rate_window: float = RATE_WINDOW_SECONDS,
) -> Scene:
    resolver = Resolver(cluster)
    load_balancers = () if snapshot is None else tuple(snapshot.load_balancers)
    lb_scenes: list[LoadBalancerScene] = []
    edges: list[EdgeScene] = []
    instance_ports: set[tuple[str, int]] = set()  # (node, NodePort) an instance TG targets
    for lb in sorted(load_balancers, key=lambda each: each.name):
        groups = _target_groups_of(lb, snapshot)
        lb_scenes.append(_load_balancer_scene(lb, groups, resolver))
        for group in groups:
            edges += lb_edges(lb, group, resolver, rates)
            if group.target_type == "instance":
                instance_ports |= resolver.node_ports_of(group)
    edges += proxy_edges(cluster, resolver, rates, instance_ports)
    zones = {n.zone for n in cluster.nodes} | {
        node.availability_zone for lb in load_balancers for node in lb.nodes
    }
    return Scene(
        generated_at=now,
        sources=sources,
        zones=tuple(sorted(z for z in zones if z and z != ALL_ZONES)),
        nodes=tuple(_node_scene(n, cluster) for n in sorted(cluster.nodes, key=node_order)),
        unscheduled_pods=_unscheduled(cluster),
        load_balancers=tuple(lb_scenes),
        edges=tuple(edges),
        timeline=timeline,
        rate_window_seconds=rate_window,
    )


def _target_groups_of(
    lb: LoadBalancerRoute, snapshot: RoutingSnapshot | None
) -> list[TargetGroupRoute]:
    groups: dict[str, TargetGroupRoute] = {}
    for listener in lb.listeners:
        if snapshot is None or listener.target_group_arn is None:
            continue
        group = snapshot.target_group(listener.target_group_arn)
        if group is not None:
            groups.setdefault(group.arn, group)
    return list(groups.values())


def _description(reason: str | None) -> str | None:
    try:
        text = DESCRIPTIONS[TargetHealthReason(reason)] if reason else None
    except ValueError:
        return None
    return None if text is None or "{" in text else text


def _health_check_text(group: TargetGroupRoute) -> str:
    check = group.health_check
    where = check.port if check.port == "traffic-port" else f"port {check.port}"
    path = f" {check.path}" if check.protocol is not Protocol.TCP and check.path else ""
    return (
        f"{check.protocol}{path} on {where} every {check.interval_seconds}s, "
        f"healthy after {check.healthy_threshold}, unhealthy after {check.unhealthy_threshold}"
    )


def _load_balancer_scene(
    lb: LoadBalancerRoute, groups: list[TargetGroupRoute], resolver: Resolver
) -> LoadBalancerScene:
    names = {g.arn: g.name for g in groups}
    service = next((s.key for s in resolver.cluster.services if lb.dns_name in s.hostnames), None)
    return LoadBalancerScene(
        name=lb.name,
        arn=lb.arn,
        dns_name=lb.dns_name,
        state=lb.state,
        scheme=lb.scheme,
        cross_zone=lb.cross_zone,
        service=service,
        nodes=tuple(
            LbNodeScene(
                n.availability_zone, n.address, lb_node_anchor(lb.name, n.availability_zone)
            )
            for n in sorted(lb.nodes, key=lambda n: n.availability_zone)
        ),
        listeners=tuple(
            ListenerScene(li.protocol, li.port, names.get(li.target_group_arn or ""))
            for li in sorted(lb.listeners, key=lambda li: li.port)
        ),
        target_groups=tuple(_group_scene(g, resolver) for g in groups),
    )


def _group_scene(group: TargetGroupRoute, resolver: Resolver) -> TargetGroupScene:
    targets = []
    for target in sorted(group.targets, key=lambda t: (t.availability_zone, t.id, t.port)):
        anchor, label, _ = resolver.resolve(group, target)
        targets.append(
            TargetScene(
                id=target.id,
                port=target.port,
                address=target.address,
                zone=target.availability_zone,
                state=target.state,
                reason=target.reason,
                description=_description(target.reason),
                label=label,
                anchor=anchor,
                draining_until=target.draining_until,
            )
        )
    return TargetGroupScene(
        name=group.name,
        arn=group.arn,
        mode=group.target_type,
        protocol=group.protocol,
        port=group.port,
        health_check=_health_check_text(group),
        targets=tuple(targets),
    )


def _node_scene(node: NodeView, cluster: ClusterView) -> NodeScene:
    ports = [
        NodePortScene(
            s.key, p.name, p.node_port, p.protocol, node_port_anchor(node.name, p.node_port)
        )
        for s in sorted(cluster.services, key=lambda s: s.key)
        for p in s.ports
        if p.node_port is not None
    ]
    pods = sorted(
        (p for p in cluster.pods if p.node_name == node.name),
        key=lambda p: (p.namespace, p.name),
    )
    return NodeScene(
        name=node.name,
        zone=node.zone,
        address=node.address,
        instance_id=node.instance_id,
        ready=node.ready,
        node_ports=tuple(ports),
        pods=tuple(_pod_scene(p) for p in pods),
        anchor=node_anchor(node.name),
    )


def _pod_scene(pod: PodView) -> PodScene:
    return PodScene(
        pod.namespace, pod.name, pod.ip, pod.phase, pod.ready, pod.terminating, pod_anchor(pod)
    )


def _unscheduled(cluster: ClusterView) -> tuple[PodScene, ...]:
    """Pods on no node this cluster view knows (not scheduled yet, or their node is gone)."""
    known = {n.name for n in cluster.nodes}
    waiting = (p for p in cluster.pods if p.node_name not in known)
    return tuple(_pod_scene(p) for p in sorted(waiting, key=lambda p: (p.namespace, p.name)))
