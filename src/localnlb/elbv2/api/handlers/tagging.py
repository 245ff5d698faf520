"""AddTags, RemoveTags, DescribeTags for load balancers, target groups and listeners."""

from __future__ import annotations

from typing import Any

from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import (
    ListenerNotFound,
    LoadBalancerNotFound,
    TargetGroupNotFound,
    TooManyTags,
)
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.api.naming import tags_from_params
from localnlb.elbv2.model.arns import resource_kind
from localnlb.elbv2.model.tags import MAX_TAGS_PER_RESOURCE

MAX_RESOURCES_PER_CALL = 20


def _require_resource(ctx: ApiContext, arn: str) -> None:
    kind = resource_kind(arn)
    missing: type[LoadBalancerNotFound | TargetGroupNotFound | ListenerNotFound]
    if kind == "loadbalancer":
        exists, missing = arn in ctx.store.load_balancers, LoadBalancerNotFound
    elif kind == "targetgroup":
        exists, missing = arn in ctx.store.target_groups, TargetGroupNotFound
    elif kind == "listener":
        exists, missing = arn in ctx.store.listeners, ListenerNotFound
    else:
        raise ValidationError(f"'{arn}' is not a valid resource ARN")
    if not exists:
        raise missing()


def _resources(ctx: ApiContext, params: dict[str, Any]) -> list[str]:
    arns: list[str] = params["ResourceArns"]
    if not arns:
        raise ValidationError("At least one resource ARN must be specified")
    if len(arns) > MAX_RESOURCES_PER_CALL:
        raise ValidationError(
            f"You can specify up to {MAX_RESOURCES_PER_CALL} resource ARNs in a single call"
        )
    for arn in arns:
        _require_resource(ctx, arn)
    return arns


def add_tags(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    arns = _resources(ctx, params)
    new = tags_from_params(params["Tags"])
    for arn in arns:
        if len(set(ctx.store.tags.of(arn)) | set(new)) > MAX_TAGS_PER_RESOURCE:
            raise TooManyTags(
                f"You've reached the limit on the number of tags ({MAX_TAGS_PER_RESOURCE}) for "
                f"resource '{arn}'"
            )
    with ctx.store.transaction():
        for arn in arns:
            ctx.store.tags.add(arn, new)
    return {}


def remove_tags(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    arns = _resources(ctx, params)
    with ctx.store.transaction():
        for arn in arns:
            ctx.store.tags.remove(arn, params["TagKeys"])
    return {}


def describe_tags(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    arns = _resources(ctx, params)
    return {
        "TagDescriptions": [
            {
                "ResourceArn": arn,
                "Tags": [{"Key": k, "Value": v} for k, v in ctx.store.tags.of(arn).items()],
            }
            for arn in arns
        ]
    }
