"""One target group per Service port, and the TargetGroupBinding that fills it with targets.

Target type: ``nlb-ip`` or ``nlb-target-type: ip`` → ip; otherwise instance (the default
``--default-target-type``), which needs a NodePort. The target group's port is the NodePort
(instance) or the numeric targetPort (ip; ``1`` for a named targetPort, since targets always
carry their own port). Its name hashes what makes it immutable, so a change of target type,
port, protocol, health-check protocol or interval gives a new target group.
"""

from __future__ import annotations

from localnlb.controller.model.enums import (
    IpAddressType,
    Protocol,
    TargetGroupIpAddressType,
    TargetType,
)
from localnlb.controller.model.resources import (
    TARGET_GROUP_BINDING_TYPE,
    TARGET_GROUP_TYPE,
    HealthCheckConfig,
    Resource,
    ServiceReference,
    TargetGroupBindingSpec,
    TargetGroupSpec,
)
from localnlb.controller.service import constants as c
from localnlb.controller.service.build_context import BuildContext
from localnlb.controller.service.build_health_check import build_health_check
from localnlb.controller.service.build_networking import build_binding_networking
from localnlb.controller.service.build_security_groups import SecurityGroupPlan
from localnlb.controller.service.build_target_group_attributes import (
    build_target_group_attributes,
    preserve_client_ip,
)
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.naming import target_group_name
from localnlb.controller.service.objects import SERVICE_TYPE_CLUSTER_IP, ServicePort

TARGET_GROUP_ARN_FIELD = "targetGroupARN"


def target_group_resource_id(ctx: BuildContext, port: ServicePort) -> str:
    return f"{ctx.stack_id}:{port.port}"


def build_target_type(ctx: BuildContext, port: ServicePort) -> TargetType:
    lb_type = ctx.annotations.string(c.LB_TYPE)
    target_type = ctx.annotations.string(c.TARGET_TYPE)
    if target_type is None:
        target_type = ctx.settings.default_target_type.value
    if target_type == TargetType.IP and not ctx.settings.enable_ip_target_type:
        raise BuildError("unsupported targetType: ip when EnableIPTargetType is false")
    if lb_type == c.LB_TYPE_NLB_IP or target_type == TargetType.IP:
        return TargetType.IP
    if ctx.service.type == SERVICE_TYPE_CLUSTER_IP:
        raise BuildError(
            f'unsupported service type "{ctx.service.type}" for load balancer target type '
            f'"{target_type}"'
        )
    if port.node_port == 0 and ctx.service.allocate_load_balancer_node_ports is False:
        raise BuildError("unable to support instance target type with an unallocated NodePort")
    return TargetType.INSTANCE


def build_target_group_port(target_type: TargetType, port: ServicePort) -> int:
    if target_type is TargetType.INSTANCE:
        return port.node_port
    return port.target_port if isinstance(port.target_port, int) else 1


def _ip_address_type(ctx: BuildContext) -> TargetGroupIpAddressType:
    if "IPv6" in ctx.service.ip_families:
        if ctx.ip_address_type is not IpAddressType.DUALSTACK:
            raise BuildError("unsupported IPv6 configuration, lb not dual-stack")
        return TargetGroupIpAddressType.IPV6
    return TargetGroupIpAddressType.IPV4


def _name(
    ctx: BuildContext,
    *,
    port: ServicePort,
    group_port: int,
    target_type: TargetType,
    protocol: Protocol,
    health_check: HealthCheckConfig,
) -> str:
    service = ctx.service
    return target_group_name(
        cluster_name=ctx.settings.cluster_name,
        namespace=service.namespace,
        name=service.name,
        uid=service.uid,
        target_group_port=group_port,
        service_port=port.port,
        target_type=target_type,
        protocol=protocol,
        health_check_protocol=health_check.protocol,
        health_check_interval=health_check.interval_seconds,
    )


def build_target_group(
    ctx: BuildContext,
    port: ServicePort,
    *,
    protocol: Protocol,
    security: SecurityGroupPlan,
    subnet_cidrs: tuple[str, ...],
) -> tuple[Resource[TargetGroupSpec], Resource[TargetGroupBindingSpec]]:
    target_type = build_target_type(ctx, port)
    health_check = build_health_check(ctx, target_type)
    attributes = build_target_group_attributes(ctx, port)
    preserve_ip = preserve_client_ip(attributes, target_type)
    group_port = build_target_group_port(target_type, port)
    name = _name(
        ctx,
        port=port,
        group_port=group_port,
        target_type=target_type,
        protocol=protocol,
        health_check=health_check,
    )
    ip_address_type = _ip_address_type(ctx)
    if group_port == 0:
        if target_type is TargetType.IP:
            raise BuildError("TargetGroup port is empty. Are you using the correct service type?")
        raise BuildError(
            "TargetGroup port is empty. When using Instance targets, your service be must of "
            "type 'NodePort' or 'LoadBalancer'"
        )
    resource_id = target_group_resource_id(ctx, port)
    group = Resource(
        TARGET_GROUP_TYPE,
        resource_id,
        TargetGroupSpec(
            name=name,
            target_type=target_type,
            port=group_port,
            protocol=protocol,
            ip_address_type=ip_address_type,
            health_check_config=health_check,
            target_group_attributes=attributes,
            tags=ctx.additional_tags,
        ),
    )
    binding = Resource(
        TARGET_GROUP_BINDING_TYPE,
        resource_id,
        _binding_spec(
            ctx,
            port,
            group=group,
            security=security,
            preserve_client_ip=preserve_ip,
            subnet_cidrs=subnet_cidrs,
        ),
    )
    return group, binding


def _binding_spec(
    ctx: BuildContext,
    port: ServicePort,
    *,
    group: Resource[TargetGroupSpec],
    security: SecurityGroupPlan,
    preserve_client_ip: bool,
    subnet_cidrs: tuple[str, ...],
) -> TargetGroupBindingSpec:
    spec = group.spec
    node_labels: dict[str, str] = {}
    if spec.target_type is TargetType.INSTANCE:
        node_labels = ctx.annotations.string_map(c.TARGET_NODE_LABELS) or {}
    multi_cluster = ctx.annotations.boolean(c.MULTI_CLUSTER_TARGET_GROUP)
    traffic_port: int | str = (
        port.node_port if spec.target_type is TargetType.INSTANCE else port.target_port
    )
    networking = build_binding_networking(
        ctx,
        port,
        traffic_port=traffic_port,
        health_check_port=spec.health_check_config.port,
        security=security,
        preserve_client_ip=preserve_client_ip,
        ip_address_type=spec.ip_address_type,
        load_balancer_subnet_cidrs=subnet_cidrs,
    )
    return TargetGroupBindingSpec(
        name=spec.name,
        namespace=ctx.service.namespace,
        target_group_arn=group.status_ref(TARGET_GROUP_ARN_FIELD),
        target_type=spec.target_type,
        service_ref=ServiceReference(name=ctx.service.name, port=port.port),
        ip_address_type=spec.ip_address_type,
        vpc_id=ctx.settings.vpc_id,
        networking=networking,
        node_selector=node_labels,
        multi_cluster_target_group=bool(multi_cluster),
    )
