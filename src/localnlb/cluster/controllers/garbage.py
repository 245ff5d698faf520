"""The garbage collector's decision, pure: which dependents lost their owners.

An object whose every ownerReference names an owner (by uid) that no longer exists is garbage
and is deleted in the background, as upstream's GC does. An owner deleted with
``propagationPolicy=Foreground`` carries the ``foregroundDeletion`` finalizer: its dependents
with ``blockOwnerDeletion`` go first, and the finalizer is removed once none is left. Orphaning
(``propagationPolicy=Orphan``) is done by the API server, which strips the references before
the owner goes, so it needs nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.controllers import objects

FOREGROUND_FINALIZER = "foregroundDeletion"


@dataclass(frozen=True, slots=True)
class ObjectRef:
    resource: str  # "<group>/<plural>", as the store keys it
    namespace: str
    name: str
    uid: str


def orphaned(
    candidates: Iterable[tuple[str, Mapping[str, Any]]], live_uids: set[str]
) -> list[ObjectRef]:
    """Objects (given as (resource, object)) all of whose owners are gone."""
    garbage = []
    for resource, obj in candidates:
        references = objects.meta(obj).get("ownerReferences") or []
        if references and all(ref.get("uid") not in live_uids for ref in references):
            garbage.append(
                ObjectRef(
                    resource, objects.namespace_of(obj), objects.name_of(obj), objects.uid_of(obj)
                )
            )
    return garbage


def blocking_dependents(
    owner_uid: str, candidates: Iterable[tuple[str, Mapping[str, Any]]]
) -> list[ObjectRef]:
    """Dependents that must go before a foreground-deleted owner may."""
    found = []
    for resource, obj in candidates:
        for ref in objects.meta(obj).get("ownerReferences") or ():
            if ref.get("uid") == owner_uid and ref.get("blockOwnerDeletion"):
                found.append(
                    ObjectRef(
                        resource,
                        objects.namespace_of(obj),
                        objects.name_of(obj),
                        objects.uid_of(obj),
                    )
                )
                break
    return found
