"""Which subnets (one per Availability Zone) the load balancer gets.

As the real controller: the ``subnets`` annotation (IDs or ``Name`` tags) decides; else an
existing load balancer of the same scheme keeps its subnets; else discovery: subnets tagged
``kubernetes.io/role/elb`` (internet-facing) or ``kubernetes.io/role/internal-elb`` (internal),
and when none are tagged, every subnet of the VPC (discovery by reachability). Discovery keeps
one subnet per zone, the lowest subnet id.
"""

from __future__ import annotations

from localnlb.controller.model.enums import Scheme
from localnlb.controller.service import constants as c
from localnlb.controller.service.build_context import BuildContext
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.view import (
    ROLE_ELB_TAG,
    ROLE_INTERNAL_ELB_TAG,
    SubnetInfo,
)


def _resolve_names_or_ids(ctx: BuildContext, names_or_ids: list[str]) -> list[SubnetInfo]:
    found: list[SubnetInfo] = []
    for wanted in names_or_ids:
        match = next(
            (s for s in ctx.view.subnets if wanted in (s.subnet_id, s.name)),
            None,
        )
        if match is None:
            raise BuildError(
                f"couldn't find all subnets, nameOrIDs: [{' '.join(names_or_ids)}], "
                f"found: {len(found)}"
            )
        found.append(match)
    zones: dict[str, str] = {}
    for subnet in found:
        if subnet.availability_zone in zones:
            raise BuildError(
                f"multiple subnets in same Availability Zone {subnet.availability_zone}: "
                f"[{zones[subnet.availability_zone]} {subnet.subnet_id}]"
            )
        zones[subnet.availability_zone] = subnet.subnet_id
    return found


def _discover(ctx: BuildContext) -> list[SubnetInfo]:
    role = ROLE_ELB_TAG if ctx.scheme is Scheme.INTERNET_FACING else ROLE_INTERNAL_ELB_TAG
    tagged = [s for s in ctx.view.subnets if s.tags.get(role) in ("", "1")]
    candidates = tagged or list(ctx.view.subnets)
    by_zone: dict[str, SubnetInfo] = {}
    for subnet in sorted(candidates, key=lambda s: s.subnet_id):
        by_zone.setdefault(subnet.availability_zone, subnet)
    if not by_zone:
        raise BuildError(f"unable to resolve at least one subnet (0 match VPC and tags: [{role}])")
    return sorted(by_zone.values(), key=lambda s: s.subnet_id)


def build_subnets(ctx: BuildContext) -> list[SubnetInfo]:
    names_or_ids = ctx.annotations.string_list(c.SUBNETS)
    if names_or_ids is not None:
        return _resolve_names_or_ids(ctx, names_or_ids)
    existing = ctx.view.existing_load_balancer
    if existing is not None and existing.scheme is ctx.scheme:
        return _resolve_names_or_ids(ctx, list(existing.subnet_ids))
    return _discover(ctx)
