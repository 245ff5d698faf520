"""The facts a build needs from EC2 and ELBv2, fetched before each build (``ViewProvider``),
and the cluster's shared backend security group.

The real controller's builder calls AWS mid-build; here they are read first so the build stays
pure: the VPC's subnets and CIDRs, the Service's existing load balancer (found by its stack
tags: its scheme and subnets are kept when the annotations say nothing), the backend security
group ``k8s-traffic-<cluster>-<hash>`` (created on first use, tagged
``elbv2.k8s.aws/resource=backend-sg``; released when no Service needs it any more), and, only
when the Service names security groups, the VPC's groups by ``Name`` tag.
"""

from __future__ import annotations

from typing import Any

from localnlb.controller.runtime.aws_calls import AwsApiError, AwsCaller, tag_map
from localnlb.controller.runtime.aws_ec2 import DEPENDENCY_VIOLATION, GROUP_NOT_FOUND, Boto3Ec2
from localnlb.controller.runtime.aws_elbv2 import Boto3ElbV2
from localnlb.controller.service import constants as c
from localnlb.controller.service.annotations import AnnotationReader
from localnlb.controller.service.naming import backend_security_group_name
from localnlb.controller.service.objects import Service
from localnlb.controller.service.ownership import is_service_supported
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.service.tracking import stack_tags
from localnlb.controller.service.view import BuildView, ExistingLoadBalancer, SubnetInfo

TAG_BACKEND_RESOURCE = "elbv2.k8s.aws/resource"
BACKEND_SG_RESOURCE = "backend-sg"
RELEASE_PATIENCE = 10.0


async def discover_vpc_id(client: Any, calls: AwsCaller, cluster_name: str) -> str:
    """The VPC tagged for the cluster (``kubernetes.io/cluster/<name>``), else the only one,
    as the real controller takes it from instance metadata when ``--aws-vpc-id`` is unset."""
    vpcs = await calls.pages(client, "describe_vpcs", "Vpcs")
    marker = f"kubernetes.io/cluster/{cluster_name}"
    tagged = [v for v in vpcs if marker in tag_map(v.get("Tags", []))]
    subnets = await calls.pages(
        client, "describe_subnets", "Subnets", Filters=[{"Name": "tag-key", "Values": [marker]}]
    )
    chosen = tagged or [v for v in vpcs if v["VpcId"] in {s["VpcId"] for s in subnets}] or vpcs
    if len(chosen) != 1:
        raise RuntimeError(f"cannot tell the cluster's VPC from {len(vpcs)} VPCs: use --aws-vpc-id")
    return str(chosen[0]["VpcId"])


class AwsViewProvider:
    def __init__(
        self,
        *,
        ec2_client: Any,
        elbv2: Boto3ElbV2,
        ec2: Boto3Ec2,
        calls: AwsCaller,
        settings: ControllerSettings,
    ) -> None:
        self._client = ec2_client
        self._elbv2 = elbv2
        self._ec2 = ec2
        self._calls = calls
        self._settings = settings

    async def build_view(self, service: Service) -> BuildView:
        vpc_id = self._settings.vpc_id
        vpc_filter = [{"Name": "vpc-id", "Values": [vpc_id]}]
        raw_subnets = await self._calls.pages(
            self._client, "describe_subnets", "Subnets", Filters=vpc_filter
        )
        vpcs = await self._calls.pages(self._client, "describe_vpcs", "Vpcs", VpcIds=[vpc_id])
        stack = stack_tags(cluster_name=self._settings.cluster_name, stack_id=service.key)
        existing = await self._elbv2.list_load_balancers(stack)
        supported = is_service_supported(service, self._settings)
        return BuildView(
            subnets=tuple(
                SubnetInfo(
                    str(s["SubnetId"]),
                    str(s["AvailabilityZone"]),
                    str(s["CidrBlock"]),
                    tag_map(s.get("Tags", [])),
                )
                for s in raw_subnets
            ),
            vpc_cidrs=tuple(str(v["CidrBlock"]) for v in vpcs),
            existing_load_balancer=(
                ExistingLoadBalancer(
                    existing[0].scheme, existing[0].subnet_ids, existing[0].dns_name
                )
                if existing
                else None
            ),
            backend_security_group_id=(
                await self.ensure_backend_security_group()
                if supported and self._settings.enable_backend_security_group
                else None
            ),
            security_groups_by_name=(
                await self._groups_by_name()
                if supported and AnnotationReader(service.annotations).string(c.SECURITY_GROUPS)
                else {}
            ),
        )

    def _backend_tags(self) -> dict[str, str]:
        return {
            c.TAG_CLUSTER: self._settings.cluster_name,
            TAG_BACKEND_RESOURCE: BACKEND_SG_RESOURCE,
        }

    async def ensure_backend_security_group(self) -> str:
        found = await self._ec2.find_security_groups(
            vpc_id=self._settings.vpc_id, tags=self._backend_tags()
        )
        if found:
            return found[0].group_id
        return await self._ec2.create_security_group(
            vpc_id=self._settings.vpc_id,
            name=backend_security_group_name(self._settings.cluster_name),
            description=c.BACKEND_SG_DESCRIPTION,
            tags=self._backend_tags(),
        )

    async def release_backend_security_group(self) -> bool:
        """No Service needs it any more: delete it, retried for a short while a deleted load
        balancer still holds it; False if something still does (kept for a later release)."""
        for group in await self._ec2.find_security_groups(
            vpc_id=self._settings.vpc_id, tags=self._backend_tags()
        ):
            try:
                await self._calls.retry_while(
                    [DEPENDENCY_VIOLATION],
                    self._client,
                    "delete_security_group",
                    give_up_after=RELEASE_PATIENCE,
                    GroupId=group.group_id,
                )
            except AwsApiError as error:
                if error.code == DEPENDENCY_VIOLATION:
                    return False
                if error.code != GROUP_NOT_FOUND:
                    raise
        return True

    async def _groups_by_name(self) -> dict[str, str]:
        groups = await self._ec2.find_security_groups(vpc_id=self._settings.vpc_id, tags={})
        return {g.tags["Name"]: g.group_id for g in groups if "Name" in g.tags}
