"""VPCs by id (localnlb has one: the default VPC of the address plan)."""

from __future__ import annotations

from localnlb.elbv2.model.ec2 import Vpc
from localnlb.elbv2.store.database import Database
from localnlb.elbv2.store.table import Table


class Vpcs(Table[Vpc]):
    def __init__(self, database: Database) -> None:
        super().__init__(database, kind="vpcs", model=Vpc, key=lambda v: v.vpc_id)
