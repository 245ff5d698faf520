"""Describe/Modify attributes of load balancers, target groups and listeners.

Modify answers with the full attribute set after the change, as AWS does; a change that any key
refuses changes nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from localnlb.elbv2.api import lookups
from localnlb.elbv2.api.attribute_rules import apply_listener_changes, apply_load_balancer_changes
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.presenters import present_attributes
from localnlb.elbv2.api.target_group_attribute_rules import apply_target_group_changes


def _changes(params: dict[str, Any]) -> list[tuple[str, str]]:
    return [(a.get("Key", ""), a.get("Value", "")) for a in params["Attributes"]]


def describe_load_balancer_attributes(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    lb = lookups.load_balancer(ctx, params["LoadBalancerArn"])
    return {"Attributes": present_attributes(lb.attributes)}


def modify_load_balancer_attributes(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    lb = lookups.load_balancer(ctx, params["LoadBalancerArn"])
    attributes = apply_load_balancer_changes(lb.attributes, _changes(params))
    with ctx.store.transaction():
        ctx.store.load_balancers.put(dataclasses.replace(lb, attributes=attributes))
    ctx.changed()
    return {"Attributes": present_attributes(attributes)}


def describe_target_group_attributes(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    tg = lookups.target_group(ctx, params["TargetGroupArn"])
    return {"Attributes": present_attributes(tg.attributes)}


def modify_target_group_attributes(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    tg = lookups.target_group(ctx, params["TargetGroupArn"])
    attributes = apply_target_group_changes(
        tg.attributes, _changes(params), protocol=tg.protocol, target_type=tg.target_type
    )
    with ctx.store.transaction():
        ctx.store.target_groups.put(dataclasses.replace(tg, attributes=attributes))
    ctx.changed()
    return {"Attributes": present_attributes(attributes)}


def describe_listener_attributes(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    listener = lookups.listener(ctx, params["ListenerArn"])
    return {"Attributes": present_attributes(listener.attributes)}


def modify_listener_attributes(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    listener = lookups.listener(ctx, params["ListenerArn"])
    attributes = apply_listener_changes(
        listener.attributes, _changes(params), protocol=listener.protocol
    )
    with ctx.store.transaction():
        ctx.store.listeners.put(dataclasses.replace(listener, attributes=attributes))
    ctx.changed()
    return {"Attributes": present_attributes(attributes)}
