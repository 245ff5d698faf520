"""The StatefulSet control loop: claims and pods in order, as
:func:`~localnlb.cluster.controllers.statefulset.plan_stateful_set` decides.

Triggered by StatefulSets and by the pods they own (a pod event names its controlling owner).
Pods are created through the admission webhooks, as the ReplicaSet loop creates them; events
carry upstream's words (``create Claim data-db-0 Pod db-0 in StatefulSet db success``,
``create Pod db-0 in StatefulSet db successful``, ``delete Pod db-2 in StatefulSet db
successful``).
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.statefulset import StatefulSetPlan, plan_stateful_set
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.runtime.owners import OwnerIndex
from localnlb.cluster.store.events import Change

Key = tuple[str, str]


class StatefulSetLoop:
    def __init__(self, access: Access, kinds: Kinds, events: EventRecorder) -> None:
        self._access = access
        self._kinds = kinds
        self._events = events
        self._owners = OwnerIndex(self._kinds.stateful_set.store_key)

    def keys_for(self, change: Change) -> list[Key]:
        return self._owners.keys_for(change)

    async def reconcile(self, key: Key) -> None:
        namespace, name = key
        stateful_set = self._access.find(self._kinds.stateful_set, namespace, name)
        if stateful_set is None:
            return
        self._owners.remember(stateful_set, key)
        plan = self._plan(stateful_set, namespace)
        if not objects.is_terminating(stateful_set):
            for claim in plan.create_claims:
                self._create_claim(stateful_set, namespace, claim)
            for pod in plan.create_pods:
                await self._access.create_admitted(self._kinds.pod, namespace, pod)
                self._record(stateful_set, "SuccessfulCreate", "create", pod["metadata"]["name"])
            for pod_name in plan.delete_pods:
                self._access.delete(self._kinds.pod, namespace, pod_name)
                self._record(stateful_set, "SuccessfulDelete", "delete", pod_name)
            if plan.create_claims or plan.create_pods or plan.delete_pods:
                plan = self._plan(stateful_set, namespace)  # status counts what now exists
        self._access.write_status(self._kinds.stateful_set, stateful_set, plan.status)

    def _plan(self, stateful_set: dict[str, Any], namespace: str) -> StatefulSetPlan:
        return plan_stateful_set(
            stateful_set,
            self._access.items(self._kinds.pod, namespace),
            self._access.items(self._kinds.claim, namespace),
            now=self._access.registry.clock.wall(),
        )

    def _create_claim(
        self,
        stateful_set: dict[str, Any],
        namespace: str,
        claim: dict[str, Any],
    ) -> None:
        claim_name = objects.name_of(claim)
        try:
            self._access.create(self._kinds.claim, namespace, claim)
        except ApiError as error:
            if error.code != 409:
                self._events.record(
                    stateful_set,
                    reason="FailedCreate",
                    message=f"create Claim {claim_name} for StatefulSet"
                    f" {objects.name_of(stateful_set)} failed error: {error.message}",
                    warning=True,
                )
                raise
            return
        pod_name = f"{objects.name_of(stateful_set)}-{claim_name.rsplit('-', 1)[1]}"
        self._events.record(
            stateful_set,
            reason="SuccessfulCreate",
            message=f"create Claim {claim_name} Pod {pod_name} in StatefulSet"
            f" {objects.name_of(stateful_set)} success",
        )

    def _record(self, stateful_set: dict[str, Any], reason: str, verb: str, pod: str) -> None:
        self._events.record(
            stateful_set,
            reason=reason,
            message=f"{verb} Pod {pod} in StatefulSet {objects.name_of(stateful_set)} successful",
        )
