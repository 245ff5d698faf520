"""CreateTags, DeleteTags, DescribeTags for the EC2 resources localnlb keeps."""

from __future__ import annotations

from typing import Any

from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.ec2_errors import DryRunOperation, InvalidId
from localnlb.elbv2.api.ec2_filters import check_filter_names, matches, tags_from
from localnlb.elbv2.api.pagination import paginate
from localnlb.elbv2.store.table import Table

RESOURCE_TYPES = {"vpc": "vpc", "subnet": "subnet", "i": "instance", "sg": "security-group"}


def _resource_type(ctx: ApiContext, resource_id: str) -> str:
    prefix = resource_id.split("-", 1)[0]
    tables: dict[str, Table[Any]] = {
        "vpc": ctx.store.vpcs,
        "subnet": ctx.store.subnets,
        "i": ctx.store.instances,
        "sg": ctx.store.security_groups,
    }
    table = tables.get(prefix)
    if table is None or resource_id not in table:
        raise InvalidId(f"The ID '{resource_id}' is not valid")
    return RESOURCE_TYPES[prefix]


def create_tags(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("DryRun"):
        raise DryRunOperation()
    resources = params["Resources"]
    for resource_id in resources:
        _resource_type(ctx, resource_id)
    tags = tags_from(params["Tags"])
    with ctx.store.transaction():
        for resource_id in resources:
            ctx.store.tags.add(resource_id, tags)
    return {}


def delete_tags(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("DryRun"):
        raise DryRunOperation()
    resources = params["Resources"]
    for resource_id in resources:
        _resource_type(ctx, resource_id)
    with ctx.store.transaction():
        for resource_id in resources:
            current = ctx.store.tags.of(resource_id)
            if not params.get("Tags"):
                ctx.store.tags.remove(resource_id, list(current))
                continue
            doomed = [
                key
                for t in params["Tags"]
                if (key := t.get("Key", "")) in current
                and ("Value" not in t or t["Value"] == current[key])
            ]
            ctx.store.tags.remove(resource_id, doomed)
    return {}


def describe_tags(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    filters = params.get("Filters")
    rows = []
    for resource in ctx.store.tags.values():
        try:
            kind = _resource_type(ctx, resource.resource_id)
        except InvalidId:
            continue  # ELBv2 ARNs share the table
        for key, value in resource.tags.items():
            fields = {
                "resource-id": lambda r=resource.resource_id: [r],
                "resource-type": lambda k=kind: [k],
                "key": lambda k=key: [k],
                "value": lambda v=value: [v],
            }
            check_filter_names(filters, fields)
            if matches(filters, fields=fields, tags={key: value}):
                rows.append(
                    {
                        "Key": key,
                        "Value": value,
                        "ResourceId": resource.resource_id,
                        "ResourceType": kind,
                    }
                )
    page, token = paginate(rows, marker=params.get("NextToken"), page_size=params.get("MaxResults"))
    result: dict[str, Any] = {"Tags": list(page)}
    if token is not None:
        result["NextToken"] = token
    return result
