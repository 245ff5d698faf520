"""The load balancer resource: name, scheme, subnets, security groups, attributes, tags.

Attributes are only those the Service asks for (the real controller sets no defaults): the
``attributes`` map, plus the deprecated per-attribute annotations (access logs, cross-zone),
which win on the same key. ``dns_record.client_routing_policy`` is checked as the real
controller checks it.
"""

from __future__ import annotations

from localnlb.controller.model.enums import LoadBalancerType
from localnlb.controller.model.resources import (
    LOAD_BALANCER_TYPE,
    Attribute,
    LoadBalancerSpec,
    Resource,
    SubnetMapping,
)
from localnlb.controller.model.tokens import StringToken
from localnlb.controller.service import constants as c
from localnlb.controller.service.build_context import BuildContext
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.naming import load_balancer_name
from localnlb.controller.service.view import SubnetInfo

MAX_NAME_LENGTH = 32
ATTR_ACCESS_LOGS_ENABLED = "access_logs.s3.enabled"
ATTR_ACCESS_LOGS_BUCKET = "access_logs.s3.bucket"
ATTR_ACCESS_LOGS_PREFIX = "access_logs.s3.prefix"
ATTR_CROSS_ZONE = "load_balancing.cross_zone.enabled"
ATTR_DELETION_PROTECTION = "deletion_protection.enabled"
ATTR_CLIENT_ROUTING_POLICY = "dns_record.client_routing_policy"
_ROUTING_POLICIES = (
    "any_availability_zone",
    "partial_availability_zone_affinity",
    "availability_zone_affinity",
)


def build_load_balancer_name(ctx: BuildContext) -> str:
    explicit = ctx.annotations.string(c.LB_NAME)
    if explicit is not None:
        if len(explicit) > MAX_NAME_LENGTH:
            raise BuildError("load balancer name cannot be longer than 32 characters")
        return explicit
    service = ctx.service
    return load_balancer_name(
        cluster_name=ctx.settings.cluster_name,
        namespace=service.namespace,
        name=service.name,
        uid=service.uid,
        scheme=ctx.scheme,
    )


def _annotation_specific_attributes(ctx: BuildContext) -> dict[str, str]:
    attributes: dict[str, str] = {}
    if ctx.annotations.boolean(c.ACCESS_LOG_ENABLED):
        attributes[ATTR_ACCESS_LOGS_ENABLED] = "true"
        bucket = ctx.annotations.string(c.ACCESS_LOG_BUCKET)
        if bucket is not None:
            attributes[ATTR_ACCESS_LOGS_BUCKET] = bucket
        prefix = ctx.annotations.string(c.ACCESS_LOG_PREFIX)
        if prefix is not None:
            attributes[ATTR_ACCESS_LOGS_PREFIX] = prefix
    cross_zone = ctx.annotations.boolean(c.CROSS_ZONE)
    if cross_zone is not None:
        attributes[ATTR_CROSS_ZONE] = "true" if cross_zone else "false"
    return attributes


def build_load_balancer_attributes(ctx: BuildContext) -> tuple[Attribute, ...]:
    attributes = ctx.annotations.string_map(c.LB_ATTRIBUTES) or {}
    policy = attributes.get(ATTR_CLIENT_ROUTING_POLICY)
    if policy is not None and policy not in _ROUTING_POLICIES:
        expected = ", ".join(f"'{p}'" for p in _ROUTING_POLICIES)
        raise BuildError(
            f"invalid dns_record.client_routing_policy set in annotation {c.LB_ATTRIBUTES}: "
            f"got '{policy}' expected one of [{expected}]"
        )
    merged = {**attributes, **_annotation_specific_attributes(ctx)}
    return tuple(Attribute(key, merged[key]) for key in sorted(merged))


def build_load_balancer(
    ctx: BuildContext,
    *,
    subnets: list[SubnetInfo],
    security_groups: tuple[StringToken, ...],
) -> Resource[LoadBalancerSpec]:
    attributes = build_load_balancer_attributes(ctx)
    spec = LoadBalancerSpec(
        name=build_load_balancer_name(ctx),
        type=LoadBalancerType.NETWORK,
        scheme=ctx.scheme,
        ip_address_type=ctx.ip_address_type,
        subnet_mappings=tuple(SubnetMapping(subnet_id=s.subnet_id) for s in subnets),
        security_groups=security_groups,
        load_balancer_attributes=attributes,
        tags=ctx.additional_tags,
    )
    return Resource(LOAD_BALANCER_TYPE, c.RESOURCE_ID_LOAD_BALANCER, spec)
