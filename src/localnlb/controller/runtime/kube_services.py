"""The ``ServiceClient`` seam over the Kubernetes API: the finalizer, ``status.loadBalancer``
and the Service's Events.

Finalizers are changed with a merge patch that carries the resourceVersion read just before,
so a concurrent writer's finalizer is never lost (a conflict retries the reconcile). The status
goes through the ``status`` subresource; clearing it sends ``ingress: null``, since a merge
patch with an empty object would leave the old hostname in place.
"""

from __future__ import annotations

from typing import Any

from lightkube import ApiError, AsyncClient
from lightkube.resources.core_v1 import Service as ServiceResource
from lightkube.types import PatchType

from localnlb.controller.runtime.events import EventRecorder, ObjectRef
from localnlb.controller.service.objects import Service


class KubeServiceClient:
    def __init__(self, client: AsyncClient, events: EventRecorder) -> None:
        self._client = client
        self._events = events

    async def _current(self, service: Service) -> dict[str, Any]:
        obj = await self._client.get(ServiceResource, service.name, namespace=service.namespace)
        current: dict[str, Any] = obj.to_dict()
        return current

    async def _set_finalizers(self, service: Service, change: Any) -> None:
        current = await self._current(service)
        metadata = current.get("metadata") or {}
        before = list(metadata.get("finalizers") or [])
        after = change(before)
        if after == before:
            return
        await self._client.patch(
            ServiceResource,
            service.name,
            {
                "metadata": {
                    "finalizers": after or None,
                    "resourceVersion": metadata.get("resourceVersion"),
                }
            },
            namespace=service.namespace,
            patch_type=PatchType.MERGE,
        )

    async def add_finalizer(self, service: Service, finalizer: str) -> None:
        await self._set_finalizers(
            service, lambda names: names if finalizer in names else [*names, finalizer]
        )

    async def remove_finalizer(self, service: Service, finalizer: str) -> None:
        try:
            await self._set_finalizers(service, lambda names: [n for n in names if n != finalizer])
        except ApiError as error:
            if error.status.code != 404:  # already gone: nothing to remove
                raise

    async def current_load_balancer_status(self, service: Service) -> dict[str, Any]:
        current = await self._current(service)
        status: dict[str, Any] = (current.get("status") or {}).get("loadBalancer") or {}
        return status

    async def patch_load_balancer_status(self, service: Service, status: dict[str, Any]) -> None:
        body = status if status else {"ingress": None}
        await self._client.patch(
            ServiceResource.Status,
            service.name,
            {"status": {"loadBalancer": body}},
            namespace=service.namespace,
            patch_type=PatchType.MERGE,
        )

    async def record_event(
        self, service: Service, *, event_type: str, reason: str, message: str
    ) -> None:
        ref = ObjectRef("v1", "Service", service.namespace, service.name, service.uid)
        await self._events.record(ref, event_type=event_type, reason=reason, message=message)
