"""Subnets by id, one per Availability Zone of the address plan."""

from __future__ import annotations

from localnlb.elbv2.model.ec2 import Subnet
from localnlb.elbv2.store.database import Database
from localnlb.elbv2.store.table import Table


class Subnets(Table[Subnet]):
    def __init__(self, database: Database) -> None:
        super().__init__(database, kind="subnets", model=Subnet, key=lambda s: s.subnet_id)

    def in_zone(self, zone_name: str) -> Subnet | None:
        for subnet in self.values():
            if subnet.zone_name == zone_name:
                return subnet
        return None
