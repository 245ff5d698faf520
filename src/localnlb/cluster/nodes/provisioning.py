"""Where worker nodes come from.

:func:`planned_identities` lays nodes out on the address plan on its own (one per AZ in turn,
instance ids derived from a seed so that a restart brings back the same nodes) — used when the
cluster runs without the EC2 API. :class:`Ec2NodeProvisioner` asks the EC2 API (through boto3,
its public interface) for the node group's instances, launching the missing ones with
RunInstances and the tags EKS puts on managed nodes, so that each Node's providerID names an
instance that ``aws ec2 describe-instances`` lists and the load balancer controller can register
as an instance target.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from localnlb.cluster.nodes.objects import NodeIdentity
from localnlb.common.addressing import AddressPlan

NODEGROUP_TAG = "eks:nodegroup-name"
CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/"


def planned_identities(
    plan: AddressPlan, *, seed: str, count: int, nodegroup: str = "default"
) -> tuple[NodeIdentity, ...]:
    identities = []
    for index in range(count):
        subnet = plan.subnets[index % len(plan.subnets)]
        ordinal = index // len(plan.subnets)
        address = ipaddress.IPv4Address(subnet.instances.first) + ordinal
        digest = hashlib.sha256(f"{seed}/{index}".encode()).hexdigest()
        identities.append(
            NodeIdentity(
                instance_id=f"i-0{digest[:16]}",
                private_ip=str(address),
                zone=subnet.zone_name,
                zone_id=subnet.zone_id,
                region=plan.region,
                nodegroup=nodegroup,
            )
        )
    return tuple(identities)


class Ec2NodeProvisioner:
    """The node group's instances from EC2: found by tags, launched when missing."""

    def __init__(
        self, ec2: Any, plan: AddressPlan, *, cluster_name: str, nodegroup: str = "default"
    ) -> None:
        self._ec2 = ec2  # a boto3 EC2 client
        self._plan = plan
        self._cluster_name = cluster_name
        self._nodegroup = nodegroup

    def _subnet_ids(self) -> dict[str, str]:
        found = self._ec2.describe_subnets()["Subnets"]
        return {s["AvailabilityZone"]: s["SubnetId"] for s in found}

    def _existing(self) -> list[dict[str, Any]]:
        reply = self._ec2.describe_instances(
            Filters=[
                {"Name": f"tag:{NODEGROUP_TAG}", "Values": [self._nodegroup]},
                {"Name": "instance-state-name", "Values": ["pending", "running"]},
            ]
        )
        return [i for r in reply["Reservations"] for i in r["Instances"]]

    def ensure(self, count: int) -> tuple[NodeIdentity, ...]:
        """The node group scaled to ``count`` instances, spread over the AZs in order."""
        instances = self._existing()
        subnets = self._subnet_ids()
        zones = self._plan.zone_names
        for index in range(len(instances), count):
            zone = zones[index % len(zones)]
            launched = self._ec2.run_instances(
                ImageId="ami-0eks0node0localnlb",
                InstanceType="m5.large",
                MinCount=1,
                MaxCount=1,
                SubnetId=subnets[zone],
                TagSpecifications=[
                    {
                        "ResourceType": "instance",
                        "Tags": [
                            {"Key": NODEGROUP_TAG, "Value": self._nodegroup},
                            {"Key": "eks:cluster-name", "Value": self._cluster_name},
                            {"Key": CLUSTER_TAG_PREFIX + self._cluster_name, "Value": "owned"},
                        ],
                    }
                ],
            )
            instances += launched["Instances"]
        return tuple(self._identity(i) for i in instances[:count])

    def _identity(self, instance: dict[str, Any]) -> NodeIdentity:
        zone = instance["Placement"]["AvailabilityZone"]
        return NodeIdentity(
            instance_id=instance["InstanceId"],
            private_ip=instance["PrivateIpAddress"],
            zone=zone,
            zone_id=self._plan.subnet_for_zone(zone).zone_id,
            region=self._plan.region,
            instance_type=instance.get("InstanceType", "m5.large"),
            nodegroup=self._nodegroup,
        )
