"""Tags of ELBv2 resources (by ARN) and EC2 resources (by id); the key spaces never overlap."""

from __future__ import annotations

from collections.abc import Mapping

from localnlb.elbv2.model.tags import ResourceTags
from localnlb.elbv2.store.database import Database
from localnlb.elbv2.store.table import Table


class Tags(Table[ResourceTags]):
    def __init__(self, database: Database) -> None:
        super().__init__(database, kind="tags", model=ResourceTags, key=lambda t: t.resource_id)

    def of(self, resource_id: str) -> Mapping[str, str]:
        found = self.get(resource_id)
        return found.tags if found is not None else {}

    def add(self, resource_id: str, tags: Mapping[str, str]) -> None:
        if not tags:
            return
        merged = dict(self.of(resource_id))
        merged.update(tags)
        self.put(ResourceTags(resource_id, merged))

    def remove(self, resource_id: str, keys: list[str]) -> None:
        remaining = {k: v for k, v in self.of(resource_id).items() if k not in keys}
        if remaining:
            self.put(ResourceTags(resource_id, remaining))
        elif resource_id in self:
            self.delete(resource_id)
