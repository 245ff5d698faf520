"""EC2 instances by id, terminated ones included (as EC2 keeps showing them)."""

from __future__ import annotations

from localnlb.elbv2.model.ec2 import Instance
from localnlb.elbv2.store.database import Database
from localnlb.elbv2.store.table import Table


class Instances(Table[Instance]):
    def __init__(self, database: Database) -> None:
        super().__init__(database, kind="instances", model=Instance, key=lambda i: i.instance_id)
