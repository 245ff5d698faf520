"""What the binding controller reads from the cluster, as a Protocol over its caches.

The Kubernetes shell (a follow-up) implements it over watches; unit tests use an in-memory fake.
Reads are synchronous: they come from caches, never from the API server directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from localnlb.controller.service.objects import Service
from localnlb.controller.targetgroupbinding.objects import EndpointSliceInfo, NodeInfo, PodInfo


class ClusterView(Protocol):
    def get_service(self, namespace: str, name: str) -> Service | None: ...

    def list_nodes(self) -> Sequence[NodeInfo]: ...

    def list_endpoint_slices(
        self, namespace: str, service_name: str
    ) -> Sequence[EndpointSliceInfo]:
        """Slices labelled ``kubernetes.io/service-name=<service_name>``."""
        ...

    def list_pods(self, namespace: str) -> Sequence[PodInfo]: ...
