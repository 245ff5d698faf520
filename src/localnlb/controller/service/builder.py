"""``build_stack``: a Service (plus a prefetched view and the settings) → its desired stack.

Pure: no I/O, no clock. A Service that is not ours, or is being deleted, builds the empty stack,
so that deploying it removes what the Service owned; the one exception is a Service being
deleted whose ``attributes`` annotation enables deletion protection, which fails the build (the
Service then stays, held by its finalizer, until the annotation changes), as with the real
controller. Errors are :class:`BuildError` with the real controller's messages.
"""

from __future__ import annotations

from localnlb.controller.model.resources import (
    ListenerSpec,
    Resource,
    TargetGroupBindingSpec,
    TargetGroupSpec,
)
from localnlb.controller.model.stack import DesiredStack
from localnlb.controller.service import constants as c
from localnlb.controller.service.annotations import AnnotationReader, parse_go_bool
from localnlb.controller.service.build_context import new_build_context
from localnlb.controller.service.build_listener import build_listener, build_listener_protocol
from localnlb.controller.service.build_load_balancer import (
    ATTR_DELETION_PROTECTION,
    build_load_balancer,
)
from localnlb.controller.service.build_security_groups import build_security_groups
from localnlb.controller.service.build_subnets import build_subnets
from localnlb.controller.service.build_target_group import build_target_group
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import Service
from localnlb.controller.service.ownership import is_pending_finalization, is_service_supported
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.service.view import BuildView


def _check_deletion_protection(service: Service) -> None:
    attributes = AnnotationReader(service.annotations).string_map(c.LB_ATTRIBUTES) or {}
    raw = attributes.get(ATTR_DELETION_PROTECTION)
    if raw is not None and parse_go_bool(raw):
        raise BuildError(
            f"deletion_protection is enabled, cannot delete the service: {service.name}"
        )


def build_stack(service: Service, *, view: BuildView, settings: ControllerSettings) -> DesiredStack:
    if not is_service_supported(service, settings):
        if is_pending_finalization(service):
            _check_deletion_protection(service)
        return DesiredStack(service.key)
    ctx = new_build_context(service, view=view, settings=settings)
    subnets = build_subnets(ctx)
    security = build_security_groups(ctx)
    load_balancer = build_load_balancer(
        ctx, subnets=subnets, security_groups=security.load_balancer_groups
    )
    subnet_cidrs = tuple(s.cidr for s in subnets)
    listeners: list[Resource[ListenerSpec]] = []
    groups: dict[str, Resource[TargetGroupSpec]] = {}
    bindings: dict[str, Resource[TargetGroupBindingSpec]] = {}
    listener_ports: set[int] = set()
    for port in service.ports:
        if port.port in listener_ports:
            # The real controller merges TCP+UDP on one port into TCP_UDP only behind a gate that
            # is off by default; localnlb has no TCP_UDP listeners at all.
            raise BuildError(
                f"port {port.port} is used by more than one Service port: TCP_UDP listeners are "
                "not supported"
            )
        listener_ports.add(port.port)
        protocol = build_listener_protocol(port)
        group, binding = build_target_group(
            ctx, port, protocol=protocol, security=security, subnet_cidrs=subnet_cidrs
        )
        group = groups.setdefault(group.id, group)
        bindings.setdefault(binding.id, binding)
        listeners.append(
            build_listener(
                ctx, port, protocol=protocol, load_balancer=load_balancer, target_group=group
            )
        )
    return DesiredStack(
        service.key,
        security_groups=(security.managed,) if security.managed else (),
        load_balancers=(load_balancer,),
        listeners=tuple(listeners),
        target_groups=tuple(groups.values()),
        target_group_bindings=tuple(bindings.values()),
    )
