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
from localnlb.controller.service.reconcile import Deployer, ServiceClient, ServiceReconciler
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


class _FinalizerWatch:
    """The Service client, noting which Services had their finalizer removed."""

    def __init__(self, inner: ServiceClient, finalized: set[str]) -> None:
        self._inner = inner
        self._finalized = finalized

    async def add_finalizer(self, service: Service, finalizer: str) -> None:
        await self._inner.add_finalizer(service, finalizer)

    async def remove_finalizer(self, service: Service, finalizer: str) -> None:
        await self._inner.remove_finalizer(service, finalizer)
        self._finalized.add(service.key)

    async def current_load_balancer_status(self, service: Service) -> dict[str, Any]:
        return await self._inner.current_load_balancer_status(service)

    async def patch_load_balancer_status(self, service: Service, status: dict[str, Any]) -> None:
        await self._inner.patch_load_balancer_status(service, status)

    async def record_event(
        self, service: Service, *, event_type: str, reason: str, message: str
    ) -> None:
        await self._inner.record_event(
            service, event_type=event_type, reason=reason, message=message
        )


class ServiceController:
    def __init__(
        self,
        *,
        services: Informer[Service],
        client: ServiceClient,
        deployer: Deployer,
        views: AwsViewProvider,
        settings: ControllerSettings,
    ) -> None:
        self._services = services
        self._views = views
        self._settings = settings
        self._lock = asyncio.Lock()
        self._finalized: set[str] = set()
        services_client = _FinalizerWatch(client, self._finalized)
        self._reconciler = ServiceReconciler(
            views=_LockedViews(views, self._lock),
            settings=settings,
            services=services_client,
            deployer=deployer,
        )

    async def reconcile(self, key: str) -> float | None:
        service = self._services.values.get(key)
        if service is None:
            return None
        self._finalized.discard(key)
        await self._reconciler.reconcile(service)
        if key in self._finalized:  # cleanup completed: the finalizer is gone
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
