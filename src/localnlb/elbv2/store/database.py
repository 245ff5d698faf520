"""The SQLite file behind the ELBv2/EC2 store: WAL, one document table per resource kind.

Every API mutation runs inside :meth:`Database.transaction` and is committed before the response
is written, so a ``kill -9`` never loses an acknowledged change. WAL with ``synchronous=NORMAL``
is durable against process crashes (not power loss), which is the failure this project cares
about. Reads come from the in-memory tables; SQLite is read only at start-up.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from localnlb.common import statedir

KINDS = (
    "load_balancers",
    "listeners",
    "target_groups",
    "registrations",
    "tags",
    "vpcs",
    "subnets",
    "instances",
    "security_groups",
)


class Database:
    def __init__(self, path: Path) -> None:
        statedir.create_private_file(path)  # it holds the installation's state: 0600
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        for kind in KINDS:
            self._connection.execute(
                f"CREATE TABLE IF NOT EXISTS {kind} (key TEXT PRIMARY KEY, doc TEXT NOT NULL)"
            )
        self._depth = 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Nested calls join the outer transaction; the outermost commits or rolls back."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._connection.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        else:
            self._connection.execute("COMMIT")
        finally:
            self._depth = 0

    def put(self, kind: str, key: str, doc: str) -> None:
        self._connection.execute(
            f"INSERT INTO {kind} (key, doc) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET doc = excluded.doc",
            (key, doc),
        )

    def delete(self, kind: str, key: str) -> None:
        self._connection.execute(f"DELETE FROM {kind} WHERE key = ?", (key,))

    def rows(self, kind: str) -> list[tuple[str, str]]:
        cursor = self._connection.execute(f"SELECT key, doc FROM {kind} ORDER BY rowid")
        return [(str(key), str(doc)) for key, doc in cursor.fetchall()]

    def close(self) -> None:
        self._connection.close()
