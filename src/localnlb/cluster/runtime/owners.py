"""Which owner a control loop reconciles for a change: the owner itself, or the owner (by uid)
of an object it controls, as client-go's ``EnqueueRequestForOwner`` does. One per loop."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.store.events import Change

Key = tuple[str, str]  # (namespace, name)


class OwnerIndex:
    def __init__(self, owner_store_key: str) -> None:
        self._store_key = owner_store_key
        self._names: dict[str, Key] = {}  # owner uid -> (namespace, name)

    def keys_for(self, change: Change) -> list[Key]:
        """The owner's key for a change to the owner or to an object it controls; none for an
        object whose controller this loop has not seen."""
        if change.resource == self._store_key:
            self.remember(change.object, (change.namespace, change.name))
            return [(change.namespace, change.name)]
        found = self._names.get(objects.controller_owner_uid(change.object) or "")
        return [found] if found else []

    def remember(self, owner: dict[str, Any], key: Key) -> None:
        self._names[objects.uid_of(owner)] = key

    def every_owner(self) -> list[Key]:
        return sorted(set(self._names.values()))
