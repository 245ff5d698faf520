"""A watch with a local cache, for one kind (all namespaces): list, then watch from the list's
resourceVersion; on any error (410 Expired, a dropped connection, the API restarting) list
again and replay the differences, so no change is ever missed, only coalesced.

Objects are kept in their Kubernetes JSON form (plain dicts) and, beside them, converted once
into the domain value the controller reads (``convert``). Each change calls ``on_change(key,
old, new)`` with the raw objects (``None`` for absent), on the event loop, in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from lightkube import ALL_NS, AsyncClient

log = logging.getLogger(__name__)

ValueT = TypeVar("ValueT")
Raw = dict[str, Any]
ChangeHandler = Callable[[str, Raw | None, Raw | None], None]


def object_key(obj: Raw) -> str:
    metadata = obj.get("metadata") or {}
    namespace = metadata.get("namespace")
    return f"{namespace}/{metadata['name']}" if namespace else str(metadata["name"])


def as_dict(obj: Any) -> Raw:
    if isinstance(obj, dict):
        return dict(obj)
    converted: Raw = obj.to_dict()
    return converted


class Informer(Generic[ValueT]):
    def __init__(
        self,
        client: AsyncClient,
        resource: Any,
        *,
        convert: Callable[[Raw], ValueT],
        namespaced: bool = True,
        name: str = "",
    ) -> None:
        self._client = client
        self._resource = resource
        self._convert = convert
        self._namespaced = namespaced
        self.name = name or getattr(resource, "__name__", "objects")
        self.raw: dict[str, Raw] = {}
        self.values: dict[str, ValueT] = {}
        self.synced = asyncio.Event()
        self._handlers: list[ChangeHandler] = []

    def on_change(self, handler: ChangeHandler) -> None:
        self._handlers.append(handler)

    def _set(self, key: str, new: Raw | None) -> None:
        old = self.raw.get(key)
        if new is None:
            self.raw.pop(key, None)
            self.values.pop(key, None)
        else:
            try:
                value = self._convert(new)
            except (KeyError, ValueError, TypeError) as error:
                log.warning("ignoring unreadable %s %s: %s", self.name, key, error)
                return
            self.raw[key] = new
            self.values[key] = value
        for handler in self._handlers:
            handler(key, old, new)

    async def _list(self) -> str:
        kwargs: dict[str, Any] = {"namespace": ALL_NS} if self._namespaced else {}
        listed = self._client.list(self._resource, **kwargs)
        seen: dict[str, Raw] = {}
        async for item in listed:
            obj = as_dict(item)
            seen[object_key(obj)] = obj
        for key in [k for k in self.raw if k not in seen]:
            self._set(key, None)
        for key, obj in seen.items():
            if self.raw.get(key) != obj:
                self._set(key, obj)
        return listed.resourceVersion

    async def run(self) -> None:
        """List and watch until cancelled."""
        delay = 0.1
        while True:
            try:
                version = await self._list()
                self.synced.set()
                kwargs: dict[str, Any] = {"namespace": ALL_NS} if self._namespaced else {}
                async for kind, item in self._client.watch(
                    self._resource, resource_version=version, **kwargs
                ):
                    obj = as_dict(item)
                    if kind == "DELETED":
                        self._set(object_key(obj), None)
                    elif kind in ("ADDED", "MODIFIED"):
                        self._set(object_key(obj), obj)
                    delay = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as error:  # relist: nothing is lost, changes are coalesced
                log.info("%s watch ended (%s); listing again in %.1fs", self.name, error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
