"""RunInstances, TerminateInstances, DescribeInstances — minimal, for the embedded cluster's nodes.

An instance takes its private IP from its AZ subnet's ``instances`` range of the address plan
(or the requested ``PrivateIpAddress`` inside it), so a node's ``providerID``
``aws:///<az>/<instance-id>`` and its InternalIP match what DescribeInstances shows. Instances
run as soon as they are launched; terminated ones stay visible (as on AWS) but free their IPs.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from localnlb.common.ids import ec2_id
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.ec2_errors import (
    DryRunOperation,
    InsufficientFreeAddressesInSubnet,
    InvalidGroupNotFound,
    InvalidInstanceIdMalformed,
    InvalidInstanceIdNotFound,
    InvalidIpAddressInUse,
    InvalidParameterCombination,
    InvalidParameterValue,
    InvalidSubnetIdNotFound,
)
from localnlb.elbv2.api.ec2_filters import check_filter_names, matches, present_tags, tags_from
from localnlb.elbv2.api.pagination import paginate
from localnlb.elbv2.model.ec2 import INSTANCE_STATE_CODES, Instance, InstanceState, Subnet

INSTANCE_ID = re.compile(r"i-[0-9a-f]{8}([0-9a-f]{9})?")
DEFAULT_IMAGE_ID = "ami-0localnlb0000000"
DEFAULT_INSTANCE_TYPE = "m5.large"


def tag_specifications(params: dict[str, Any], resource_type: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for spec in params.get("TagSpecifications") or []:
        if spec.get("ResourceType", resource_type) == resource_type:
            tags.update(tags_from(spec.get("Tags")))
    return tags


def _subnet(ctx: ApiContext, params: dict[str, Any]) -> Subnet:
    subnet_id = params.get("SubnetId")
    if subnet_id is None:
        zone = (params.get("Placement") or {}).get("AvailabilityZone") or ctx.plan.zone_names[0]
        found = ctx.store.subnets.in_zone(zone)
        if found is None:
            raise InvalidParameterValue(f"Invalid availability zone: [{zone}]")
        return found
    subnet = ctx.store.subnets.get(subnet_id)
    if subnet is None:
        raise InvalidSubnetIdNotFound(f"The subnet ID '{subnet_id}' does not exist")
    return subnet


def _addresses(ctx: ApiContext, subnet: Subnet, count: int, wanted: str | None) -> list[str]:
    in_use = {
        i.private_ip for i in ctx.store.instances.values() if i.state != InstanceState.TERMINATED
    }
    allowed = ctx.plan.subnet_for_zone(subnet.zone_name).instances
    if wanted is not None:
        if wanted not in allowed:
            raise InvalidParameterValue(
                f"Address {wanted} does not fall within the subnet's instance range "
                f"{allowed.first}-{allowed.last}"
            )
        if wanted in in_use:
            raise InvalidIpAddressInUse(f"Address {wanted} is in use.")
        return [wanted]
    free = [str(a) for a in allowed.addresses() if str(a) not in in_use]
    return free[:count]


def run_instances(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("DryRun"):
        raise DryRunOperation()
    min_count, max_count = params["MinCount"], params["MaxCount"]
    if not 1 <= min_count <= max_count:
        raise InvalidParameterValue("MinCount must be at least 1 and at most MaxCount")
    wanted = params.get("PrivateIpAddress")
    if wanted is not None and max_count > 1:
        raise InvalidParameterCombination(
            "Cannot specify PrivateIpAddress with a MaxCount greater than 1"
        )
    subnet = _subnet(ctx, params)
    groups = tuple(params.get("SecurityGroupIds") or ())
    for group_id in groups:
        if ctx.store.security_groups.get(group_id) is None:
            raise InvalidGroupNotFound(f"The security group '{group_id}' does not exist")
    addresses = _addresses(ctx, subnet, max_count, wanted)
    if len(addresses) < min_count:
        raise InsufficientFreeAddressesInSubnet(
            "There are not enough free addresses in subnet "
            f"'{subnet.subnet_id}' to satisfy the requested number of instances."
        )
    reservation_id = ec2_id("r")
    now = ctx.now()
    tags = tag_specifications(params, "instance")
    instances = [
        Instance(
            instance_id=ec2_id("i"),
            subnet_id=subnet.subnet_id,
            vpc_id=subnet.vpc_id,
            zone_name=subnet.zone_name,
            private_ip=address,
            state=InstanceState.RUNNING,
            launched_at=now,
            image_id=params.get("ImageId") or DEFAULT_IMAGE_ID,
            instance_type=params.get("InstanceType") or DEFAULT_INSTANCE_TYPE,
            reservation_id=reservation_id,
            security_group_ids=groups,
        )
        for address in addresses
    ]
    with ctx.store.transaction():
        for instance in instances:
            ctx.store.instances.put(instance)
            ctx.store.tags.add(instance.instance_id, tags)
    ctx.changed()
    return {
        "ReservationId": reservation_id,
        "OwnerId": ctx.settings.account_id,
        "Groups": [],
        # RunInstances reports the launch as pending, as AWS does; Describe shows running.
        "Instances": [
            _present(ctx, i, state=InstanceState.PENDING, index=n) for n, i in enumerate(instances)
        ],
    }


def _require_instances(ctx: ApiContext, ids: list[str]) -> list[Instance]:
    found = []
    for instance_id in ids:
        if not INSTANCE_ID.fullmatch(instance_id):
            raise InvalidInstanceIdMalformed(f'Invalid id: "{instance_id}"')
        instance = ctx.store.instances.get(instance_id)
        if instance is None:
            raise InvalidInstanceIdNotFound(f"The instance ID '{instance_id}' does not exist")
        found.append(instance)
    return found


def terminate_instances(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("DryRun"):
        raise DryRunOperation()
    instances = _require_instances(ctx, params["InstanceIds"])
    changes = []
    with ctx.store.transaction():
        for instance in instances:
            ctx.store.instances.put(dataclasses.replace(instance, state=InstanceState.TERMINATED))
            current = (
                InstanceState.TERMINATED
                if instance.state == InstanceState.TERMINATED
                else InstanceState.SHUTTING_DOWN
            )
            changes.append(
                {
                    "InstanceId": instance.instance_id,
                    "CurrentState": _state(current),
                    "PreviousState": _state(instance.state),
                }
            )
    ctx.changed()
    return {"TerminatingInstances": changes}


def _state(state: InstanceState) -> dict[str, Any]:
    return {"Code": INSTANCE_STATE_CODES[state], "Name": state.value}


def _fields(instance: Instance) -> dict[str, Any]:
    return {
        "instance-id": lambda: [instance.instance_id],
        "instance-state-name": lambda: [instance.state.value],
        "instance-state-code": lambda: [str(INSTANCE_STATE_CODES[instance.state])],
        "subnet-id": lambda: [instance.subnet_id],
        "vpc-id": lambda: [instance.vpc_id],
        "availability-zone": lambda: [instance.zone_name],
        "private-ip-address": lambda: [instance.private_ip],
        "network-interface.addresses.private-ip-address": lambda: [instance.private_ip],
        "private-dns-name": lambda: [_dns_name(instance)],
        "instance-type": lambda: [instance.instance_type],
        "image-id": lambda: [instance.image_id],
        "reservation-id": lambda: [instance.reservation_id],
        "instance.group-id": lambda: list(instance.security_group_ids),
    }


def _dns_name(instance: Instance) -> str:
    return f"ip-{instance.private_ip.replace('.', '-')}.{instance.zone_name[:-1]}.compute.internal"


def describe_instances(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("InstanceIds") or []
    filters = params.get("Filters")
    instances = _require_instances(ctx, ids) if ids else list(ctx.store.instances.values())
    if instances:
        check_filter_names(filters, _fields(instances[0]))
    found = [
        i
        for i in instances
        if matches(filters, fields=_fields(i), tags=ctx.store.tags.of(i.instance_id))
    ]
    page, token = paginate(
        found, marker=params.get("NextToken"), page_size=params.get("MaxResults")
    )
    reservations: dict[str, list[dict[str, Any]]] = {}
    for index, instance in enumerate(page):
        reservations.setdefault(instance.reservation_id, []).append(
            _present(ctx, instance, state=instance.state, index=index)
        )
    result: dict[str, Any] = {
        "Reservations": [
            {
                "ReservationId": rid,
                "OwnerId": ctx.settings.account_id,
                "Groups": [],
                "Instances": members,
            }
            for rid, members in reservations.items()
        ]
    }
    if token is not None:
        result["NextToken"] = token
    return result


def _present(
    ctx: ApiContext, instance: Instance, *, state: InstanceState, index: int
) -> dict[str, Any]:
    groups = [
        {"GroupId": g.group_id, "GroupName": g.name}
        for gid in instance.security_group_ids
        if (g := ctx.store.security_groups.get(gid)) is not None
    ]
    running = state != InstanceState.TERMINATED
    return {
        "InstanceId": instance.instance_id,
        "ImageId": instance.image_id,
        "State": _state(state),
        "PrivateDnsName": _dns_name(instance) if running else "",
        "PublicDnsName": "",
        "InstanceType": instance.instance_type,
        "LaunchTime": instance.launched_at,
        "Placement": {"AvailabilityZone": instance.zone_name, "Tenancy": "default"},
        "Monitoring": {"State": "disabled"},
        "SubnetId": instance.subnet_id if running else None,
        "VpcId": instance.vpc_id if running else None,
        "PrivateIpAddress": instance.private_ip if running else None,
        "AmiLaunchIndex": index,
        "Architecture": "x86_64",
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/xvda",
        "VirtualizationType": "hvm",
        "Hypervisor": "xen",
        "SourceDestCheck": True,
        "SecurityGroups": groups,
        "Tags": present_tags(ctx.store.tags.of(instance.instance_id)) or None,
    }
