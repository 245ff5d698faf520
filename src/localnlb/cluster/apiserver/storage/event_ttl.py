"""Events expire, as on a real cluster (kube-apiserver's --event-ttl, one hour by default):
an event not updated for the TTL is deleted, and watchers see it go."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects import meta
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.registry import Registry

JsonObject = dict[str, Any]
EVENT_TTL = 3600.0


def last_written(event: JsonObject) -> float:
    """When the event was last recorded (its newest timestamp)."""
    stamps = [
        event.get("lastTimestamp"),
        event.get("eventTime"),
        (event.get("series") or {}).get("lastObservedTime"),
        (event.get("metadata") or {}).get("creationTimestamp"),
    ]
    times = []
    for stamp in stamps:
        if isinstance(stamp, str):
            try:
                times.append(meta.parse_timestamp(stamp))
            except ValueError:
                continue
    return max(times, default=0.0)


def expire_events(registry: Registry, *, ttl: float = EVENT_TTL) -> int:
    """Delete the events older than ``ttl``; returns how many went."""
    events = registry.resource("v1", "Event")
    now = registry.clock.wall()
    removed = 0
    for event in registry.store.list(events.store_key)[0]:
        if now - last_written(event) < ttl:
            continue
        metadata = event["metadata"]
        try:
            registry.delete(events, metadata.get("namespace", ""), metadata["name"])
            removed += 1
        except ApiError:
            continue
    return removed
