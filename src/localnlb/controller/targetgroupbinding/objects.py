"""The parts of Nodes, Pods and EndpointSlices that target selection reads, as frozen values,
and their conversion from the Kubernetes object form (done once, at the edge).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CONDITION_TRUE = "True"
CONDITION_FALSE = "False"
CONDITION_UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True)
class Taint:
    key: str
    effect: str


@dataclass(frozen=True, slots=True)
class NodeInfo:
    name: str
    provider_id: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    ready: str = CONDITION_TRUE  # status of the Ready condition; "" when it is missing
    unschedulable: bool = False  # cordoned: does not matter for target selection
    taints: tuple[Taint, ...] = ()

    @property
    def zone(self) -> str | None:
        return self.labels.get("topology.kubernetes.io/zone")


@dataclass(frozen=True, slots=True)
class PodInfo:
    name: str
    namespace: str
    node_name: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    conditions: Mapping[str, str] = field(default_factory=dict)  # type → status
    readiness_gates: tuple[str, ...] = ()

    @property
    def containers_ready(self) -> bool:
        return self.conditions.get("ContainersReady") == CONDITION_TRUE


@dataclass(frozen=True, slots=True)
class Endpoint:
    addresses: tuple[str, ...]
    ready: bool | None = None  # None: not reported
    serving: bool | None = None
    terminating: bool | None = None
    target_kind: str = "Pod"
    target_name: str = ""
    node_name: str = ""


@dataclass(frozen=True, slots=True)
class EndpointPort:
    port: int
    name: str = ""
    protocol: str = "TCP"


@dataclass(frozen=True, slots=True)
class EndpointSliceInfo:
    name: str
    address_type: str = "IPv4"
    endpoints: tuple[Endpoint, ...] = ()
    ports: tuple[EndpointPort, ...] = ()


def _conditions(raw: Any) -> dict[str, str]:
    return {str(c["type"]): str(c.get("status", "")) for c in raw or ()}


def node_from_object(obj: Mapping[str, Any]) -> NodeInfo:
    metadata = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    conditions = _conditions((obj.get("status") or {}).get("conditions"))
    return NodeInfo(
        name=str(metadata["name"]),
        provider_id=str(spec.get("providerID", "")),
        labels=dict(metadata.get("labels") or {}),
        ready=conditions.get("Ready", ""),
        unschedulable=bool(spec.get("unschedulable", False)),
        taints=tuple(
            Taint(str(t["key"]), str(t.get("effect", ""))) for t in spec.get("taints") or ()
        ),
    )


def pod_from_object(obj: Mapping[str, Any]) -> PodInfo:
    metadata = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    return PodInfo(
        name=str(metadata["name"]),
        namespace=str(metadata.get("namespace", "default")),
        node_name=str(spec.get("nodeName", "")),
        labels=dict(metadata.get("labels") or {}),
        conditions=_conditions((obj.get("status") or {}).get("conditions")),
        readiness_gates=tuple(str(g["conditionType"]) for g in spec.get("readinessGates") or ()),
    )


def endpoint_slice_from_object(obj: Mapping[str, Any]) -> EndpointSliceInfo:
    endpoints = []
    for raw in obj.get("endpoints") or ():
        conditions = raw.get("conditions") or {}
        target = raw.get("targetRef") or {}
        endpoints.append(
            Endpoint(
                addresses=tuple(raw.get("addresses") or ()),
                ready=conditions.get("ready"),
                serving=conditions.get("serving"),
                terminating=conditions.get("terminating"),
                target_kind=str(target.get("kind", "")),
                target_name=str(target.get("name", "")),
                node_name=str(raw.get("nodeName", "")),
            )
        )
    return EndpointSliceInfo(
        name=str((obj.get("metadata") or {}).get("name", "")),
        address_type=str(obj.get("addressType", "IPv4")),
        endpoints=tuple(endpoints),
        ports=tuple(
            EndpointPort(int(p["port"]), str(p.get("name") or ""), str(p.get("protocol", "TCP")))
            for p in obj.get("ports") or ()
            if p.get("port") is not None
        ),
    )
