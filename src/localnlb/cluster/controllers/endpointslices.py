"""The EndpointSlice controller's decision, as a pure function.

For a Service with a selector, every pod it selects that has an IP and is not terminal becomes an
endpoint with the conditions the real controller writes (discovery.k8s.io/v1):

- ``ready``: the pod's Ready condition is True and it is not terminating (or the Service sets
  ``publishNotReadyAddresses``);
- ``serving``: the pod's Ready condition is True, terminating or not;
- ``terminating``: the pod has a deletionTimestamp.

Endpoints carry ``nodeName`` and ``zone`` (the node's topology.kubernetes.io/zone label) and a
``targetRef`` to the pod. Named targetPorts are resolved per pod from its container ports, so pods
that disagree on a port number land in different slices, as upstream. At most 100 endpoints per
slice. The result is the desired list of slices; the shell matches it against the existing
slices by their port set and writes the difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.objects import KubeObject

MANAGED_BY = "endpointslice-controller.k8s.io"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MAX_ENDPOINTS_PER_SLICE = 100


def resolve_target_port(service_port: Mapping[str, Any], pod: Mapping[str, Any]) -> int | None:
    """The pod's port for a service port: a number as is, a name looked up in its containers."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol", "TCP")
    for container in objects.spec(pod).get("containers") or ():
        for port in container.get("ports") or ():
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                return int(port["containerPort"])
    return None


def _endpoint_ports(service: Mapping[str, Any], pod: Mapping[str, Any]) -> tuple[Any, ...]:
    ports = []
    for service_port in objects.spec(service).get("ports") or ():
        number = resolve_target_port(service_port, pod)
        if number is None:
            continue
        ports.append((service_port.get("name", ""), number, service_port.get("protocol", "TCP")))
    return tuple(ports)


def _endpoint(
    service: Mapping[str, Any], pod: Mapping[str, Any], nodes: Mapping[str, KubeObject]
) -> KubeObject:
    pod_ready = objects.condition_true(pod, "Ready")
    terminating = objects.is_terminating(pod)
    publish_not_ready = bool(objects.spec(service).get("publishNotReadyAddresses"))
    endpoint: KubeObject = {
        "addresses": [objects.status(pod)["podIP"]],
        "conditions": {
            "ready": publish_not_ready or (pod_ready and not terminating),
            "serving": publish_not_ready or pod_ready,
            "terminating": terminating,
        },
        "targetRef": {
            "kind": "Pod",
            "namespace": objects.namespace_of(pod),
            "name": objects.name_of(pod),
            "uid": objects.uid_of(pod),
        },
    }
    node_name = objects.spec(pod).get("nodeName")
    if node_name:
        endpoint["nodeName"] = node_name
        zone = objects.labels_of(nodes.get(node_name, {})).get(objects.ZONE_LABEL)
        if zone:
            endpoint["zone"] = zone
    return endpoint


def selected_pods(
    service: Mapping[str, Any], pods: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    selector = objects.spec(service).get("selector")
    chosen = []
    for pod in pods:
        if objects.namespace_of(pod) != objects.namespace_of(service):
            continue
        if not objects.service_selector_matches(selector, objects.labels_of(pod)):
            continue
        if not objects.status(pod).get("podIP"):
            continue
        if objects.status(pod).get("phase") in ("Succeeded", "Failed"):
            continue
        chosen.append(pod)
    return chosen


def build_endpoint_slices(
    service: Mapping[str, Any],
    pods: Iterable[Mapping[str, Any]],
    nodes: Mapping[str, KubeObject],
) -> list[KubeObject]:
    """The slices the Service should have (empty when it has no selector: not ours to manage)."""
    if not objects.spec(service).get("selector"):
        return []
    groups: dict[tuple[Any, ...], list[KubeObject]] = {}
    for pod in sorted(selected_pods(service, pods), key=objects.name_of):
        groups.setdefault(_endpoint_ports(service, pod), []).append(_endpoint(service, pod, nodes))
    if not groups:
        # Upstream keeps one placeholder slice, without ports or endpoints, so that consumers
        # can tell "no endpoints" from "not reconciled yet".
        groups[()] = []
    slices = []
    for ports, endpoints in sorted(groups.items()):
        for start in range(0, max(len(endpoints), 1), MAX_ENDPOINTS_PER_SLICE):
            slices.append(
                _slice(service, ports, endpoints[start : start + MAX_ENDPOINTS_PER_SLICE])
            )
    return slices


def _slice(
    service: Mapping[str, Any], ports: Sequence[Any], endpoints: list[KubeObject]
) -> KubeObject:
    labels = dict(objects.labels_of(service))
    labels.update({SERVICE_NAME_LABEL: objects.name_of(service), MANAGED_BY_LABEL: MANAGED_BY})
    owner = dict(service, apiVersion="v1", kind="Service")
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "generateName": f"{objects.name_of(service)}-",
            "namespace": objects.namespace_of(service),
            "labels": labels,
            "ownerReferences": [objects.owner_reference(owner)],
        },
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": [
            {"name": name, "port": number, "protocol": protocol} for name, number, protocol in ports
        ],
    }


def slice_key(endpoint_slice: Mapping[str, Any]) -> tuple[Any, ...]:
    """What identifies a slice's role for matching desired against existing: its port set."""
    return tuple(
        sorted(
            (p.get("name", ""), p.get("port") or 0, p.get("protocol", "TCP"))
            for p in endpoint_slice.get("ports") or ()
        )
    )
