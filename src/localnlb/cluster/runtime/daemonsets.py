"""The DaemonSet control loop: one daemon pod on every node that should run one.

Triggered by DaemonSets, by the pods they own and by any node change (a node joining, a label
or taint changing can change where daemons run); decisions come from
:func:`~localnlb.cluster.controllers.daemonset.plan_daemon_set`.
"""

from __future__ import annotations

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.daemonset import daemon_pod, plan_daemon_set
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.runtime.owners import OwnerIndex
from localnlb.cluster.store.events import Change

Key = tuple[str, str]


class DaemonSetLoop:
    def __init__(self, access: Access, kinds: Kinds, events: EventRecorder) -> None:
        self._access = access
        self._kinds = kinds
        self.daemon_set = access.registry.resource("apps/v1", "DaemonSet")
        self._events = events
        self._owners = OwnerIndex(self.daemon_set.store_key)

    def keys_for(self, change: Change) -> list[Key]:
        if change.resource == self._kinds.node.store_key:
            return self._owners.every_owner()
        return self._owners.keys_for(change)

    async def reconcile(self, key: Key) -> None:
        namespace, name = key
        daemon_set = self._access.find(self.daemon_set, namespace, name)
        if daemon_set is None:
            return
        self._owners.remember(daemon_set, key)
        nodes = self._access.items(self._kinds.node)
        now = self._access.registry.clock.wall()
        pods = self._access.items(self._kinds.pod, namespace)
        plan = plan_daemon_set(daemon_set, nodes, pods, now=now)
        if not objects.is_terminating(daemon_set):
            for pod_name in plan.delete:
                self._access.delete(self._kinds.pod, namespace, pod_name)
                self._events.record(
                    daemon_set, reason="SuccessfulDelete", message=f"Deleted pod: {pod_name}"
                )
            for node_name in plan.create:
                pod = await self._access.create_admitted(
                    self._kinds.pod, namespace, daemon_pod(daemon_set, node_name)
                )
                self._events.record(
                    daemon_set,
                    reason="SuccessfulCreate",
                    message=f"Created pod: {objects.name_of(pod)}",
                )
            for event in plan.events:
                self._events.record(
                    daemon_set, reason=event.reason, message=event.message, warning=event.warning
                )
        if plan.create or plan.delete:
            pods = self._access.items(self._kinds.pod, namespace)
            plan = plan_daemon_set(daemon_set, nodes, pods, now=now)
        self._access.write_status(self.daemon_set, daemon_set, plan.status)
