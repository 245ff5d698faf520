"""The served types the control loops use, resolved once from the registry's catalog."""

from __future__ import annotations

from dataclasses import dataclass

from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.schema.kinds import ResourceType


@dataclass(frozen=True, slots=True)
class Kinds:
    pod: ResourceType
    node: ResourceType
    service: ResourceType
    endpoints: ResourceType
    endpoint_slice: ResourceType
    replica_set: ResourceType
    deployment: ResourceType
    event: ResourceType
    lease: ResourceType
    namespace: ResourceType
    config_map: ResourceType
    secret: ResourceType
    claim: ResourceType
    volume: ResourceType
    storage_class: ResourceType
    stateful_set: ResourceType

    @classmethod
    def resolve(cls, registry: Registry) -> Kinds:
        return cls(
            pod=registry.resource("v1", "Pod"),
            node=registry.resource("v1", "Node"),
            service=registry.resource("v1", "Service"),
            endpoints=registry.resource("v1", "Endpoints"),
            endpoint_slice=registry.resource("discovery.k8s.io/v1", "EndpointSlice"),
            replica_set=registry.resource("apps/v1", "ReplicaSet"),
            deployment=registry.resource("apps/v1", "Deployment"),
            event=registry.resource("v1", "Event"),
            lease=registry.resource("coordination.k8s.io/v1", "Lease"),
            namespace=registry.resource("v1", "Namespace"),
            config_map=registry.resource("v1", "ConfigMap"),
            secret=registry.resource("v1", "Secret"),
            claim=registry.resource("v1", "PersistentVolumeClaim"),
            volume=registry.resource("v1", "PersistentVolume"),
            storage_class=registry.resource("storage.k8s.io/v1", "StorageClass"),
            stateful_set=registry.resource("apps/v1", "StatefulSet"),
        )
