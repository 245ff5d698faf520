"""The Service controller: the shell around ``ServiceReconciler`` for one queued Service key.

Reads the Service from the cache, reconciles it (build → finalizer → deploy → status → events;
or cleanup through the empty stack), and afterwards releases the shared backend security group
when no Service holds the finalizer any more, as the real controller does after cleanup. The
backend group is created and released under one lock so concurrent reconciles never race.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from localnlb.controller.runtime.aws_view import AwsViewProvider
from localnlb.controller.runtime.informer import Informer
from localnlb.controller.service.objects import Service
from localnlb.controller.service.ownership import has_finalizer, is_service_supported
from localnlb.controller.service.reconcile import ServiceReconciler
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.service.view import BuildView


def service_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """As the real controller's event filter: annotations, spec or being deleted changed."""
    if old is None or new is None:
        return True
    old_meta, new_meta = old.get("metadata") or {}, new.get("metadata") or {}
    return (
        old_meta.get("annotations") != new_meta.get("annotations")
        or old.get("spec") != new.get("spec")
        or bool(old_meta.get("deletionTimestamp")) != bool(new_meta.get("deletionTimestamp"))
    )


class _LockedViews:
    def __init__(self, views: AwsViewProvider, lock: asyncio.Lock) -> None:
        self._views = views
        self._lock = lock

    async def build_view(self, service: Service) -> BuildView:
        async with self._lock:
            return await self._views.build_view(service)


class ServiceController:
    def __init__(
        self,
        *,
        services: Informer[Service],
        reconciler_parts: dict[str, Any],
        views: AwsViewProvider,
        settings: ControllerSettings,
    ) -> None:
        self._services = services
        self._views = views
        self._settings = settings
        self._lock = asyncio.Lock()
        self._reconciler = ServiceReconciler(
            views=_LockedViews(views, self._lock), settings=settings, **reconciler_parts
        )

    async def reconcile(self, key: str) -> float | None:
        service = self._services.values.get(key)
        if service is None:
            return None
        await self._reconciler.reconcile(service)
        if not is_service_supported(service, self._settings) and has_finalizer(service):
            await self._release_backend_group_if_unused(key)
        return None

    async def _release_backend_group_if_unused(self, cleaned: str) -> None:
        if not self._settings.enable_backend_security_group:
            return
        async with self._lock:
            others = [
                s
                for k, s in self._services.values.items()
                if k != cleaned and (has_finalizer(s) or is_service_supported(s, self._settings))
            ]
            if not others:
                await self._views.release_backend_security_group()
