"""The scheduler loop: binds each pending pod to a node chosen by
:func:`~localnlb.cluster.scheduler.placement.place_pod`.

Triggered by pods without a node and by node changes (a node that becomes Ready or
schedulable may take pods that were waiting). Binding sets ``spec.nodeName`` and the
``PodScheduled`` condition and records the ``Scheduled`` event ("Successfully assigned ui/ui-x
to node"); a pod that fits nowhere gets ``PodScheduled=False/Unschedulable`` and a
``FailedScheduling`` event, and is retried when nodes change.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.nodes.fargate import FargateProfile, profile_for
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.scheduler.placement import place_pod
from localnlb.cluster.store.events import Change, ChangeType
from localnlb.common.clock import rfc3339

Key = tuple[str, str]
SCHEDULER_NAME = "default-scheduler"


class SchedulerLoop:
    def __init__(
        self,
        access: Access,
        kinds: Kinds,
        events: EventRecorder,
        *,
        fargate_profiles: tuple[FargateProfile, ...] = (),
    ) -> None:
        self._access = access
        self._kinds = kinds
        self._events = events
        self._fargate_profiles = fargate_profiles
        self._waiting: set[Key] = set()

    def keys_for(self, change: Change) -> list[Key]:
        if change.resource == self._kinds.pod.store_key:
            key = (change.namespace, change.name)
            if change.type is ChangeType.DELETED or objects.spec(change.object).get("nodeName"):
                self._waiting.discard(key)
                return []
            self._waiting.add(key)
            return [key]
        return sorted(self._waiting)  # a node changed: try the waiting pods again

    def reconcile(self, key: Key) -> None:
        namespace, name = key
        pod = self._access.find(self._kinds.pod, namespace, name)
        if pod is None or objects.spec(pod).get("nodeName") or objects.is_terminating(pod):
            self._waiting.discard(key)
            return
        if objects.spec(pod).get("schedulerName", SCHEDULER_NAME) != SCHEDULER_NAME:
            return
        if profile_for(pod, self._fargate_profiles):
            self._waiting.discard(key)
            return  # Fargate's: it gets a node of its own
        nodes = self._access.items(self._kinds.node)
        placement = place_pod(pod, nodes, self._access.items(self._kinds.pod))
        now = rfc3339(self._access.registry.clock.wall())
        if placement.node_name is None:
            self._write_condition(pod, "False", now, placement.message)
            self._events.record(
                pod, reason="FailedScheduling", message=placement.message, warning=True
            )
            return
        pod["spec"]["nodeName"] = placement.node_name
        pod = self._access.update(self._kinds.pod, pod)
        self._write_condition(pod, "True", now, "")
        self._waiting.discard(key)
        self._events.record(
            pod,
            reason="Scheduled",
            message=f"Successfully assigned {namespace}/{name} to {placement.node_name}",
        )

    def _write_condition(self, pod: dict[str, Any], state: str, now: str, message: str) -> None:
        condition: dict[str, Any] = {
            "type": "PodScheduled",
            "status": state,
            "lastProbeTime": None,
            "lastTransitionTime": now,
        }
        if state == "False":
            condition.update(reason="Unschedulable", message=message)
        status = dict(pod.get("status") or {})
        others = [c for c in status.get("conditions") or () if c.get("type") != "PodScheduled"]
        previous = objects.condition(pod, "PodScheduled")
        if previous and previous.get("status") == state and previous.get("message") == message:
            return
        status["conditions"] = [*others, condition]
        status.setdefault("phase", "Pending")
        self._access.write_status(self._kinds.pod, pod, status)
