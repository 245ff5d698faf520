"""The ``Ec2Client`` seam over boto3: security groups and their tags and ingress rules.

Rules go over the wire as AWS's ``IpPermissions`` and come back into the model's
:class:`IpPermission` (one per protocol/port range, its sources grouped), which the planner
splits into single rules to diff. Deleting a group is retried while EC2 answers
``DependencyViolation`` (a load balancer still uses it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from localnlb.controller.deploy.security_groups import ActualSecurityGroup
from localnlb.controller.model.resources import IpPermission, IpRange, Ipv6Range, PrefixList
from localnlb.controller.runtime.aws_calls import AwsApiError, AwsCaller, tag_list, tag_map

DEPENDENCY_VIOLATION = "DependencyViolation"
GROUP_NOT_FOUND = "InvalidGroup.NotFound"


def permission_params(permissions: Sequence[IpPermission]) -> list[dict[str, Any]]:
    return [
        {
            "IpProtocol": p.ip_protocol,
            "FromPort": p.from_port,
            "ToPort": p.to_port,
            "IpRanges": [{"CidrIp": r.cidr_ip} for r in p.ip_ranges],
            "Ipv6Ranges": [{"CidrIpv6": r.cidr_ipv6} for r in p.ipv6_ranges],
            "PrefixListIds": [{"PrefixListId": r.list_id} for r in p.prefix_lists],
        }
        for p in permissions
    ]


def permission_from_api(raw: Mapping[str, Any]) -> IpPermission:
    return IpPermission(
        ip_protocol=str(raw.get("IpProtocol", "-1")),
        from_port=int(raw.get("FromPort", -1)),
        to_port=int(raw.get("ToPort", -1)),
        ip_ranges=tuple(IpRange(str(r["CidrIp"])) for r in raw.get("IpRanges", [])),
        ipv6_ranges=tuple(Ipv6Range(str(r["CidrIpv6"])) for r in raw.get("Ipv6Ranges", [])),
        prefix_lists=tuple(
            PrefixList(str(r["PrefixListId"])) for r in raw.get("PrefixListIds", [])
        ),
    )


def security_group_from_api(raw: Mapping[str, Any]) -> ActualSecurityGroup:
    return ActualSecurityGroup(
        group_id=str(raw["GroupId"]),
        name=str(raw.get("GroupName", "")),
        ingress=tuple(permission_from_api(p) for p in raw.get("IpPermissions", [])),
        tags=tag_map(raw.get("Tags", [])),
    )


class Boto3Ec2:
    def __init__(self, client: Any, calls: AwsCaller) -> None:
        self._client = client
        self._calls = calls

    async def find_security_groups(
        self, *, vpc_id: str, tags: Mapping[str, str]
    ) -> list[ActualSecurityGroup]:
        filters = [{"Name": "vpc-id", "Values": [vpc_id]}]
        filters += [{"Name": f"tag:{k}", "Values": [v]} for k, v in tags.items()]
        raw = await self._calls.pages(
            self._client, "describe_security_groups", "SecurityGroups", Filters=filters
        )
        return [security_group_from_api(g) for g in raw]

    async def list_security_groups(
        self, *, vpc_id: str, stack_tags: Mapping[str, str]
    ) -> list[ActualSecurityGroup]:
        return await self.find_security_groups(vpc_id=vpc_id, tags=stack_tags)

    async def create_security_group(
        self, *, vpc_id: str, name: str, description: str, tags: Mapping[str, str]
    ) -> str:
        answer = await self._calls(
            self._client,
            "create_security_group",
            GroupName=name,
            Description=description,
            VpcId=vpc_id,
            TagSpecifications=[{"ResourceType": "security-group", "Tags": tag_list(dict(tags))}],
        )
        return str(answer["GroupId"])

    async def authorize_ingress(self, group_id: str, permissions: Sequence[IpPermission]) -> None:
        await self._calls(
            self._client,
            "authorize_security_group_ingress",
            GroupId=group_id,
            IpPermissions=permission_params(permissions),
        )

    async def revoke_ingress(self, group_id: str, permissions: Sequence[IpPermission]) -> None:
        await self._calls(
            self._client,
            "revoke_security_group_ingress",
            GroupId=group_id,
            IpPermissions=permission_params(permissions),
        )

    async def create_tags(self, resource_id: str, tags: Mapping[str, str]) -> None:
        await self._calls(
            self._client, "create_tags", Resources=[resource_id], Tags=tag_list(dict(tags))
        )

    async def delete_tags(self, resource_id: str, keys: Sequence[str]) -> None:
        await self._calls(
            self._client,
            "delete_tags",
            Resources=[resource_id],
            Tags=[{"Key": key} for key in keys],
        )

    async def delete_security_group(self, group_id: str) -> None:
        try:
            await self._calls.retry_while(
                [DEPENDENCY_VIOLATION], self._client, "delete_security_group", GroupId=group_id
            )
        except AwsApiError as error:
            if error.code != GROUP_NOT_FOUND:
                raise
