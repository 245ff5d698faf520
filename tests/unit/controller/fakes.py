"""In-memory fakes for the controller's seams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from localnlb.controller.service.objects import Service
from localnlb.controller.targetgroupbinding.objects import EndpointSliceInfo, NodeInfo, PodInfo


@dataclass
class FakeClusterView:
    """A ClusterView over plain lists; tests mutate them to play cluster events."""

    services: list[Service] = field(default_factory=list)
    nodes: list[NodeInfo] = field(default_factory=list)
    slices: dict[tuple[str, str], list[EndpointSliceInfo]] = field(default_factory=dict)
    pods: list[PodInfo] = field(default_factory=list)

    def get_service(self, namespace: str, name: str) -> Service | None:
        return next((s for s in self.services if (s.namespace, s.name) == (namespace, name)), None)

    def list_nodes(self) -> Sequence[NodeInfo]:
        return list(self.nodes)

    def list_endpoint_slices(
        self, namespace: str, service_name: str
    ) -> Sequence[EndpointSliceInfo]:
        return list(self.slices.get((namespace, service_name), []))

    def list_pods(self, namespace: str) -> Sequence[PodInfo]:
        return [p for p in self.pods if p.namespace == namespace]
