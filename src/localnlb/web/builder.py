"""Build the scene: (routing snapshot, cluster view, traffic rates, timeline, time) → Scene.

A pure function. The edges are the paths traffic can take and the ones it did take:

- LB node → target, for every target of every target group a listener forwards to, when the
  LB node may send there (same AZ, or cross-zone load balancing on for the group), plus any
  pair the data plane is counting traffic on now. In instance mode the target is a node's
  NodePort, in ip mode the pod itself.
- NodePort → pod (kube-proxy's hop, instance mode only): to every ready endpoint the NodePort
  may pick (only local ones with ``externalTrafficPolicy: Local``), for NodePorts that are
  instance targets or carry traffic now. kube-proxy counts per node
  and "same node or not", so a count is shared by the pods of that group (``shared_by``).

A target's zone against its LB node's zone, and a pod's node against the NodePort's node, mark
the cross-AZ and cross-node hops.
"""

from __future__ import annotations

from localnlb.common.snapshot import (
    LoadBalancerRoute,
    RoutingSnapshot,
    TargetGroupRoute,
    TargetRoute,
)
from localnlb.elbv2.model.target_health import DESCRIPTIONS, TargetHealthReason
from localnlb.web.cluster_view import ClusterView, NodeView, PodView, ServiceView
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
from localnlb.web.traffic import RATE_WINDOW_SECONDS, LbTargetKey, ProxyKey, Rate, TrafficRates

ALL_ZONES = "all"  # the zone of an ip target outside the VPC


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
    resolver = _Resolver(cluster)
    load_balancers = () if snapshot is None else tuple(snapshot.load_balancers)
    lb_scenes: list[LoadBalancerScene] = []
    edges: list[EdgeScene] = []
    instance_ports: set[tuple[str, int]] = set()  # (node, NodePort) an instance TG targets
    for lb in sorted(load_balancers, key=lambda each: each.name):
        groups = _target_groups_of(lb, snapshot)
        lb_scenes.append(_load_balancer_scene(lb, groups, resolver))
        for group in groups:
            edges += _lb_edges(lb, group, resolver, rates)
            if group.target_type == "instance":
                instance_ports |= resolver.node_ports_of(group)
    edges += _proxy_edges(cluster, resolver, rates, instance_ports)
    zones = {n.zone for n in cluster.nodes} | {
        node.availability_zone for lb in load_balancers for node in lb.nodes
    }
    return Scene(
        generated_at=now,
        sources=sources,
        zones=tuple(sorted(z for z in zones if z and z != ALL_ZONES)),
        nodes=tuple(_node_scene(n, cluster) for n in sorted(cluster.nodes, key=_node_order)),
        load_balancers=tuple(lb_scenes),
        edges=tuple(edges),
        timeline=timeline,
        rate_window_seconds=rate_window,
    )


def _node_order(node: NodeView) -> tuple[str, str]:
    return (node.zone, node.name)


class _Resolver:
    """Finds what a registered target is in the cluster: a node (by instance id) or a pod."""

    def __init__(self, cluster: ClusterView) -> None:
        self.cluster = cluster
        self.by_instance = {n.instance_id: n for n in cluster.nodes if n.instance_id}
        self.node_by_address = {n.address: n for n in cluster.nodes if n.address}
        self.node_by_name = {n.name: n for n in cluster.nodes}
        # A live pod wins over a terminating one that still holds the same IP.
        ordered = sorted(cluster.pods, key=lambda p: not p.terminating)
        self.pod_by_ip = {p.ip: p for p in reversed(ordered) if p.ip}
        self.node_ports = {
            port.node_port for s in cluster.services for port in s.ports if port.node_port
        }

    def resolve(self, group: TargetGroupRoute, target: TargetRoute) -> tuple[str, str, str]:
        """(anchor, label, hop) for ``target``."""
        if group.target_type == "instance":
            node = self.by_instance.get(target.id)
            if node is not None:
                if target.port in self.node_ports:
                    return f"nodeport:{node.name}:{target.port}", node.name, "lb-to-node"
                return f"node:{node.name}", node.name, "lb-to-node"
        else:
            pod = self.pod_by_ip.get(target.id)
            if pod is not None:
                return _pod_anchor(pod), pod.name, "lb-to-pod"
            node = self.node_by_address.get(target.id)
            if node is not None:
                return f"node:{node.name}", node.name, "lb-to-node"
        anchor = f"target:{group.name}:{target.id}:{target.port}"
        return anchor, "not in the cluster", "lb-to-target"

    def node_ports_of(self, group: TargetGroupRoute) -> set[tuple[str, int]]:
        found = set()
        for target in group.targets:
            node = self.by_instance.get(target.id)
            if node is not None:
                found.add((node.name, target.port))
        return found


def _pod_anchor(pod: PodView) -> str:
    return f"pod:{pod.namespace}/{pod.name}"


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
    path = f" {check.path}" if check.protocol != "TCP" and check.path else ""
    return (
        f"{check.protocol}{path} on {where} every {check.interval_seconds}s, "
        f"healthy after {check.healthy_threshold}, unhealthy after {check.unhealthy_threshold}"
    )


def _load_balancer_scene(
    lb: LoadBalancerRoute, groups: list[TargetGroupRoute], resolver: _Resolver
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
            LbNodeScene(n.availability_zone, n.address, f"lbnode:{lb.name}:{n.availability_zone}")
            for n in sorted(lb.nodes, key=lambda n: n.availability_zone)
        ),
        listeners=tuple(
            ListenerScene(li.protocol, li.port, names.get(li.target_group_arn or ""))
            for li in sorted(lb.listeners, key=lambda li: li.port)
        ),
        target_groups=tuple(_group_scene(g, resolver) for g in groups),
    )


def _group_scene(group: TargetGroupRoute, resolver: _Resolver) -> TargetGroupScene:
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


def _cross_zone_on(lb: LoadBalancerRoute, group: TargetGroupRoute) -> bool:
    if group.cross_zone in ("true", "false"):
        return group.cross_zone == "true"
    return lb.cross_zone


def _lb_edges(
    lb: LoadBalancerRoute, group: TargetGroupRoute, resolver: _Resolver, rates: TrafficRates
) -> list[EdgeScene]:
    cross_zone = _cross_zone_on(lb, group)
    edges = []
    for node in sorted(lb.nodes, key=lambda n: n.availability_zone):
        for target in group.targets:
            zone = target.availability_zone
            key = LbTargetKey(
                lb.name, group.name, f"{target.address}:{target.port}", node.availability_zone
            )
            rate = rates.lb.get(key, Rate())
            same_zone = zone in (node.availability_zone, ALL_ZONES)
            if not (same_zone or cross_zone or rate.lit):
                continue
            anchor, _, hop = resolver.resolve(group, target)
            source = f"lbnode:{lb.name}:{node.availability_zone}"
            edges.append(
                _edge(
                    source=source,
                    target=anchor,
                    hop=hop,
                    lb=lb.name,
                    group=group.name,
                    cross_az=not same_zone,
                    cross_node=False,
                    rate=rate,
                )
            )
    return edges


def _edge(
    *,
    source: str,
    target: str,
    hop: str,
    lb: str,
    group: str,
    cross_az: bool,
    cross_node: bool,
    rate: Rate,
    shared_by: int = 1,
) -> EdgeScene:
    return EdgeScene(
        id=f"{source}->{target}@{group}",
        hop=hop,
        source=source,
        target=target,
        load_balancer=lb,
        target_group=group,
        cross_az=cross_az,
        cross_node=cross_node,
        flows_per_second=round(rate.flows_per_second, 3),
        bytes_per_second=round(rate.bytes_per_second, 1),
        active=rate.active,
        last_flow_at=rate.last_flow_at,
        lit=rate.lit,
        shared_by=shared_by,
    )


def _endpoints(service: ServiceView, cluster: ClusterView) -> list[PodView]:
    return [
        p for p in cluster.pods if p.ready and p.ip and not p.terminating and service.selects(p)
    ]


def _proxy_edges(
    cluster: ClusterView,
    resolver: _Resolver,
    rates: TrafficRates,
    instance_ports: set[tuple[str, int]],
) -> list[EdgeScene]:
    edges: list[EdgeScene] = []
    for service in sorted(cluster.services, key=lambda s: s.key):
        endpoints = _endpoints(service, cluster)
        for port in service.ports:
            if port.node_port is None:
                continue
            for node in sorted(cluster.nodes, key=_node_order):
                edges += _node_port_edges(
                    service,
                    port.name,
                    port.node_port,
                    node,
                    endpoints,
                    resolver,
                    rates,
                    targeted=(node.name, port.node_port) in instance_ports,
                )
    return edges


def _node_port_edges(
    service: ServiceView,
    port_name: str,
    node_port: int,
    node: NodeView,
    endpoints: list[PodView],
    resolver: _Resolver,
    rates: TrafficRates,
    *,
    targeted: bool,
) -> list[EdgeScene]:
    local_only = service.external_traffic_policy == "Local"
    groups = {
        False: [p for p in endpoints if p.node_name == node.name],
        True: [] if local_only else [p for p in endpoints if p.node_name != node.name],
    }
    edges = []
    for cross_node, pods in groups.items():
        key = ProxyKey(node.name, service.namespace, service.name, port_name, cross_node)
        rate = rates.proxy.get(key, Rate())
        if not (targeted or rate.lit):
            continue
        for pod in pods:
            pod_node = resolver.node_by_name.get(pod.node_name)
            edges.append(
                _edge(
                    source=f"nodeport:{node.name}:{node_port}",
                    target=_pod_anchor(pod),
                    hop="node-to-pod",
                    lb="",
                    group=service.key,
                    cross_az=pod_node is not None and pod_node.zone != node.zone,
                    cross_node=cross_node,
                    rate=rate,
                    shared_by=len(pods),
                )
            )
    return edges


def _node_scene(node: NodeView, cluster: ClusterView) -> NodeScene:
    ports = [
        NodePortScene(s.key, p.name, p.node_port, p.protocol, f"nodeport:{node.name}:{p.node_port}")
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
        pods=tuple(
            PodScene(p.namespace, p.name, p.ip, p.phase, p.ready, p.terminating, _pod_anchor(p))
            for p in pods
        ),
        anchor=f"node:{node.name}",
    )
