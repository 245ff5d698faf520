"""Load balancers by ARN, with a name index (names are unique per region and account)."""

from __future__ import annotations

from localnlb.elbv2.model.load_balancer import LoadBalancer
from localnlb.elbv2.store.database import Database
from localnlb.elbv2.store.table import Table


class LoadBalancers(Table[LoadBalancer]):
    def __init__(self, database: Database) -> None:
        super().__init__(database, kind="load_balancers", model=LoadBalancer, key=lambda lb: lb.arn)

    def by_name(self, name: str) -> LoadBalancer | None:
        for lb in self.values():
            if lb.name == name:
                return lb
        return None
