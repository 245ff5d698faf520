"""Anchors: which drawn element a registered target is, and the ids edges refer to.

An instance target is a node (by the instance id in its providerID), drawn on its NodePort when
the target's port is one; an ip target is a pod (by pod IP), else a node (by InternalIP), else
something outside the cluster with an anchor of its own.
"""

from __future__ import annotations

from localnlb.common.snapshot import TargetGroupRoute, TargetRoute
from localnlb.web.cluster_view import ClusterView, NodeView, PodView


def node_order(node: NodeView) -> tuple[str, str]:
    return (node.zone, node.name)


class Resolver:
    """Finds what a registered target is in the cluster: a node (by instance id) or a pod."""

    def __init__(self, cluster: ClusterView) -> None:
        self.cluster = cluster
        self.by_instance = {n.instance_id: n for n in cluster.nodes if n.instance_id}
        self.node_by_address = {n.address: n for n in cluster.nodes if n.address}
        self.node_by_name = {n.name: n for n in cluster.nodes}
        # A live pod wins over a terminating one that still holds the same IP (later wins).
        ordered = sorted(cluster.pods, key=lambda p: not p.terminating)
        self.pod_by_ip = {p.ip: p for p in ordered if p.ip}
        self.node_ports = {
            port.node_port for s in cluster.services for port in s.ports if port.node_port
        }

    def resolve(self, group: TargetGroupRoute, target: TargetRoute) -> tuple[str, str, str]:
        """(anchor, label, hop) for ``target``."""
        if group.target_type == "instance":
            node = self.by_instance.get(target.id)
            if node is not None:
                if target.port in self.node_ports:
                    return node_port_anchor(node.name, target.port), node.name, "lb-to-node"
                return node_anchor(node.name), node.name, "lb-to-node"
        else:
            pod = self.pod_by_ip.get(target.id)
            if pod is not None:
                return pod_anchor(pod), pod.name, "lb-to-pod"
            node = self.node_by_address.get(target.id)
            if node is not None:
                return node_anchor(node.name), node.name, "lb-to-node"
        anchor = f"target:{group.name}:{target.id}:{target.port}"
        return anchor, "not in the cluster", "lb-to-target"

    def node_ports_of(self, group: TargetGroupRoute) -> set[tuple[str, int]]:
        found = set()
        for target in group.targets:
            node = self.by_instance.get(target.id)
            if node is not None:
                found.add((node.name, target.port))
        return found


def pod_anchor(pod: PodView) -> str:
    return f"pod:{pod.namespace}/{pod.name}"


def node_anchor(node_name: str) -> str:
    return f"node:{node_name}"


def node_port_anchor(node_name: str, node_port: int) -> str:
    return f"nodeport:{node_name}:{node_port}"


def lb_node_anchor(load_balancer: str, zone: str) -> str:
    return f"lbnode:{load_balancer}:{zone}"
