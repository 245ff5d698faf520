"""Security groups by id, with a (VPC, name) lookup: names are unique per VPC."""

from __future__ import annotations

from localnlb.elbv2.model.ec2 import SecurityGroup
from localnlb.elbv2.store.database import Database
from localnlb.elbv2.store.table import Table


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
