"""One Service reconcile, in the real controller's order, over small seams.

Build first (a build error becomes a ``FailedBuildModel`` Warning and nothing else happens).
A stack with a load balancer: add the finalizer, deploy, write the status hostname if it
changed, report accepted-but-ignored annotations, record ``SuccessfullyReconciled``. The empty
stack (Service deleted, or no longer ours) while the finalizer is still there: deploy it (which
deletes everything), clear the status, remove the finalizer.
"""

from __future__ import annotations

from typing import Any, Protocol

from localnlb.controller.deploy.deployer import DeployResult
from localnlb.controller.model.stack import DesiredStack
from localnlb.controller.service import constants as c
from localnlb.controller.service.builder import build_stack
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import Service
from localnlb.controller.service.ownership import has_finalizer, should_reconcile
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.service.status import (
    build_load_balancer_status,
    empty_load_balancer_status,
)
from localnlb.controller.service.unsupported import (
    collect_annotation_warnings,
    format_warning_event,
)
from localnlb.controller.service.view import BuildView


class ServiceClient(Protocol):
    async def add_finalizer(self, service: Service, finalizer: str) -> None: ...

    async def remove_finalizer(self, service: Service, finalizer: str) -> None: ...

    async def current_load_balancer_status(self, service: Service) -> dict[str, Any]: ...

    async def patch_load_balancer_status(self, service: Service, status: dict[str, Any]) -> None:
        """Patch ``status.loadBalancer`` (the status subresource)."""
        ...

    async def record_event(
        self, service: Service, *, event_type: str, reason: str, message: str
    ) -> None: ...


class ViewProvider(Protocol):
    async def build_view(self, service: Service) -> BuildView:
        """Subnets, the existing load balancer, the backend security group (EC2/ELBv2 reads)."""
        ...


class Deployer(Protocol):
    async def deploy(self, stack: DesiredStack) -> DeployResult: ...


class ServiceReconciler:
    def __init__(
        self,
        *,
        services: ServiceClient,
        views: ViewProvider,
        deployer: Deployer,
        settings: ControllerSettings,
    ) -> None:
        self._services = services
        self._views = views
        self._deployer = deployer
        self._settings = settings

    async def reconcile(self, service: Service) -> None:
        """Raises on deploy failures (after recording the event), so the caller retries."""
        if not should_reconcile(service, self._settings):
            return
        view = await self._views.build_view(service)
        try:
            stack = build_stack(service, view=view, settings=self._settings)
        except BuildError as error:
            await self._warn(
                service, c.EVENT_FAILED_BUILD_MODEL, c.MESSAGE_FAILED_BUILD_MODEL, error
            )
            return
        if stack.is_empty:
            await self._cleanup(service, stack)
        else:
            await self._reconcile(service, stack)

    async def _reconcile(self, service: Service, stack: DesiredStack) -> None:
        if not has_finalizer(service):
            await self._services.add_finalizer(service, c.SERVICE_FINALIZER)
        result = await self._deploy(service, stack)
        if result.dns_name is not None:
            status = build_load_balancer_status(service, result.dns_name)
            if await self._services.current_load_balancer_status(service) != status:
                await self._services.patch_load_balancer_status(service, status)
        warnings = collect_annotation_warnings(service.annotations)
        if warnings:
            await self._services.record_event(
                service,
                event_type=c.EVENT_TYPE_WARNING,
                reason=c.EVENT_UNSUPPORTED_ANNOTATIONS,
                message=format_warning_event(warnings),
            )
        await self._services.record_event(
            service,
            event_type=c.EVENT_TYPE_NORMAL,
            reason=c.EVENT_SUCCESSFULLY_RECONCILED,
            message=c.MESSAGE_SUCCESSFULLY_RECONCILED,
        )

    async def _cleanup(self, service: Service, stack: DesiredStack) -> None:
        if not has_finalizer(service):
            return
        await self._deploy(service, stack)
        if await self._services.current_load_balancer_status(service) != {}:
            await self._services.patch_load_balancer_status(service, empty_load_balancer_status())
        await self._services.remove_finalizer(service, c.SERVICE_FINALIZER)

    async def _deploy(self, service: Service, stack: DesiredStack) -> DeployResult:
        try:
            return await self._deployer.deploy(stack)
        except Exception as error:
            await self._warn(
                service, c.EVENT_FAILED_DEPLOY_MODEL, c.MESSAGE_FAILED_DEPLOY_MODEL, error
            )
            raise

    async def _warn(self, service: Service, reason: str, template: str, error: Exception) -> None:
        await self._services.record_event(
            service,
            event_type=c.EVENT_TYPE_WARNING,
            reason=reason,
            message=template.format(error=error),
        )
