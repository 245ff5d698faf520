"""An in-memory table of one model kind, written through to its SQLite document table.

Reads are dictionary lookups (DescribeTargetHealth over 1,000 targets must answer in
milliseconds); writes go to SQLite first, inside the caller's transaction, then to memory. If a
transaction rolls back, :meth:`Store.reload` rebuilds memory from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from localnlb.elbv2.store import codec
from localnlb.elbv2.store.database import Database

T = TypeVar("T")


class Table(Generic[T]):
    def __init__(
        self, database: Database, *, kind: str, model: type[T], key: Callable[[T], str]
    ) -> None:
        self._database = database
        self._kind = kind
        self._model = model
        self._key = key
        self._rows: dict[str, T] = {}

    def load(self) -> None:
        self._rows = {
            key: codec.decode(self._model, doc) for key, doc in self._database.rows(self._kind)
        }

    def get(self, key: str) -> T | None:
        return self._rows.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def values(self) -> Iterator[T]:
        return iter(list(self._rows.values()))

    def put(self, value: T) -> None:
        key = self._key(value)
        self._database.put(self._kind, key, codec.encode(value))
        self._rows[key] = value

    def delete(self, key: str) -> None:
        self._database.delete(self._kind, key)
        self._rows.pop(key, None)
