"""The scene: everything the page draws, as one JSON-ready value.

The builder (:mod:`localnlb.web.builder`) makes a :class:`Scene` from the sources; the server
pushes its JSON to every open page, which renders it without computing anything of its own
(no health logic, no rates in the browser). Every element the page draws has an ``anchor``: a
stable id that edges refer to (``lbnode:<lb>:<zone>``, ``nodeport:<node>:<port>``,
``node:<node>``, ``pod:<ns>/<name>``, ``target:<tg>:<id>:<port>``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SourceStatus:
    name: str  # "elbv2", "kubernetes", "dataplane metrics", "kube-proxy metrics"
    ok: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class TargetScene:
    id: str
    port: int
    address: str
    zone: str
    state: str
    reason: str | None
    description: str | None
    label: str  # what the target is: a node name, a pod name, or "not in the cluster"
    anchor: str
    draining_until: float | None = None


@dataclass(frozen=True, slots=True)
class TargetGroupScene:
    name: str
    arn: str
    mode: str  # target type: "instance" | "ip" | "alb"
    protocol: str
    port: int
    health_check: str  # e.g. "TCP traffic-port every 10s, 3/3"
    targets: tuple[TargetScene, ...]


@dataclass(frozen=True, slots=True)
class ListenerScene:
    protocol: str
    port: int
    target_group: str | None  # a target group name


@dataclass(frozen=True, slots=True)
class LbNodeScene:
    zone: str
    address: str
    anchor: str


@dataclass(frozen=True, slots=True)
class LoadBalancerScene:
    name: str
    arn: str
    dns_name: str
    state: str
    scheme: str
    cross_zone: bool
    service: str | None  # "namespace/name" of the Service it serves, when known
    nodes: tuple[LbNodeScene, ...]
    listeners: tuple[ListenerScene, ...]
    target_groups: tuple[TargetGroupScene, ...]


@dataclass(frozen=True, slots=True)
class NodePortScene:
    service: str
    port_name: str
    node_port: int
    protocol: str
    anchor: str


@dataclass(frozen=True, slots=True)
class PodScene:
    namespace: str
    name: str
    ip: str
    phase: str
    ready: bool
    terminating: bool
    anchor: str


@dataclass(frozen=True, slots=True)
class NodeScene:
    name: str
    zone: str
    address: str
    instance_id: str
    ready: bool
    node_ports: tuple[NodePortScene, ...]
    pods: tuple[PodScene, ...]
    anchor: str


@dataclass(frozen=True, slots=True)
class EdgeScene:
    id: str
    hop: str  # "lb-to-node" (instance), "lb-to-pod" (ip), "lb-to-target", "node-to-pod"
    source: str  # an anchor
    target: str  # an anchor
    load_balancer: str
    target_group: str
    cross_az: bool
    cross_node: bool
    flows_per_second: float
    bytes_per_second: float
    active: int
    last_flow_at: float | None
    lit: bool
    # kube-proxy counts per node and "same node or not", not per pod: a count shared by several
    # pods is shown on each of their edges with how many share it.
    shared_by: int = 1


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: float
    kind: str  # "registration" | "deregistration" | "health" | "draining" | "reconcile" | ...
    subject: str
    text: str


@dataclass(frozen=True, slots=True)
class Scene:
    generated_at: float
    sources: tuple[SourceStatus, ...]
    zones: tuple[str, ...]
    nodes: tuple[NodeScene, ...]
    load_balancers: tuple[LoadBalancerScene, ...]
    edges: tuple[EdgeScene, ...]
    timeline: tuple[TimelineEntry, ...]
    rate_window_seconds: float = 5.0
    unscheduled_pods: tuple[PodScene, ...] = ()  # Pending, no node yet

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))
