"""Resolving the ARNs and ids clients send to stored resources, with AWS's errors when they are
malformed (``ValidationError``) or unknown (``…NotFound``)."""

from __future__ import annotations

from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import (
    ListenerNotFound,
    LoadBalancerNotFound,
    TargetGroupNotFound,
)
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.model.arns import LISTENER_ARN, LOAD_BALANCER_ARN, TARGET_GROUP_ARN
from localnlb.elbv2.model.listener import Listener
from localnlb.elbv2.model.load_balancer import LoadBalancer
from localnlb.elbv2.model.target_group import TargetGroup


def check_load_balancer_arn(arn: str) -> None:
    if not LOAD_BALANCER_ARN.fullmatch(arn):
        raise ValidationError(f"'{arn}' is not a valid load balancer ARN")


def check_target_group_arn(arn: str) -> None:
    if not TARGET_GROUP_ARN.fullmatch(arn):
        raise ValidationError(f"'{arn}' is not a valid target group ARN")


def check_listener_arn(arn: str) -> None:
    if not LISTENER_ARN.fullmatch(arn):
        raise ValidationError(f"'{arn}' is not a valid listener ARN")


def load_balancer(ctx: ApiContext, arn: str) -> LoadBalancer:
    check_load_balancer_arn(arn)
    found = ctx.store.load_balancers.get(arn)
    if found is None:
        raise LoadBalancerNotFound(f"Load balancer '{arn}' not found")
    return found


def target_group(ctx: ApiContext, arn: str) -> TargetGroup:
    check_target_group_arn(arn)
    found = ctx.store.target_groups.get(arn)
    if found is None:
        raise TargetGroupNotFound(f"Target group '{arn}' not found")
    return found


def listener(ctx: ApiContext, arn: str) -> Listener:
    check_listener_arn(arn)
    found = ctx.store.listeners.get(arn)
    if found is None:
        raise ListenerNotFound(f"Listener '{arn}' not found")
    return found


def load_balancers_of_target_group(ctx: ApiContext, tg_arn: str) -> list[LoadBalancer]:
    """The load balancers whose listeners forward to the target group (at most one on AWS)."""
    seen: dict[str, LoadBalancer] = {}
    for li in ctx.store.listeners.using_target_group(tg_arn):
        lb = ctx.store.load_balancers.get(li.load_balancer_arn)
        if lb is not None:
            seen[lb.arn] = lb
    return list(seen.values())
