"""The (core/v1) Endpoints controller's decision, as a pure function.

``kubectl describe service`` prints ``Endpoints: 10.42.105.38:8080`` from this object, so the
embedded cluster keeps it alongside the EndpointSlices. Ready pods go to ``addresses``, others to
``notReadyAddresses``; terminating pods are left out (as upstream, unless the Service publishes
not-ready addresses). Pods are grouped into subsets by their resolved port set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.endpointslices import resolve_target_port, selected_pods
from localnlb.cluster.controllers.objects import KubeObject


def build_endpoints(
    service: Mapping[str, Any], pods: Iterable[Mapping[str, Any]]
) -> KubeObject | None:
    """The Endpoints object for ``service``, or None when it has no selector (not managed)."""
    if not objects.spec(service).get("selector"):
        return None
    publish_not_ready = bool(objects.spec(service).get("publishNotReadyAddresses"))
    subsets: dict[tuple[Any, ...], dict[str, list[KubeObject]]] = {}
    for pod in sorted(selected_pods(service, pods), key=objects.name_of):
        if objects.is_terminating(pod) and not publish_not_ready:
            continue
        ports = []
        for service_port in objects.spec(service).get("ports") or ():
            number = resolve_target_port(service_port, pod)
            if number is not None:
                ports.append(
                    (service_port.get("name", ""), number, service_port.get("protocol", "TCP"))
                )
        if not ports:
            continue
        address: KubeObject = {
            "ip": objects.status(pod)["podIP"],
            "targetRef": {
                "kind": "Pod",
                "namespace": objects.namespace_of(pod),
                "name": objects.name_of(pod),
                "uid": objects.uid_of(pod),
            },
        }
        node_name = objects.spec(pod).get("nodeName")
        if node_name:
            address["nodeName"] = node_name
        ready = publish_not_ready or objects.condition_true(pod, "Ready")
        bucket = subsets.setdefault(tuple(ports), {"addresses": [], "notReadyAddresses": []})
        bucket["addresses" if ready else "notReadyAddresses"].append(address)
    endpoints: KubeObject = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {
            "name": objects.name_of(service),
            "namespace": objects.namespace_of(service),
            "labels": objects.labels_of(service),
        },
    }
    rendered = []
    for port_set, bucket in sorted(subsets.items()):
        subset: KubeObject = {
            "ports": [{"name": n, "port": p, "protocol": proto} for n, p, proto in port_set]
        }
        subset.update({key: value for key, value in bucket.items() if value})
        rendered.append(subset)
    if rendered:
        endpoints["subsets"] = rendered
    return endpoints
