"""The load-balancer part of ``localnlb status``: load balancers → listeners → target groups →
targets with their health, and each target's traffic path, as a pure function.

Paths are the workshop's two diagrams: in **instance** mode a target is a node on the Service's
NodePort, and the path is *LB node (target's AZ) → node:NodePort → pod(s)* — the pods kube-proxy
may choose (every ready endpoint, or only the node's own with ``externalTrafficPolicy:
Local``); in **ip** mode the target is the pod: *LB node → pod*. A hop whose two ends sit in
different AZs is marked cross-AZ. Inputs are what the public APIs give: the routing snapshot
(``common/snapshot.py``) and Kubernetes objects as JSON.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localnlb.common.snapshot import RoutingSnapshot, TargetState

JsonObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Hop:
    label: str
    zone: str | None


@dataclass(frozen=True, slots=True)
class TargetLine:
    load_balancer: str
    listener: str  # "TCP:80"
    target_group: str
    target: str  # "i-…:32700" or "127.x.y.z:8080"
    zone: str
    state: TargetState
    reason: str
    paths: tuple[tuple[Hop, ...], ...]

    def cross_az(self) -> bool:
        return any(path_crosses_az(path) for path in self.paths)


def _crosses_az(before: Hop, after: Hop) -> bool:
    return bool(before.zone and after.zone and before.zone != after.zone)


def path_crosses_az(path: Sequence[Hop]) -> bool:
    return any(_crosses_az(a, b) for a, b in itertools.pairwise(path))


def _meta(obj: JsonObject) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _nodes_by_instance(nodes: Sequence[JsonObject]) -> dict[str, JsonObject]:
    found = {}
    for node in nodes:
        provider = (node.get("spec") or {}).get("providerID", "")
        parts = provider.split("/")
        if len(parts) >= 5:
            found[parts[4]] = node
    return found


def _zone(obj: JsonObject | None) -> str | None:
    if obj is None:
        return None
    return (_meta(obj).get("labels") or {}).get("topology.kubernetes.io/zone")


def _ready_endpoints(
    service: JsonObject, slices: Sequence[JsonObject]
) -> list[tuple[str, str, str | None]]:
    """(pod name, node name, zone) of the Service's ready endpoints."""
    name, namespace = _meta(service).get("name"), _meta(service).get("namespace")
    found = []
    for endpoint_slice in slices:
        labels = _meta(endpoint_slice).get("labels") or {}
        if _meta(endpoint_slice).get("namespace") != namespace:
            continue
        if labels.get("kubernetes.io/service-name") != name:
            continue
        for endpoint in endpoint_slice.get("endpoints") or ():
            if (endpoint.get("conditions") or {}).get("ready"):
                found.append(
                    (
                        (endpoint.get("targetRef") or {}).get("name", "?"),
                        endpoint.get("nodeName", ""),
                        endpoint.get("zone"),
                    )
                )
    return found


def _service_on_node_port(services: Sequence[JsonObject], port: int) -> JsonObject | None:
    for service in services:
        for entry in (service.get("spec") or {}).get("ports") or ():
            if entry.get("nodePort") == port:
                return service
    return None


def _pod_by_ip(pods: Sequence[JsonObject], address: str) -> JsonObject | None:
    for pod in pods:
        if (pod.get("status") or {}).get("podIP") == address and not _meta(pod).get(
            "deletionTimestamp"
        ):
            return pod
    return None


def build_target_lines(
    snapshot: RoutingSnapshot,
    *,
    nodes: Sequence[JsonObject],
    services: Sequence[JsonObject],
    slices: Sequence[JsonObject],
    pods: Sequence[JsonObject],
) -> list[TargetLine]:
    by_instance = _nodes_by_instance(nodes)
    node_zones = {_meta(n).get("name"): _zone(n) for n in nodes}
    lines = []
    for lb in snapshot.load_balancers:
        for listener in lb.listeners:
            group = snapshot.target_group(listener.target_group_arn or "")
            if group is None:
                continue
            for target in group.targets:
                if group.target_type == "instance":
                    node = by_instance.get(target.id)
                    zone = _zone(node) or target.availability_zone
                    node_hop = Hop(
                        f"{_meta(node or {}).get('name', target.id)}:{target.port}", zone
                    )
                    service = _service_on_node_port(services, target.port)
                    endpoints = _ready_endpoints(service, slices) if service else []
                    if (
                        service
                        and (service.get("spec") or {}).get("externalTrafficPolicy") == "Local"
                    ):
                        endpoints = [e for e in endpoints if e[1] == _meta(node or {}).get("name")]
                    paths = tuple(
                        (Hop(f"LB node {zone}", zone), node_hop, Hop(f"pod {pod}", pod_zone))
                        for pod, _, pod_zone in endpoints
                    ) or ((Hop(f"LB node {zone}", zone), node_hop),)
                else:
                    pod = _pod_by_ip(pods, target.id)
                    zone = target.availability_zone
                    pod_zone = node_zones.get((pod or {}).get("spec", {}).get("nodeName")) or zone
                    name = _meta(pod).get("name") if pod else target.id
                    paths = ((Hop(f"LB node {zone}", zone), Hop(f"pod {name}", pod_zone)),)
                lines.append(
                    TargetLine(
                        load_balancer=lb.name,
                        listener=f"{listener.protocol}:{listener.port}",
                        target_group=f"{group.name} ({group.target_type})",
                        target=f"{target.id}:{target.port}",
                        zone=zone,
                        state=target.state,
                        reason=target.reason or "",
                        paths=paths,
                    )
                )
    return lines


def render_path(path: Sequence[Hop]) -> str:
    parts = [path[0].label]
    for before, after in itertools.pairwise(path):
        parts.append(f"{'=[cross-AZ]=>' if _crosses_az(before, after) else '->'} {after.label}")
    return " ".join(parts)
