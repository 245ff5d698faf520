"""Watch semantics over the store's change feed: resourceVersion starting points, selector
transitions (an object leaving a selector is DELETED for that watcher, one entering it is
ADDED), bookmarks, initial events, timeouts and 410 Gone.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.apiserver.objects import status
from localnlb.cluster.apiserver.objects.meta import clone
from localnlb.cluster.apiserver.objects.shapes import shape
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.apiserver.storage.selectable_fields import supported_fields
from localnlb.cluster.apiserver.storage.selectors import (
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)
from localnlb.cluster.schema.kinds import ResourceType
from localnlb.cluster.store import ChangeType, RevisionCompacted, Watcher

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


class WatchStream:
    """One watch, opened (selectors parsed, watcher registered) before any byte is sent, so
    bad parameters still get a plain error response; then iterated with :meth:`events`."""

    def __init__(
        self, registry: Registry, rt: ResourceType, namespace: str | None, options: WatchOptions
    ) -> None:
        self._registry = registry
        self._rt = rt
        self._options = options
        self._labels = (
            parse_label_selector(options.label_selector) if options.label_selector else ()
        )
        self._supported = supported_fields(rt.api_resource)
        self._fields = (
            parse_field_selector(options.field_selector, self._supported)
            if options.field_selector
            else ()
        )
        self._scope = namespace if rt.namespaced else None
        version = options.resource_version
        self._initial = options.send_initial_events
        if self._initial is None:
            self._initial = version in ("", "0")
        if version in ("", "0"):
            self._since = registry.store.revision
        else:
            try:
                self._since = int(version)
            except ValueError:
                raise status.bad_request(f'invalid resource version: "{version}"') from None
        self._expired: RevisionCompacted | None = None
        self._watcher: Watcher | None = None
        try:
            self._watcher = registry.store.watch(rt.store_key, self._scope, self._since)
        except RevisionCompacted as error:
            self._expired = error

    def _selected(self, obj: JsonObject | None) -> bool:
        return (
            obj is not None
            and labels_match(self._labels, (obj.get("metadata") or {}).get("labels"))
            and fields_match(self._fields, obj, self._supported)
        )

    def _shaped(self, obj: JsonObject) -> JsonObject:
        return shape(self._rt, clone(obj))

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.close()

    async def events(self) -> AsyncGenerator[JsonObject, None]:
        """Watch events ``{"type": ..., "object": ...}`` until the timeout; a too-old
        resourceVersion is an ``ERROR`` event with a 410 Expired Status, as on a real server."""
        if self._expired is not None or self._watcher is None:
            error = self._expired
            message = (
                f"too old resource version: {error.requested} ({error.oldest})" if error else ""
            )
            yield {"type": "ERROR", "object": status.gone(message).to_status()}
            return
        try:
            async for event in self._stream(self._watcher):
                yield event
        finally:
            self.close()

    async def _stream(self, watcher: Watcher) -> AsyncGenerator[JsonObject, None]:
        options, rt, store = self._options, self._rt, self._registry.store
        if self._initial:
            items, _ = store.list(rt.store_key, self._scope)
            for item in items:
                if self._selected(item):
                    yield {"type": "ADDED", "object": self._shaped(item)}
            if options.send_initial_events and options.bookmarks:
                yield _bookmark(rt, self._since, initial_end=True)
        deadline = None if options.timeout is None else time.monotonic() + options.timeout
        last_revision = self._since
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
                    yield _bookmark(rt, max(last_revision, store.revision))
                continue
            last_revision = change.revision
            kind = _transition(
                change.type, self._selected(change.object), self._selected(change.previous)
            )
            if kind:
                yield {"type": kind, "object": self._shaped(change.object)}


def _transition(change: ChangeType, now_in: bool, was_in: bool) -> str:
    """What a watcher with a selector sees of a change (objects move in and out of view)."""
    if change is ChangeType.ADDED:
        return "ADDED" if now_in else ""
    if change is ChangeType.DELETED:
        return "DELETED" if was_in else ""
    if now_in:
        return "MODIFIED" if was_in else "ADDED"
    return "DELETED" if was_in else ""


def _bookmark(rt: ResourceType, revision: int, *, initial_end: bool = False) -> JsonObject:
    metadata: JsonObject = {"resourceVersion": str(revision)}
    if initial_end:
        metadata["annotations"] = {"k8s.io/initial-events-end": "true"}
    return {
        "type": "BOOKMARK",
        "object": {"kind": rt.kind, "apiVersion": rt.group_version, "metadata": metadata},
    }
