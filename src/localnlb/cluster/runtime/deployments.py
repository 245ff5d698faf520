"""The Deployment control loop: rolls ReplicaSets toward the Deployment's template.

Triggered by Deployments and by the ReplicaSets they own (a set's status change moves a rollout
on). Decisions come from :func:`~localnlb.cluster.controllers.deployment.plan_deployment`; this
loop writes them and records the events ``kubectl describe deployment`` shows.
"""

from __future__ import annotations

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.deployment import plan_deployment
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.runtime.owners import OwnerIndex
from localnlb.cluster.store.events import Change

Key = tuple[str, str]


class DeploymentLoop:
    def __init__(self, access: Access, kinds: Kinds, events: EventRecorder) -> None:
        self._access = access
        self._kinds = kinds
        self._events = events
        self._owners = OwnerIndex(self._kinds.deployment.store_key)

    def keys_for(self, change: Change) -> list[Key]:
        return self._owners.keys_for(change)

    def reconcile(self, key: Key) -> None:
        namespace, name = key
        deployment = self._access.find(self._kinds.deployment, namespace, name)
        if deployment is None or objects.is_terminating(deployment):
            return
        self._owners.remember(deployment, key)
        replica_sets = self._access.items(self._kinds.replica_set, namespace)
        pods = self._access.items(self._kinds.pod, namespace)
        plan = plan_deployment(
            deployment, replica_sets, pods, now=self._access.registry.clock.wall()
        )
        by_name = {objects.name_of(rs): rs for rs in replica_sets}
        if plan.create_replica_set is not None:
            created = self._access.create(
                self._kinds.replica_set, namespace, plan.create_replica_set
            )
            self._scaled(deployment, objects.name_of(created), 0, created["spec"]["replicas"])
        for rs_name, replicas in plan.scale.items():
            replica_set = by_name[rs_name]
            before = int(replica_set["spec"].get("replicas", 0))
            replica_set["spec"]["replicas"] = replicas
            annotations = plan.annotate.pop(rs_name, {})
            replica_set["metadata"].setdefault("annotations", {}).update(annotations)
            self._access.update(self._kinds.replica_set, replica_set)
            self._scaled(deployment, rs_name, before, replicas)
        for rs_name, annotations in plan.annotate.items():
            replica_set = by_name[rs_name]
            replica_set["metadata"].setdefault("annotations", {}).update(annotations)
            self._access.update(self._kinds.replica_set, replica_set)
        for rs_name in plan.delete_replica_sets:
            self._access.delete(self._kinds.replica_set, namespace, rs_name)
        current = deployment["metadata"].get("annotations") or {}
        if any(current.get(k) != v for k, v in plan.deployment_annotations.items()):
            deployment["metadata"]["annotations"] = {**current, **plan.deployment_annotations}
            deployment = self._access.update(self._kinds.deployment, deployment)
        self._access.write_status(self._kinds.deployment, deployment, plan.status)

    def _scaled(self, deployment: dict[str, object], rs_name: str, before: int, after: int) -> None:
        if before == after:
            return
        direction = "up" if after > before else "down"
        suffix = f" from {before}" if before else ""
        self._events.record(
            deployment,
            reason="ScalingReplicaSet",
            message=f"Scaled {direction} replica set {rs_name} to {after}{suffix}",
        )
