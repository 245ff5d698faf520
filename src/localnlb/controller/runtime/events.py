"""Kubernetes Events for the objects the controller reconciles (core/v1, what ``kubectl
describe`` lists), aggregated as client-go's recorder does: the same (object, type, reason,
message) again bumps ``count`` and ``lastTimestamp`` of the existing Event instead of adding a
new one. Recording is best effort: a failure is logged, never fails a reconcile.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from lightkube import ApiError, AsyncClient
from lightkube.resources.core_v1 import Event
from lightkube.types import PatchType

from localnlb.common.clock import rfc3339

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ObjectRef:
    api_version: str
    kind: str
    namespace: str
    name: str
    uid: str


class EventRecorder:
    def __init__(self, client: AsyncClient, *, component: str) -> None:
        self._client = client
        self._component = component
        self._seen: dict[tuple[str, str, str, str], tuple[str, int]] = {}

    async def record(self, ref: ObjectRef, *, event_type: str, reason: str, message: str) -> None:
        key = (ref.uid or f"{ref.namespace}/{ref.name}", event_type, reason, message)
        try:
            previous = self._seen.get(key)
            if previous is not None and await self._bump(ref.namespace, *previous):
                self._seen[key] = (previous[0], previous[1] + 1)
                return
            name = f"{ref.name}.{secrets.token_hex(8)}"
            now = rfc3339(time.time())
            event: Event = Event.from_dict(  # type: ignore[assignment]
                {
                    "metadata": {"name": name, "namespace": ref.namespace},
                    "involvedObject": {
                        "apiVersion": ref.api_version,
                        "kind": ref.kind,
                        "namespace": ref.namespace,
                        "name": ref.name,
                        "uid": ref.uid,
                    },
                    "type": event_type,
                    "reason": reason,
                    "message": message,
                    "source": {"component": self._component},
                    "reportingComponent": self._component,
                    "firstTimestamp": now,
                    "lastTimestamp": now,
                    "count": 1,
                }
            )
            await self._client.create(event)
            self._seen[key] = (name, 1)
        except Exception as error:
            log.info(
                "could not record event %s on %s/%s: %s", reason, ref.namespace, ref.name, error
            )

    async def _bump(self, namespace: str, name: str, count: int) -> bool:
        try:
            await self._client.patch(
                Event,
                name,
                {"count": count + 1, "lastTimestamp": rfc3339(time.time())},
                namespace=namespace,
                patch_type=PatchType.MERGE,
            )
        except ApiError as error:
            if error.status.code == 404:
                return False
            raise
        return True
