"""The garbage-collector loop: deletes dependents whose owners are gone, and finishes
foreground deletions.

Any deletion of a possible owner, or an owner entering foreground deletion, triggers one sweep
(the key is constant, so a burst of deletions costs one sweep). Decisions come from
:mod:`localnlb.cluster.controllers.garbage`.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.garbage import (
    FOREGROUND_FINALIZER,
    blocking_dependents,
    orphaned,
)
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.schema.kinds import ResourceType
from localnlb.cluster.store.events import Change, ChangeType

SWEEP = ("", "sweep")


class GarbageLoop:
    def __init__(self, access: Access, kinds: Kinds) -> None:
        self._access = access
        registry = access.registry
        job = registry.resource("batch/v1", "Job")
        batch_owners = (job, registry.resource("batch/v1", "CronJob"))
        daemon_set = registry.resource("apps/v1", "DaemonSet")
        self._owners = (
            kinds.deployment,
            kinds.replica_set,
            kinds.service,
            kinds.node,
            *batch_owners,
            daemon_set,
            kinds.stateful_set,
        )
        # claims: a StatefulSet's under persistentVolumeClaimRetentionPolicy whenDeleted: Delete
        self._dependents = (
            kinds.replica_set,
            kinds.pod,
            kinds.endpoint_slice,
            job,
            kinds.claim,
        )
        self._by_key = {rt.store_key: rt for rt in (*self._owners, *self._dependents)}

    @property
    def watched(self) -> tuple[ResourceType, ...]:
        return self._owners

    def keys_for(self, change: Change) -> list[tuple[str, str]]:
        if change.type is ChangeType.DELETED:
            return [SWEEP]
        finalizers = objects.meta(change.object).get("finalizers") or []
        if FOREGROUND_FINALIZER in finalizers and objects.is_terminating(change.object):
            return [SWEEP]
        return []

    def reconcile(self, key: tuple[str, str]) -> None:
        del key
        candidates: list[tuple[str, dict[str, Any]]] = []
        for rt in self._dependents:
            candidates += [(rt.store_key, obj) for obj in self._access.items(rt)]
        owners = [(rt, obj) for rt in self._owners for obj in self._access.items(rt)]
        live = {objects.uid_of(obj) for _, obj in owners}
        for ref in orphaned(candidates, live):
            self._access.delete(
                self._by_key[ref.resource],
                ref.namespace,
                ref.name,
                {"preconditions": {"uid": ref.uid}, "propagationPolicy": "Background"},
            )
        for rt, owner in owners:
            finalizers = objects.meta(owner).get("finalizers") or []
            if FOREGROUND_FINALIZER not in finalizers or not objects.is_terminating(owner):
                continue
            blockers = blocking_dependents(objects.uid_of(owner), candidates)
            for ref in blockers:
                self._access.delete(
                    self._by_key[ref.resource],
                    ref.namespace,
                    ref.name,
                    {"propagationPolicy": "Foreground"},
                )
            if not blockers:
                owner["metadata"]["finalizers"] = [
                    f for f in finalizers if f != FOREGROUND_FINALIZER
                ]
                self._access.update(rt, owner)
