"""Traffic paths: the edges the page draws, with their live rates.

- LB node → target, for every target of every target group a listener forwards to, when the
  LB node may send there (same AZ, or cross-zone load balancing on for the group: the data
  plane's own ``cross_zone_enabled``), plus any pair the data plane is counting traffic on now.
  In instance mode the target is a node's NodePort, in ip mode the pod itself.
- NodePort → pod (kube-proxy's hop): to every ready endpoint the NodePort may pick (only local
  ones with ``externalTrafficPolicy: Local``), for NodePorts that are instance targets or carry
  traffic now. kube-proxy counts per node and "same node or not", so a count is shared by the
  pods of that group (``shared_by``).

A target's zone against its LB node's zone, and a pod's node against the NodePort's node, mark
the cross-AZ and cross-node hops.
"""

from __future__ import annotations

from localnlb.common.snapshot import ALL_ZONES, LoadBalancerRoute, TargetGroupRoute
from localnlb.dataplane.routing import cross_zone_enabled
from localnlb.web.anchors import (
    Resolver,
    lb_node_anchor,
    node_order,
    node_port_anchor,
    pod_anchor,
)
from localnlb.web.cluster_view import ClusterView, NodeView, PodView, ServiceView
from localnlb.web.scene import EdgeScene
from localnlb.web.traffic import LbTargetKey, ProxyKey, Rate, TrafficRates


def lb_edges(
    lb: LoadBalancerRoute, group: TargetGroupRoute, resolver: Resolver, rates: TrafficRates
) -> list[EdgeScene]:
    cross_zone = cross_zone_enabled(lb, group)
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
            source = lb_node_anchor(lb.name, node.availability_zone)
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


def proxy_edges(
    cluster: ClusterView,
    resolver: Resolver,
    rates: TrafficRates,
    instance_ports: set[tuple[str, int]],
) -> list[EdgeScene]:
    edges: list[EdgeScene] = []
    for service in sorted(cluster.services, key=lambda s: s.key):
        endpoints = _endpoints(service, cluster)
        for port in service.ports:
            if port.node_port is None:
                continue
            for node in sorted(cluster.nodes, key=node_order):
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
    resolver: Resolver,
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
                    source=node_port_anchor(node.name, node_port),
                    target=pod_anchor(pod),
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
