"""The ReplicaSet control loop: keeps each set's pods at its replica count.

Triggered by changes to ReplicaSets and to the pods they own (a pod event names its controlling
owner). Decisions come from :func:`~localnlb.cluster.controllers.replicaset.plan_replica_set`.
"""

from __future__ import annotations

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.podtemplates import pod_from_template
from localnlb.cluster.controllers.replicaset import plan_replica_set
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.runtime.owners import OwnerIndex
from localnlb.cluster.store.events import Change

Key = tuple[str, str]


class ReplicaSetLoop:
    def __init__(self, access: Access, kinds: Kinds, events: EventRecorder) -> None:
        self._access = access
        self._kinds = kinds
        self._events = events
        self._owners = OwnerIndex(self._kinds.replica_set.store_key)

    def keys_for(self, change: Change) -> list[Key]:
        return self._owners.keys_for(change)

    async def reconcile(self, key: Key) -> None:
        namespace, name = key
        replica_set = self._access.find(self._kinds.replica_set, namespace, name)
        if replica_set is None:
            return
        self._owners.remember(replica_set, key)
        pods = self._access.items(self._kinds.pod, namespace)
        plan = plan_replica_set(replica_set, pods, now=self._access.registry.clock.wall())
        if not objects.is_terminating(replica_set):
            for _ in range(plan.create):
                pod = await self._access.create_admitted(
                    self._kinds.pod, namespace, pod_from_template(replica_set)
                )
                self._events.record(
                    replica_set,
                    reason="SuccessfulCreate",
                    message=f"Created pod: {objects.name_of(pod)}",
                )
            for pod_name in plan.delete:
                self._access.delete(self._kinds.pod, namespace, pod_name)
                self._events.record(
                    replica_set, reason="SuccessfulDelete", message=f"Deleted pod: {pod_name}"
                )
        if plan.create or plan.delete:
            # Status must count what now exists: re-plan against the pods after the writes.
            pods = self._access.items(self._kinds.pod, namespace)
            plan = plan_replica_set(replica_set, pods, now=self._access.registry.clock.wall())
        self._access.write_status(self._kinds.replica_set, replica_set, plan.status)
