"""RegisterTargets, DeregisterTargets and DescribeTargetHealth.

Deregistering a target of an in-use target group starts its drain: it is ``draining`` for
``deregistration_delay.timeout_seconds`` and then gone. A target group no load balancer uses has
nothing to drain, so its targets go at once.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from localnlb.elbv2.api import lookups
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import TooManyTargets
from localnlb.elbv2.api.limits import limit
from localnlb.elbv2.api.target_placement import resolve_target
from localnlb.elbv2.api.target_rules import check_instance_targets, check_target_ids, ip_target_zone
from localnlb.elbv2.model.health_view import TargetPlacement, resolve_health
from localnlb.elbv2.model.target import Registration
from localnlb.elbv2.model.target_group import TargetGroup
from localnlb.elbv2.model.target_health import TargetHealth

NO_OVERRIDE = {
    "State": "no_override",
    "Reason": "AdministrativeOverride.NoOverride",
    "Description": "No override is currently active on target",
}


def register_targets(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    tg = lookups.target_group(ctx, params["TargetGroupArn"])
    targets = params["Targets"]
    check_target_ids(tg, targets)
    if tg.target_type == "instance":
        check_instance_targets(ctx, tg, targets)
        zones: list[str | None] = [None] * len(targets)
    else:
        zones = [ip_target_zone(ctx, t) for t in targets]
    now = ctx.now()
    current = ctx.store.registrations.of_group(tg.arn)
    new: dict[tuple[str, int], Registration] = {}
    for target, zone in zip(targets, zones, strict=True):
        key = (target["Id"], target.get("Port", tg.port))
        existing = current.get(key)
        if existing is not None and existing.draining_until is None:
            continue
        new[key] = Registration(tg.arn, key[0], key[1], zone, now)
    active = sum(1 for r in current.values() if r.draining_until is None)
    if active + len(new) > limit(ctx, "targets-per-target-group"):
        raise TooManyTargets("You've reached the limit on the number of targets per target group")
    with ctx.store.transaction():
        for registration in new.values():
            ctx.store.registrations.put(registration)
    if new:
        ctx.changed()
    return {}


def deregister_targets(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    tg = lookups.target_group(ctx, params["TargetGroupArn"])
    now = ctx.now()
    in_use = bool(lookups.load_balancers_of_target_group(ctx, tg.arn))
    delay = tg.deregistration_delay_seconds
    current = ctx.store.registrations.of_group(tg.arn)
    changed = False
    with ctx.store.transaction():
        for target in params["Targets"]:
            registration = current.get((target["Id"], target.get("Port", tg.port)))
            if registration is None or registration.draining_until is not None:
                continue  # deregistering what is not registered succeeds (model doc)
            if in_use and delay > 0:
                ctx.store.registrations.put(
                    dataclasses.replace(registration, draining_until=now + delay)
                )
            else:
                ctx.store.registrations.delete(registration)
            changed = True
    if changed:
        ctx.changed()
    return {}


def enabled_zones_of(ctx: ApiContext, tg: TargetGroup) -> frozenset[str] | None:
    lbs = lookups.load_balancers_of_target_group(ctx, tg.arn)
    if not lbs:
        return None
    return frozenset().union(*(lb.zone_names for lb in lbs))


def target_health_of(
    ctx: ApiContext,
    tg: TargetGroup,
    registration: Registration,
    *,
    enabled_zones: frozenset[str] | None,
    now: float,
) -> tuple[TargetHealth, str | None, str | None]:
    """(health, address, zone) of one registered target."""
    resolved = resolve_target(ctx, tg, registration)
    health = resolve_health(
        registration=registration,
        placement=resolved.placement,
        enabled_zones=enabled_zones,
        probed=ctx.probed,
        now=now,
    )
    return health, resolved.address, resolved.placement.zone


def describe_target_health(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    tg = lookups.target_group(ctx, params["TargetGroupArn"])
    now = ctx.now()
    zones = enabled_zones_of(ctx, tg)
    registered = ctx.store.registrations.of_group(tg.arn)
    include_anomaly = bool(params.get("Include"))
    requested = params.get("Targets")
    entries: list[tuple[tuple[str, int], Registration | None]]
    if requested is None:
        entries = [(r.key, r) for r in registered.values() if not r.is_gone(now)]
    else:
        entries = []
        for wanted in requested:
            key = (wanted["Id"], wanted.get("Port", tg.port))
            entries.append((key, registered.get(key)))
    descriptions = []
    for (target_id, port), registration in entries:
        if registration is None or registration.is_gone(now):
            health = resolve_health(
                registration=None,
                placement=TargetPlacement(None),
                enabled_zones=zones,
                probed=ctx.probed,
                now=now,
            )
            zone = None
        else:
            health, _, zone = target_health_of(ctx, tg, registration, enabled_zones=zones, now=now)
        target: dict[str, Any] = {"Id": target_id, "Port": port}
        if tg.target_type == "ip" and zone is not None:
            target["AvailabilityZone"] = zone
        description: dict[str, Any] = {
            "Target": target,
            "HealthCheckPort": str(tg.health_check.resolved_port(port)),
            "TargetHealth": _present_health(health),
            "AdministrativeOverride": NO_OVERRIDE,
        }
        if include_anomaly:
            description["AnomalyDetection"] = {"Result": "normal", "MitigationInEffect": "no"}
        descriptions.append(description)
    return {"TargetHealthDescriptions": descriptions}


def _present_health(health: TargetHealth) -> dict[str, Any]:
    result: dict[str, Any] = {"State": health.state.value}
    if health.reason is not None:
        result["Reason"] = health.reason.value
    if health.description is not None:
        result["Description"] = health.description
    return result
