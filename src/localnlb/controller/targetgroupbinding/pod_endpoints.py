"""IP mode: which pod addresses are targets, from the Service's EndpointSlices (reference §2.6).

Only slices of the binding's address family are read; if the Service port has a name, only
endpoint ports of that name count (Kubernetes has already resolved the targetPort into the
endpoint port, named container ports included). An endpoint must point at a Pod the cache
knows; its first address is used. Then, as the real controller's resolver does:

1. ``ready: true`` → registered;
2. otherwise (not ready, or readiness not reported), if the pod's containers are ready and its
   node is Ready=True and it is not terminating → registered: such a pod is held back only by
   readiness gates, such as its own target-health gate, which cannot pass until the target is
   registered;
3. the same on a node with Ready=Unknown → registered only if nothing else is, and
   EndpointsFailOpen is on;
4. anything else is skipped: containers not ready, terminating (so a pod is deregistered as
   soon as it starts terminating and drains for the deregistration delay), node not ready.

A skipped pod whose containers are not ready yet but which carries the binding's readiness gate
is *potentially ready*: the binding controller checks again soon rather than waiting for the
next event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from localnlb.controller.service.objects import Service
from localnlb.controller.targetgroupbinding.node_endpoints import lookup_service_port
from localnlb.controller.targetgroupbinding.objects import (
    CONDITION_TRUE,
    CONDITION_UNKNOWN,
    EndpointSliceInfo,
    NodeInfo,
    PodInfo,
)


@dataclass(frozen=True, slots=True)
class PodEndpoint:
    ip: str
    port: int
    pod_name: str
    node_name: str


@dataclass(frozen=True, slots=True)
class PodEndpoints:
    endpoints: list[PodEndpoint]
    contains_potential_ready: bool = False


def resolve_pod_endpoints(
    service: Service,
    port: int | str,
    slices: Iterable[EndpointSliceInfo],
    *,
    pods: Mapping[str, PodInfo],
    nodes: Mapping[str, NodeInfo],
    address_type: str = "IPv4",
    readiness_gates: frozenset[str] = frozenset(),
    fail_open: bool = True,
) -> PodEndpoints:
    """``readiness_gates``: the binding's gate condition types (for potential readiness)."""
    service_port = lookup_service_port(service, port)
    ready: dict[tuple[str, int], PodEndpoint] = {}
    on_unknown_nodes: dict[tuple[str, int], PodEndpoint] = {}
    potential_ready = False
    for slice_ in slices:
        if slice_.address_type != address_type:
            continue
        for endpoint_port in slice_.ports:
            if service_port.name and endpoint_port.name != service_port.name:
                continue
            for endpoint in slice_.endpoints:
                pod = pods.get(endpoint.target_name)
                if endpoint.target_kind != "Pod" or pod is None or not endpoint.addresses:
                    continue
                found = PodEndpoint(
                    endpoint.addresses[0], endpoint_port.port, pod.name, pod.node_name
                )
                key = (found.ip, found.port)
                if endpoint.ready:
                    ready[key] = found
                    continue
                if not pod.containers_ready:
                    potential_ready |= bool(readiness_gates & set(pod.readiness_gates))
                    continue
                node = nodes.get(pod.node_name)
                node_ready = node.ready if node is not None else ""
                if node_ready == CONDITION_TRUE:
                    if not endpoint.terminating:
                        ready[key] = found
                elif node_ready == CONDITION_UNKNOWN:
                    on_unknown_nodes[key] = found
    if not ready and fail_open:
        ready = on_unknown_nodes
    return PodEndpoints(sorted(ready.values(), key=lambda e: (e.ip, e.port)), potential_ready)
