"""What the dashboard needs from Kubernetes, as plain values, and the conversion from API objects.

The watcher (:mod:`localnlb.web.kube_source`) hands raw object dicts (as the API serves them) to
the functions here; everything downstream — the scene builder and its tests — sees only these
frozen values. Conversion is forgiving: a field the object lacks becomes empty, never an error,
because the dashboard must draw whatever cluster it is pointed at.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ZONE_LABEL = "topology.kubernetes.io/zone"

Raw = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class NodeView:
    name: str
    zone: str
    address: str  # the InternalIP
    instance_id: str  # from the providerID (aws:///<zone>/<instance id>), "" when none
    ready: bool


@dataclass(frozen=True, slots=True)
class PodView:
    namespace: str
    name: str
    ip: str
    node_name: str
    ready: bool
    phase: str
    labels: tuple[tuple[str, str], ...] = ()
    terminating: bool = False


@dataclass(frozen=True, slots=True)
class ServicePortView:
    name: str
    port: int
    protocol: str
    node_port: int | None


@dataclass(frozen=True, slots=True)
class ServiceView:
    namespace: str
    name: str
    type: str
    selector: tuple[tuple[str, str], ...]
    ports: tuple[ServicePortView, ...]
    hostnames: tuple[str, ...] = ()  # status.loadBalancer.ingress[].hostname
    external_traffic_policy: str = "Cluster"

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def selects(self, pod: PodView) -> bool:
        if not self.selector or pod.namespace != self.namespace:
            return False
        labels = dict(pod.labels)
        return all(labels.get(k) == v for k, v in self.selector)


@dataclass(frozen=True, slots=True)
class ClusterEvent:
    at: float  # wall-clock seconds
    namespace: str
    kind: str  # the involved object's kind
    name: str  # the involved object's name
    reason: str
    message: str
    type: str  # "Normal" | "Warning"
    uid: str


@dataclass(frozen=True, slots=True)
class ClusterView:
    nodes: tuple[NodeView, ...] = ()
    pods: tuple[PodView, ...] = ()
    services: tuple[ServiceView, ...] = ()
    events: tuple[ClusterEvent, ...] = ()


def _meta(raw: Raw) -> Raw:
    meta = raw.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _conditions(raw: Raw) -> dict[str, str]:
    status = raw.get("status") or {}
    return {
        str(c.get("type")): str(c.get("status"))
        for c in status.get("conditions") or ()
        if isinstance(c, Mapping)
    }


def node_from(raw: Raw) -> NodeView:
    meta = _meta(raw)
    labels = meta.get("labels") or {}
    status = raw.get("status") or {}
    address = next(
        (
            str(a.get("address"))
            for a in status.get("addresses") or ()
            if a.get("type") == "InternalIP"
        ),
        "",
    )
    provider_id = str((raw.get("spec") or {}).get("providerID") or "")
    instance_id = provider_id.rsplit("/", 1)[-1] if provider_id.startswith("aws://") else ""
    return NodeView(
        name=str(meta.get("name", "")),
        zone=str(labels.get(ZONE_LABEL, "")),
        address=address,
        instance_id=instance_id,
        ready=_conditions(raw).get("Ready") == "True",
    )


def pod_from(raw: Raw) -> PodView:
    meta = _meta(raw)
    status = raw.get("status") or {}
    return PodView(
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        ip=str(status.get("podIP") or ""),
        node_name=str((raw.get("spec") or {}).get("nodeName") or ""),
        ready=_conditions(raw).get("Ready") == "True",
        phase=str(status.get("phase") or "Pending"),
        labels=tuple(sorted((str(k), str(v)) for k, v in (meta.get("labels") or {}).items())),
        terminating=meta.get("deletionTimestamp") is not None,
    )


def service_from(raw: Raw) -> ServiceView:
    meta = _meta(raw)
    spec = raw.get("spec") or {}
    ingress = ((raw.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ()
    ports = tuple(
        ServicePortView(
            name=str(p.get("name") or ""),
            port=int(p.get("port") or 0),
            protocol=str(p.get("protocol") or "TCP"),
            node_port=int(p["nodePort"]) if p.get("nodePort") else None,
        )
        for p in spec.get("ports") or ()
    )
    return ServiceView(
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        type=str(spec.get("type") or "ClusterIP"),
        selector=tuple(sorted((str(k), str(v)) for k, v in (spec.get("selector") or {}).items())),
        ports=ports,
        hostnames=tuple(str(i["hostname"]) for i in ingress if i.get("hostname")),
        external_traffic_policy=str(spec.get("externalTrafficPolicy") or "Cluster"),
    )


def event_from(raw: Raw) -> ClusterEvent:
    meta = _meta(raw)
    involved = raw.get("involvedObject") or raw.get("regarding") or {}
    stamp = (
        raw.get("lastTimestamp")
        or raw.get("eventTime")
        or raw.get("firstTimestamp")
        or meta.get("creationTimestamp")
    )
    return ClusterEvent(
        at=_seconds(stamp),
        namespace=str(meta.get("namespace", "")),
        kind=str(involved.get("kind") or ""),
        name=str(involved.get("name") or ""),
        reason=str(raw.get("reason") or ""),
        message=str(raw.get("message") or raw.get("note") or ""),
        type=str(raw.get("type") or "Normal"),
        uid=str(meta.get("uid") or meta.get("name") or ""),
    )


def _seconds(stamp: object) -> float:
    if isinstance(stamp, datetime.datetime):
        return stamp.timestamp()
    if isinstance(stamp, str) and stamp:
        try:
            return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return 0.0
    return 0.0
