"""The parts of a Kubernetes Service the controller reads, as a frozen value.

``service_from_object`` converts a Service in its Kubernetes JSON/YAML form (what an API
client or a manifest gives) once, at the edge; everything inside works on :class:`Service`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SERVICE_TYPE_LOAD_BALANCER = "LoadBalancer"
SERVICE_TYPE_NODE_PORT = "NodePort"
SERVICE_TYPE_CLUSTER_IP = "ClusterIP"
ETP_LOCAL = "Local"
ETP_CLUSTER = "Cluster"


@dataclass(frozen=True, slots=True)
class ServicePort:
    port: int
    protocol: str = "TCP"
    name: str = ""
    target_port: int | str = 0  # a number, or a container port name
    node_port: int = 0


@dataclass(frozen=True, slots=True)
class Service:
    namespace: str
    name: str
    uid: str
    type: str = SERVICE_TYPE_CLUSTER_IP
    ports: tuple[ServicePort, ...] = ()
    annotations: Mapping[str, str] = field(default_factory=dict)
    load_balancer_class: str | None = None
    external_traffic_policy: str = ETP_CLUSTER
    health_check_node_port: int = 0
    load_balancer_source_ranges: tuple[str, ...] = ()
    allocate_load_balancer_node_ports: bool | None = None
    ip_families: tuple[str, ...] = ("IPv4",)
    selector: Mapping[str, str] = field(default_factory=dict)
    finalizers: tuple[str, ...] = ()
    being_deleted: bool = False  # metadata.deletionTimestamp is set

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


def _port_from_object(raw: Mapping[str, Any]) -> ServicePort:
    port = int(raw["port"])
    target = raw.get("targetPort", port)
    return ServicePort(
        port=port,
        protocol=str(raw.get("protocol", "TCP")),
        name=str(raw.get("name", "")),
        target_port=target if isinstance(target, int) else str(target),
        node_port=int(raw.get("nodePort", 0) or 0),
    )


def service_from_object(obj: Mapping[str, Any]) -> Service:
    """A Service from its Kubernetes object form (apiVersion v1, kind Service)."""
    metadata: Mapping[str, Any] = obj.get("metadata") or {}
    spec: Mapping[str, Any] = obj.get("spec") or {}
    allocate = spec.get("allocateLoadBalancerNodePorts")
    return Service(
        namespace=str(metadata.get("namespace", "default")),
        name=str(metadata["name"]),
        uid=str(metadata.get("uid", "")),
        type=str(spec.get("type", SERVICE_TYPE_CLUSTER_IP)),
        ports=tuple(_port_from_object(p) for p in spec.get("ports") or ()),
        annotations={str(k): str(v) for k, v in (metadata.get("annotations") or {}).items()},
        load_balancer_class=spec.get("loadBalancerClass") or None,
        external_traffic_policy=str(spec.get("externalTrafficPolicy") or ETP_CLUSTER),
        health_check_node_port=int(spec.get("healthCheckNodePort", 0) or 0),
        load_balancer_source_ranges=tuple(spec.get("loadBalancerSourceRanges") or ()),
        allocate_load_balancer_node_ports=None if allocate is None else bool(allocate),
        ip_families=tuple(spec.get("ipFamilies") or ("IPv4",)),
        selector=dict(spec.get("selector") or {}),
        finalizers=tuple(metadata.get("finalizers") or ()),
        being_deleted=metadata.get("deletionTimestamp") is not None,
    )
