"""The scheduler loop: binds each pending pod to a node chosen by
:func:`~localnlb.cluster.scheduler.placement.place_pod`.

Triggered by pods without a node and by node changes (a node that becomes Ready or
schedulable may take pods that were waiting). Binding sets ``spec.nodeName`` and the
``PodScheduled`` condition and records the ``Scheduled`` event ("Successfully assigned ui/ui-x
to node"); a pod that fits nowhere gets ``PodScheduled=False/Unschedulable`` and a
``FailedScheduling`` event, and is retried when nodes change. A pod with persistent volume
claims is bound only once they all are (:mod:`~localnlb.cluster.scheduler.volume_binding`): its
unbound claims are first annotated with the chosen node, and claim changes retry it.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.volumes import SELECTED_NODE_ANNOTATION
from localnlb.cluster.nodes.fargate import FargateProfile, profile_for
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.scheduler.placement import place_pod
from localnlb.cluster.scheduler.volume_binding import missing_message, volume_binding
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
        now = rfc3339(self._access.registry.clock.wall())
        binding = volume_binding(
            pod,
            self._access.items(self._kinds.claim, namespace),
            self._access.items(self._kinds.volume),
        )
        if binding.missing:
            message = missing_message(binding.missing, len(nodes))
            self._write_condition(pod, "False", now, message)
            self._events.record(pod, reason="FailedScheduling", message=message, warning=True)
            return
        if binding.pinned_nodes is not None:
            nodes = [n for n in nodes if objects.name_of(n) in binding.pinned_nodes]
        placement = place_pod(pod, nodes, self._access.items(self._kinds.pod))
        if placement.node_name is not None and binding.unbound:
            self._select_node(namespace, binding.unbound, placement.node_name)
            return  # the provisioner binds the claims; their change brings the pod back
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

    def _select_node(self, namespace: str, claims: tuple[str, ...], node_name: str) -> None:
        for name in claims:
            claim = self._access.find(self._kinds.claim, namespace, name)
            annotations = (claim or {}).get("metadata", {}).setdefault("annotations", {})
            if claim is None or annotations.get(SELECTED_NODE_ANNOTATION):
                continue
            annotations[SELECTED_NODE_ANNOTATION] = node_name
            self._access.update(self._kinds.claim, claim)

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
