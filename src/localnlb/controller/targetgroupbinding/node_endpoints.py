"""Instance mode: which nodes are targets, on the Service port's NodePort (reference §2.5).

A node is a candidate when it matches the default selector (not a master, not labelled
``node.kubernetes.io/exclude-from-external-load-balancers`` or
``alpha.service-controller.kubernetes.io/exclude-balancer``, not Fargate) *and* the binding's
``nodeSelector`` (from ``target-node-labels``), and is not being removed (taint
``ToBeDeletedByClusterAutoscaler``, or ``karpenter.sh/disrupted:NoSchedule``). Of those, nodes
with Ready=True are registered; if none is, and EndpointsFailOpen is on, nodes with
Ready=Unknown are. Ready=False nodes never are. Cordoned nodes are not excluded, and neither pods
nor externalTrafficPolicy change the set: with Local, the HTTP health check on the
healthCheckNodePort marks nodes without a ready pod unhealthy instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from localnlb.controller.service.objects import (
    SERVICE_TYPE_LOAD_BALANCER,
    SERVICE_TYPE_NODE_PORT,
    Service,
    ServicePort,
)
from localnlb.controller.targetgroupbinding.errors import BackendNotFoundError, ResolveError
from localnlb.controller.targetgroupbinding.objects import (
    CONDITION_TRUE,
    CONDITION_UNKNOWN,
    NodeInfo,
)

EXCLUDED_LABELS = (
    "node-role.kubernetes.io/master",
    "node.kubernetes.io/exclude-from-external-load-balancers",
    "alpha.service-controller.kubernetes.io/exclude-balancer",
)
COMPUTE_TYPE_LABEL = "eks.amazonaws.com/compute-type"
_INSTANCE_ID = re.compile(r"i-[^/]*")


@dataclass(frozen=True, slots=True)
class NodePortEndpoint:
    instance_id: str
    port: int
    node_name: str


def lookup_service_port(service: Service, port: int | str) -> ServicePort:
    for candidate in service.ports:
        if (candidate.name if isinstance(port, str) else candidate.port) == port:
            return candidate
    raise BackendNotFoundError(f"unable to find port {port} on service {service.key}")


def _is_being_removed(node: NodeInfo) -> bool:
    return any(
        t.key == "ToBeDeletedByClusterAutoscaler"
        or (t.key == "karpenter.sh/disrupted" and t.effect == "NoSchedule")
        for t in node.taints
    )


def is_candidate_node(node: NodeInfo, node_selector: Mapping[str, str]) -> bool:
    if any(label in node.labels for label in EXCLUDED_LABELS):
        return False
    if node.labels.get(COMPUTE_TYPE_LABEL) == "fargate":
        return False
    if any(node.labels.get(k) != v for k, v in node_selector.items()):
        return False
    return not _is_being_removed(node)


def instance_id_of(node: NodeInfo) -> str:
    if not node.provider_id:
        raise ResolveError(f"providerID is not specified for node: {node.name}")
    instance_id = node.provider_id.rsplit("/", 1)[-1]
    if not _INSTANCE_ID.fullmatch(instance_id):
        raise ResolveError(
            f"providerID {node.provider_id} is invalid for EC2 instances, node: {node.name}"
        )
    return instance_id


def resolve_node_port_endpoints(
    service: Service,
    port: int | str,
    nodes: Iterable[NodeInfo],
    *,
    node_selector: Mapping[str, str],
    fail_open: bool = True,
) -> list[NodePortEndpoint]:
    service_port = lookup_service_port(service, port)
    if service.type not in (SERVICE_TYPE_NODE_PORT, SERVICE_TYPE_LOAD_BALANCER):
        raise ResolveError(
            f"service type must be either 'NodePort' or 'LoadBalancer': {service.key}"
        )
    candidates = [n for n in nodes if is_candidate_node(n, node_selector)]
    chosen = [n for n in candidates if n.ready == CONDITION_TRUE]
    if not chosen and fail_open:
        chosen = [n for n in candidates if n.ready == CONDITION_UNKNOWN]
    return [
        NodePortEndpoint(instance_id_of(node), service_port.node_port, node.name)
        for node in sorted(chosen, key=lambda n: n.name)
    ]
