"""The ``ElbV2Client`` seam over boto3: each method is one ELBv2 action (plus the reads that
complete an actual resource: tags, attributes), in the deploy core's domain types.

Resources of a stack are found by their tags, as the real controller finds them: describe all,
``DescribeTags`` in batches of 20 ARNs, keep those carrying every stack tag. ``HealthCheckPort``
comes back as a string and is turned into the model's port (``health_check_port_from_api``).
Deleting a target group is retried while the API says ``ResourceInUse`` (a listener being
deleted, or targets still draining elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from localnlb.controller.deploy.actual import (
    ActualListener,
    ActualLoadBalancer,
    ActualTargetGroup,
    health_check_port_from_api,
)
from localnlb.controller.model.enums import IpAddressType, Protocol, Scheme, TargetType
from localnlb.controller.model.resources import (
    HealthCheckConfig,
    HealthCheckMatcher,
    ListenerSpec,
    LoadBalancerSpec,
    TargetGroupSpec,
)
from localnlb.controller.runtime.aws_calls import AwsApiError, AwsCaller, tag_list, tag_map
from localnlb.controller.runtime.aws_targets import TargetCalls

TAGS_BATCH = 20
RESOURCE_IN_USE = "ResourceInUse"


def _matches(tags: Mapping[str, str], wanted: Mapping[str, str]) -> bool:
    return all(tags.get(k) == v for k, v in wanted.items())


def _attributes(raw: Sequence[dict[str, Any]]) -> dict[str, str]:
    return {str(a["Key"]): str(a.get("Value", "")) for a in raw}


def _attribute_list(attributes: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in attributes.items()]


def health_check_from_api(group: Mapping[str, Any]) -> HealthCheckConfig:
    matcher = group.get("Matcher") or {}
    return HealthCheckConfig(
        port=health_check_port_from_api(str(group.get("HealthCheckPort", "traffic-port"))),
        protocol=Protocol(group.get("HealthCheckProtocol", "TCP")),
        interval_seconds=int(group.get("HealthCheckIntervalSeconds", 30)),
        timeout_seconds=int(group.get("HealthCheckTimeoutSeconds", 10)),
        healthy_threshold_count=int(group.get("HealthyThresholdCount", 5)),
        unhealthy_threshold_count=int(group.get("UnhealthyThresholdCount", 2)),
        path=group.get("HealthCheckPath"),
        matcher=HealthCheckMatcher(str(matcher["HttpCode"])) if matcher.get("HttpCode") else None,
    )


def health_check_params(config: HealthCheckConfig) -> dict[str, Any]:
    params: dict[str, Any] = {
        "HealthCheckEnabled": True,
        "HealthCheckProtocol": str(config.protocol),
        "HealthCheckPort": str(config.port),
        "HealthCheckIntervalSeconds": config.interval_seconds,
        "HealthCheckTimeoutSeconds": config.timeout_seconds,
        "HealthyThresholdCount": config.healthy_threshold_count,
        "UnhealthyThresholdCount": config.unhealthy_threshold_count,
    }
    if config.path is not None:
        params["HealthCheckPath"] = config.path
    if config.matcher is not None:
        params["Matcher"] = {"HttpCode": config.matcher.http_code}
    return params


def _forward(target_group_arns: Sequence[str]) -> list[dict[str, Any]]:
    if len(target_group_arns) == 1:
        return [{"Type": "forward", "TargetGroupArn": target_group_arns[0]}]
    groups = [{"TargetGroupArn": arn} for arn in target_group_arns]
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]


def _forwarded_groups(actions: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    arns: list[str] = []
    for action in actions:
        if action.get("Type") != "forward":
            continue
        config = action.get("ForwardConfig") or {}
        if config.get("TargetGroups"):
            arns += [str(g["TargetGroupArn"]) for g in config["TargetGroups"]]
        elif action.get("TargetGroupArn"):
            arns.append(str(action["TargetGroupArn"]))
    return tuple(dict.fromkeys(arns))


class Boto3ElbV2(TargetCalls):
    def __init__(self, client: Any, calls: AwsCaller) -> None:
        super().__init__(client, calls)

    async def _tags(self, arns: Sequence[str]) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for start in range(0, len(arns), TAGS_BATCH):
            answer = await self._calls(
                self._client, "describe_tags", ResourceArns=list(arns[start : start + TAGS_BATCH])
            )
            for description in answer.get("TagDescriptions", []):
                found[str(description["ResourceArn"])] = tag_map(description.get("Tags", []))
        return found

    # --- load balancers -------------------------------------------------------------------

    async def _load_balancer(self, raw: Mapping[str, Any], tags: dict[str, str]) -> ActualLB:
        arn = str(raw["LoadBalancerArn"])
        answer = await self._calls(
            self._client, "describe_load_balancer_attributes", LoadBalancerArn=arn
        )
        return ActualLoadBalancer(
            arn=arn,
            name=str(raw["LoadBalancerName"]),
            scheme=Scheme(raw["Scheme"]),
            dns_name=str(raw.get("DNSName", "")),
            ip_address_type=IpAddressType(raw.get("IpAddressType", "ipv4")),
            type=str(raw.get("Type", "network")),
            subnet_ids=tuple(str(z["SubnetId"]) for z in raw.get("AvailabilityZones", [])),
            security_groups=tuple(str(g) for g in raw.get("SecurityGroups", [])),
            attributes=_attributes(answer.get("Attributes", [])),
            tags=tags,
        )

    async def list_load_balancers(self, stack_tags: Mapping[str, str]) -> list[ActualLB]:
        raw = await self._calls.pages(self._client, "describe_load_balancers", "LoadBalancers")
        tags = await self._tags([str(lb["LoadBalancerArn"]) for lb in raw])
        return [
            await self._load_balancer(lb, tags[arn])
            for lb in raw
            if _matches(tags.get(arn := str(lb["LoadBalancerArn"]), {}), stack_tags)
        ]

    async def create_load_balancer(
        self, spec: LoadBalancerSpec, *, security_groups: Sequence[str], tags: Mapping[str, str]
    ) -> ActualLB:
        mappings = []
        for m in spec.subnet_mappings:
            mapping: dict[str, str] = {"SubnetId": m.subnet_id}
            if m.allocation_id:
                mapping["AllocationId"] = m.allocation_id
            if m.private_ipv4_address:
                mapping["PrivateIPv4Address"] = m.private_ipv4_address
            mappings.append(mapping)
        params: dict[str, Any] = {
            "Name": spec.name,
            "Type": str(spec.type),
            "Scheme": str(spec.scheme),
            "IpAddressType": str(spec.ip_address_type),
            "SubnetMappings": mappings,
            "Tags": tag_list(dict(tags)),
        }
        if security_groups:
            params["SecurityGroups"] = list(security_groups)
        answer = await self._calls(self._client, "create_load_balancer", **params)
        [created] = answer["LoadBalancers"]
        attributes = {a.key: a.value for a in spec.load_balancer_attributes}
        if attributes:
            await self.modify_load_balancer_attributes(created["LoadBalancerArn"], attributes)
        return await self._load_balancer(created, dict(tags))

    async def set_subnets(self, arn: str, subnet_ids: Sequence[str]) -> None:
        await self._calls(
            self._client, "set_subnets", LoadBalancerArn=arn, Subnets=list(subnet_ids)
        )

    async def set_security_groups(self, arn: str, group_ids: Sequence[str]) -> None:
        await self._calls(
            self._client, "set_security_groups", LoadBalancerArn=arn, SecurityGroups=list(group_ids)
        )

    async def set_ip_address_type(self, arn: str, ip_address_type: IpAddressType) -> None:
        await self._calls(
            self._client,
            "set_ip_address_type",
            LoadBalancerArn=arn,
            IpAddressType=str(ip_address_type),
        )

    async def modify_load_balancer_attributes(self, arn: str, changes: Mapping[str, str]) -> None:
        await self._calls(
            self._client,
            "modify_load_balancer_attributes",
            LoadBalancerArn=arn,
            Attributes=_attribute_list(changes),
        )

    async def delete_load_balancer(self, arn: str) -> None:
        await self._calls(self._client, "delete_load_balancer", LoadBalancerArn=arn)

    # --- listeners ------------------------------------------------------------------------

    async def list_listeners(self, load_balancer_arn: str) -> list[ActualListener]:
        raw = await self._calls.pages(
            self._client, "describe_listeners", "Listeners", LoadBalancerArn=load_balancer_arn
        )
        tags = await self._tags([str(ls["ListenerArn"]) for ls in raw])
        listeners = []
        for listener in raw:
            arn = str(listener["ListenerArn"])
            answer = await self._calls(
                self._client, "describe_listener_attributes", ListenerArn=arn
            )
            listeners.append(
                ActualListener(
                    arn=arn,
                    port=int(listener["Port"]),
                    protocol=Protocol(listener["Protocol"]),
                    target_group_arns=_forwarded_groups(listener.get("DefaultActions", [])),
                    attributes=_attributes(answer.get("Attributes", [])),
                    tags=tags.get(arn, {}),
                )
            )
        return listeners

    async def create_listener(
        self,
        spec: ListenerSpec,
        *,
        load_balancer_arn: str,
        target_group_arns: Sequence[str],
        tags: Mapping[str, str],
    ) -> ActualListener:
        answer = await self._calls(
            self._client,
            "create_listener",
            LoadBalancerArn=load_balancer_arn,
            Port=spec.port,
            Protocol=str(spec.protocol),
            DefaultActions=_forward(target_group_arns),
            Tags=tag_list(dict(tags)),
        )
        [created] = answer["Listeners"]
        attributes = {a.key: a.value for a in spec.listener_attributes}
        if attributes:
            await self.modify_listener_attributes(created["ListenerArn"], attributes)
        return ActualListener(
            str(created["ListenerArn"]),
            spec.port,
            spec.protocol,
            tuple(target_group_arns),
            attributes,
            dict(tags),
        )

    async def modify_listener(
        self, arn: str, *, protocol: Protocol, target_group_arns: Sequence[str]
    ) -> None:
        await self._calls(
            self._client,
            "modify_listener",
            ListenerArn=arn,
            Protocol=str(protocol),
            DefaultActions=_forward(target_group_arns),
        )

    async def modify_listener_attributes(self, arn: str, changes: Mapping[str, str]) -> None:
        await self._calls(
            self._client,
            "modify_listener_attributes",
            ListenerArn=arn,
            Attributes=_attribute_list(changes),
        )

    async def delete_listener(self, arn: str) -> None:
        await self._calls(self._client, "delete_listener", ListenerArn=arn)

    # --- target groups --------------------------------------------------------------------

    async def _target_group(self, raw: Mapping[str, Any], tags: dict[str, str]) -> ActualTG:
        arn = str(raw["TargetGroupArn"])
        answer = await self._calls(
            self._client, "describe_target_group_attributes", TargetGroupArn=arn
        )
        return ActualTargetGroup(
            arn=arn,
            name=str(raw["TargetGroupName"]),
            target_type=TargetType(raw["TargetType"]),
            protocol=Protocol(raw["Protocol"]),
            port=int(raw.get("Port", 0)),
            health_check=health_check_from_api(raw),
            attributes=_attributes(answer.get("Attributes", [])),
            tags=tags,
        )

    async def list_target_groups(self, stack_tags: Mapping[str, str]) -> list[ActualTG]:
        raw = await self._calls.pages(self._client, "describe_target_groups", "TargetGroups")
        tags = await self._tags([str(g["TargetGroupArn"]) for g in raw])
        return [
            await self._target_group(group, tags[arn])
            for group in raw
            if _matches(tags.get(arn := str(group["TargetGroupArn"]), {}), stack_tags)
        ]

    async def create_target_group(
        self, spec: TargetGroupSpec, *, vpc_id: str, tags: Mapping[str, str]
    ) -> ActualTG:
        answer = await self._calls(
            self._client,
            "create_target_group",
            Name=spec.name,
            Protocol=str(spec.protocol),
            Port=spec.port,
            VpcId=vpc_id,
            TargetType=str(spec.target_type),
            IpAddressType=str(spec.ip_address_type),
            Tags=tag_list(dict(tags)),
            **health_check_params(spec.health_check_config),
        )
        [created] = answer["TargetGroups"]
        attributes = {a.key: a.value for a in spec.target_group_attributes}
        if attributes:
            await self.modify_target_group_attributes(created["TargetGroupArn"], attributes)
        return await self._target_group(created, dict(tags))

    async def modify_target_group(self, arn: str, health_check: HealthCheckConfig) -> None:
        await self._calls(
            self._client,
            "modify_target_group",
            TargetGroupArn=arn,
            **health_check_params(health_check),
        )

    async def modify_target_group_attributes(self, arn: str, changes: Mapping[str, str]) -> None:
        await self._calls(
            self._client,
            "modify_target_group_attributes",
            TargetGroupArn=arn,
            Attributes=_attribute_list(changes),
        )

    async def delete_target_group(self, arn: str) -> None:
        try:
            await self._calls.retry_while(
                [RESOURCE_IN_USE], self._client, "delete_target_group", TargetGroupArn=arn
            )
        except AwsApiError as error:
            if error.code != "TargetGroupNotFound":
                raise

    # --- tags -----------------------------------------------------------------------------

    async def add_tags(self, arn: str, tags: Mapping[str, str]) -> None:
        await self._calls(self._client, "add_tags", ResourceArns=[arn], Tags=tag_list(dict(tags)))

    async def remove_tags(self, arn: str, keys: Sequence[str]) -> None:
        await self._calls(self._client, "remove_tags", ResourceArns=[arn], TagKeys=list(keys))


ActualLB = ActualLoadBalancer
ActualTG = ActualTargetGroup
