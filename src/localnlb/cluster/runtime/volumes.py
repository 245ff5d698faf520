"""The persistent-volume loop: claims bound to local-path volumes whose data live in the state
dir, and volumes released or deleted when their claim goes.

Decisions come from :mod:`~localnlb.cluster.controllers.volumes`; this shell writes them and does
the provisioner's file work: it makes ``<volumes root>/<pv name>/`` before the volume is created
and removes it when a volume with reclaim policy ``Delete`` is deleted. Keys are
``(namespace, claim)`` for claims and ``("", pv)`` for volumes; a class change looks at every
pending claim again.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.volumes import (
    plan_claim,
    plan_volume,
    volume_directory,
)
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.store.events import Change, ChangeType

Key = tuple[str, str]
_log = logging.getLogger(__name__)
_VOLUME = "\0pv"  # the namespace part of a volume's key: no claim's namespace looks like it


class VolumeLoop:
    def __init__(
        self, access: Access, kinds: Kinds, events: EventRecorder, *, volumes_root: Path
    ) -> None:
        self._access = access
        self._kinds = kinds
        self._events = events
        self._root = volumes_root
        self._waiting_for_consumer: set[Key] = set()
        self._unbound: set[Key] = set()  # claims a new or changed class may now provision

    @property
    def watched(self) -> tuple[Any, ...]:
        return (self._kinds.claim, self._kinds.volume, self._kinds.storage_class)

    def keys_for(self, change: Change) -> list[Key]:
        if change.resource == self._kinds.claim.store_key:
            volume = objects.spec(change.object).get("volumeName")
            keys = [(change.namespace, change.name)]
            if volume or change.type is ChangeType.DELETED:
                self._unbound.discard(keys[0])
            else:
                self._unbound.add(keys[0])
            if change.type is ChangeType.DELETED and volume:
                keys.append((_VOLUME, str(volume)))
            return keys
        if change.resource == self._kinds.volume.store_key:
            return [(_VOLUME, change.name)]
        return sorted(self._unbound)

    def reconcile(self, key: Key) -> None:
        namespace, name = key
        if namespace == _VOLUME:
            self._reconcile_volume(name)
        else:
            self._reconcile_claim(namespace, name)

    def _reconcile_claim(self, namespace: str, name: str) -> None:
        claim = self._access.find(self._kinds.claim, namespace, name)
        if claim is None:
            return
        plan = plan_claim(
            claim,
            self._access.items(self._kinds.storage_class),
            self._access.items(self._kinds.volume),
            volumes_root=str(self._root),
        )
        if plan.waiting_for_consumer and (namespace, name) not in self._waiting_for_consumer:
            self._waiting_for_consumer.add((namespace, name))
            self._events.record(
                claim,
                reason="WaitForFirstConsumer",
                message="waiting for first consumer to be created before binding",
            )
        if plan.create_volume is not None:
            self._provision(claim, plan.create_volume)
        if plan.claim is not None:
            claim = self._access.update(self._kinds.claim, plan.claim)
        if plan.claim_status is not None:
            merged = {**objects.status(claim), **plan.claim_status}
            self._access.write_status(self._kinds.claim, claim, merged)

    def _provision(self, claim: dict[str, Any], volume: dict[str, Any]) -> None:
        directory = volume_directory(volume)
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
        try:
            self._access.create(self._kinds.volume, "", volume)
        except ApiError as error:
            if error.code != 409:  # made by an earlier attempt whose claim update lost a race
                raise
        self._waiting_for_consumer.discard((objects.namespace_of(claim), objects.name_of(claim)))
        self._events.record(
            claim,
            reason="ProvisioningSucceeded",
            message=f"Successfully provisioned volume {objects.name_of(volume)}",
        )

    def _reconcile_volume(self, name: str) -> None:
        volume = self._access.find(self._kinds.volume, "", name)
        if volume is None:
            return
        reference = objects.spec(volume).get("claimRef") or {}
        claims = self._access.items(self._kinds.claim, reference.get("namespace") or None)
        plan = plan_volume(volume, claims)
        if plan.delete:
            self._access.delete(self._kinds.volume, "", name)
            directory = volume_directory(volume)
            if directory and self._owns(Path(directory)):
                shutil.rmtree(directory, ignore_errors=True)
                _log.info("volume %s deleted with its data in %s", name, directory)
            return
        self._access.write_status(self._kinds.volume, volume, plan.status)

    def _owns(self, directory: Path) -> bool:
        """Only a directory of this state dir's volumes is ever removed."""
        return directory.resolve().parent == self._root.resolve()
