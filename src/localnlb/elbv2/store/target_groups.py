"""Target groups by ARN, with a name index (names are unique per region and account)."""

from __future__ import annotations

from localnlb.elbv2.model.target_group import TargetGroup
from localnlb.elbv2.store.database import Database
from localnlb.elbv2.store.table import Table


class TargetGroups(Table[TargetGroup]):
    def __init__(self, database: Database) -> None:
        super().__init__(database, kind="target_groups", model=TargetGroup, key=lambda tg: tg.arn)

    def by_name(self, name: str) -> TargetGroup | None:
        for tg in self.values():
            if tg.name == name:
                return tg
        return None
