"""The binding controller's ``ClusterView`` over the informers' caches.

Reads never touch the API server: Services, Nodes, Pods and EndpointSlices come from the local
caches the watches keep, already converted to the core's values. Slices are found by their
``kubernetes.io/service-name`` label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from localnlb.controller.runtime.informer import Informer
from localnlb.controller.service.objects import Service
from localnlb.controller.targetgroupbinding.objects import (
    EndpointSliceInfo,
    NodeInfo,
    PodInfo,
    endpoint_slice_from_object,
)

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True, slots=True)
class OwnedSlice:
    namespace: str
    service_name: str
    slice: EndpointSliceInfo


def owned_slice_from_object(obj: dict[str, Any]) -> OwnedSlice:
    metadata = obj.get("metadata") or {}
    return OwnedSlice(
        namespace=str(metadata.get("namespace", "")),
        service_name=str((metadata.get("labels") or {}).get(SERVICE_NAME_LABEL, "")),
        slice=endpoint_slice_from_object(obj),
    )


class CacheClusterView:
    def __init__(
        self,
        *,
        services: Informer[Service],
        nodes: Informer[NodeInfo],
        pods: Informer[PodInfo],
        slices: Informer[OwnedSlice],
    ) -> None:
        self.services = services
        self.nodes = nodes
        self.pods = pods
        self.slices = slices

    def get_service(self, namespace: str, name: str) -> Service | None:
        return self.services.values.get(f"{namespace}/{name}")

    def list_nodes(self) -> Sequence[NodeInfo]:
        return list(self.nodes.values.values())

    def list_endpoint_slices(
        self, namespace: str, service_name: str
    ) -> Sequence[EndpointSliceInfo]:
        return [
            owned.slice
            for owned in self.slices.values.values()
            if owned.namespace == namespace and owned.service_name == service_name
        ]

    def list_pods(self, namespace: str) -> Sequence[PodInfo]:
        return [p for p in self.pods.values.values() if p.namespace == namespace]

    def raw_pod(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self.pods.raw.get(f"{namespace}/{name}")
