"""Target registrations, indexed by target group (DescribeTargetHealth reads one TG's at a time).

A registration stays stored while it drains; :meth:`Registrations.purge_gone` removes those
whose deregistration delay has ended.
"""

from __future__ import annotations

from localnlb.elbv2.model.target import Registration
from localnlb.elbv2.store import codec
from localnlb.elbv2.store.database import Database

KIND = "registrations"


def _key(registration: Registration) -> str:
    return f"{registration.target_group_arn}|{registration.target_id}|{registration.port}"


class Registrations:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._by_group: dict[str, dict[tuple[str, int], Registration]] = {}

    def load(self) -> None:
        self._by_group = {}
        for _, doc in self._database.rows(KIND):
            registration = codec.decode(Registration, doc)
            self._by_group.setdefault(registration.target_group_arn, {})[registration.key] = (
                registration
            )

    def of_group(self, tg_arn: str) -> dict[tuple[str, int], Registration]:
        return self._by_group.get(tg_arn, {})

    def all(self) -> list[Registration]:
        return [r for group in self._by_group.values() for r in group.values()]

    def put(self, registration: Registration) -> None:
        self._database.put(KIND, _key(registration), codec.encode(registration))
        group = self._by_group.setdefault(registration.target_group_arn, {})
        group[registration.key] = registration

    def delete(self, registration: Registration) -> None:
        self._database.delete(KIND, _key(registration))
        group = self._by_group.get(registration.target_group_arn, {})
        group.pop(registration.key, None)

    def delete_group(self, tg_arn: str) -> None:
        for registration in list(self.of_group(tg_arn).values()):
            self.delete(registration)
        self._by_group.pop(tg_arn, None)

    def purge_gone(self, now: float) -> int:
        gone = [r for r in self.all() if r.is_gone(now)]
        for registration in gone:
            self.delete(registration)
        return len(gone)

    def next_draining_deadline(self) -> float | None:
        deadlines = [r.draining_until for r in self.all() if r.draining_until is not None]
        return min(deadlines) if deadlines else None
