"""EC2 tables: VPCs, subnets, instances and security groups, each by id."""

from __future__ import annotations

from localnlb.elbv2.model.ec2 import Instance, SecurityGroup, Subnet, Vpc
from localnlb.elbv2.store.database import Database
from localnlb.elbv2.store.table import Table


class Vpcs(Table[Vpc]):
    def __init__(self, database: Database) -> None:
        super().__init__(database, kind="vpcs", model=Vpc, key=lambda v: v.vpc_id)


class Subnets(Table[Subnet]):
    def __init__(self, database: Database) -> None:
        super().__init__(database, kind="subnets", model=Subnet, key=lambda s: s.subnet_id)

    def in_zone(self, zone_name: str) -> Subnet | None:
        for subnet in self.values():
            if subnet.zone_name == zone_name:
                return subnet
        return None


class Instances(Table[Instance]):
    def __init__(self, database: Database) -> None:
        super().__init__(database, kind="instances", model=Instance, key=lambda i: i.instance_id)


class SecurityGroups(Table[SecurityGroup]):
    def __init__(self, database: Database) -> None:
        super().__init__(
            database, kind="security_groups", model=SecurityGroup, key=lambda g: g.group_id
        )

    def by_name(self, vpc_id: str, name: str) -> SecurityGroup | None:
        for group in self.values():
            if group.vpc_id == vpc_id and group.name == name:
                return group
        return None
