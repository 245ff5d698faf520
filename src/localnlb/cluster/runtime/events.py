"""Kubernetes Events, recorded the way client-go's recorder writes them.

``kubectl describe`` shows them (``Normal  ScalingReplicaSet  2s  deployment-controller  Scaled
up replica set ui-5f8c9b6d7 to 1``). A repeat of the same (object, reason, message) bumps the
existing event's ``count`` and ``lastTimestamp`` instead of creating a new one, as upstream's
correlator does.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.controllers import objects
from localnlb.cluster.schema.kinds import ResourceType
from localnlb.common.clock import rfc3339


class EventRecorder:
    def __init__(self, registry: Registry, event_type: ResourceType, component: str) -> None:
        self._registry = registry
        self._event_type = event_type
        self._component = component
        self._seen: dict[tuple[str, str, str], str] = {}  # (uid, reason, message) -> event name

    def record(
        self,
        involved: Mapping[str, Any],
        *,
        reason: str,
        message: str,
        warning: bool = False,
        host: str = "",
        field_path: str = "",
    ) -> None:
        namespace = objects.namespace_of(involved) or "default"
        now = rfc3339(self._registry.clock.wall())
        key = (objects.uid_of(involved), f"{field_path}/{reason}", message)
        existing = self._seen.get(key)
        if existing is not None and self._bump(namespace, existing, now):
            return
        name = f"{objects.name_of(involved)}.{secrets.token_hex(8)}"
        source: dict[str, str] = {"component": self._component}
        if host:
            source["host"] = host
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": {
                "apiVersion": involved.get("apiVersion", ""),
                "kind": involved.get("kind", ""),
                "name": objects.name_of(involved),
                "namespace": objects.namespace_of(involved),
                "uid": objects.uid_of(involved),
                "resourceVersion": objects.meta(involved).get("resourceVersion", ""),
                **({"fieldPath": field_path} if field_path else {}),
            },
            "reason": reason,
            "message": message,
            "type": "Warning" if warning else "Normal",
            "source": source,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "reportingComponent": self._component,
            "reportingInstance": host,
        }
        try:
            self._registry.create(self._event_type, namespace, event, manager=self._component)
        except ApiError:
            return  # events are best effort, as upstream: never fail a reconcile over one
        self._seen[key] = name

    def _bump(self, namespace: str, name: str, now: str) -> bool:
        try:
            event = self._registry.get(self._event_type, namespace, name)
            event["count"] = int(event.get("count", 1)) + 1
            event["lastTimestamp"] = now
            self._registry.update(self._event_type, namespace, name, event, manager=self._component)
        except ApiError:
            return False
        return True
