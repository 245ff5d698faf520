"""How a stored object looks to the clients of one served type, and back.

Every object leaves with its type's apiVersion and kind; Events asked for through
events.k8s.io/v1 are converted from (and back to) the core shape they are stored in.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects import event_versions
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]


def shape(rt: ResourceType, stored: JsonObject) -> JsonObject:
    """A stored object as clients of ``rt`` see it (apiVersion, kind, events.k8s.io view)."""
    if rt.store_key != rt.api_resource and rt.api_resource == "events.k8s.io/events":
        stored = event_versions.from_core(stored)
    stored["apiVersion"] = rt.group_version
    stored["kind"] = rt.kind
    return stored


def stored_shape(rt: ResourceType, obj: JsonObject) -> JsonObject:
    if rt.api_resource == "events.k8s.io/events":
        return event_versions.to_core(obj)
    return obj
