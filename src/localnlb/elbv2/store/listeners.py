"""Listeners by ARN, and the questions asked of them: which LB's, which use a target group."""

from __future__ import annotations

from localnlb.elbv2.model.listener import Listener
from localnlb.elbv2.store.database import Database
from localnlb.elbv2.store.table import Table


class Listeners(Table[Listener]):
    def __init__(self, database: Database) -> None:
        super().__init__(database, kind="listeners", model=Listener, key=lambda li: li.arn)

    def of_load_balancer(self, lb_arn: str) -> list[Listener]:
        return [li for li in self.values() if li.load_balancer_arn == lb_arn]

    def using_target_group(self, tg_arn: str) -> list[Listener]:
        return [li for li in self.values() if li.action.target_group_arn == tg_arn]
