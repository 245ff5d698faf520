"""Watch semantics over the store's change feed: resourceVersion starting points, selector
transitions (an object leaving a selector is DELETED for that watcher, one entering it is
ADDED), bookmarks, initial events, timeouts and 410 Gone.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.apiserver import status
from localnlb.cluster.apiserver.field_selectors import supported_fields
from localnlb.cluster.apiserver.registry import Registry
from localnlb.cluster.apiserver.selectors import (
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)
from localnlb.cluster.schema.kinds import ResourceType
from localnlb.cluster.store import ChangeType, RevisionCompacted

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WatchOptions:
    resource_version: str = ""
    label_selector: str = ""
    field_selector: str = ""
    bookmarks: bool = False
    send_initial_events: bool | None = None
    timeout: float | None = None
    bookmark_interval: float = 60.0


async def watch(
    registry: Registry, rt: ResourceType, namespace: str | None, options: WatchOptions
) -> AsyncGenerator[JsonObject, None]:
    """Yield watch events ``{"type": ..., "object": ...}`` until the timeout; errors as
    ``ERROR`` events (as the real server sends a too-old resourceVersion)."""
    labels = parse_label_selector(options.label_selector) if options.label_selector else ()
    supported = supported_fields(rt.store_key)
    fields = (
        parse_field_selector(options.field_selector, supported) if options.field_selector else ()
    )
    scope = namespace if rt.namespaced else None

    def selected(obj: JsonObject | None) -> bool:
        return (
            obj is not None
            and labels_match(labels, (obj.get("metadata") or {}).get("labels"))
            and fields_match(fields, obj, supported)
        )

    def shaped(obj: JsonObject) -> JsonObject:
        return {**obj, "apiVersion": rt.group_version, "kind": rt.kind}

    version = options.resource_version
    initial = options.send_initial_events
    if initial is None:
        initial = version in ("", "0")
    if version in ("", "0"):
        since = registry.store.revision
    else:
        try:
            since = int(version)
        except ValueError:
            raise status.bad_request(f'invalid resource version: "{version}"') from None
    try:
        watcher = registry.store.watch(rt.store_key, scope, since)
    except RevisionCompacted as error:
        yield {
            "type": "ERROR",
            "object": status.gone(
                f"too old resource version: {error.requested} ({error.oldest})"
            ).to_status(),
        }
        return
    try:
        if initial:
            items, _ = registry.store.list(rt.store_key, scope)
            for item in items:
                if selected(item):
                    yield {"type": "ADDED", "object": shaped(item)}
            if options.send_initial_events and options.bookmarks:
                yield _bookmark(rt, since, initial_end=True)
        deadline = None if options.timeout is None else time.monotonic() + options.timeout
        last_revision = since
        while True:
            wait = options.bookmark_interval if options.bookmarks else None
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                wait = remaining if wait is None else min(wait, remaining)
            change = await watcher.next(wait)
            if change is None:
                if options.bookmarks and (deadline is None or time.monotonic() < deadline):
                    yield _bookmark(rt, max(last_revision, registry.store.revision))
                continue
            last_revision = change.revision
            now_in, was_in = selected(change.object), selected(change.previous)
            if change.type is ChangeType.ADDED and now_in:
                yield {"type": "ADDED", "object": shaped(change.object)}
            elif change.type is ChangeType.DELETED and was_in:
                yield {"type": "DELETED", "object": shaped(change.object)}
            elif change.type is ChangeType.MODIFIED:
                if now_in and was_in:
                    yield {"type": "MODIFIED", "object": shaped(change.object)}
                elif now_in:
                    yield {"type": "ADDED", "object": shaped(change.object)}
                elif was_in:
                    yield {"type": "DELETED", "object": shaped(change.object)}
    finally:
        watcher.close()


def _bookmark(rt: ResourceType, revision: int, *, initial_end: bool = False) -> JsonObject:
    metadata: JsonObject = {"resourceVersion": str(revision)}
    if initial_end:
        metadata["annotations"] = {"k8s.io/initial-events-end": "true"}
    return {
        "type": "BOOKMARK",
        "object": {"kind": rt.kind, "apiVersion": rt.group_version, "metadata": metadata},
    }
