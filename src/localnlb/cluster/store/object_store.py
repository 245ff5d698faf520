"""The versioned object store: Kubernetes objects as JSON in SQLite, one global revision.

Every write (create, update, delete) takes the next revision, stamps it into
``metadata.resourceVersion``, appends a :class:`Change` to the change log in the same
transaction and then fans it out to watchers. The log keeps the last ``history`` changes, so a
watch from an older revision resumes after a restart, and one from before the kept history gets
:class:`RevisionCompacted` (410 Gone) and relists.

The store knows nothing of Kubernetes semantics (defaults, finalizers, generation): those live in
:mod:`localnlb.cluster.apiserver.storage.registry`, which every client, HTTP or in-process, goes
through.
Resources are keyed ``"<group>/<plural>"`` (``"/pods"``, ``"apps/deployments"``); cluster-scoped
objects have namespace ``""``.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from localnlb.cluster.store.errors import (
    ObjectExists,
    ObjectNotFound,
    RevisionCompacted,
    VersionConflict,
)
from localnlb.cluster.store.events import Change, ChangeType, JsonObject
from localnlb.cluster.store.watch import Watcher, WatchHub
from localnlb.common import statedir

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
    revision INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (resource, namespace, name));
CREATE TABLE IF NOT EXISTS changes (
    revision INTEGER PRIMARY KEY, resource TEXT NOT NULL, namespace TEXT NOT NULL,
    name TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL, previous TEXT);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def _dumps(obj: JsonObject) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=False)


class ObjectStore:
    """SQLite-backed; ``path=None`` keeps everything in memory (tests)."""

    def __init__(self, path: Path | None = None, *, history: int = 20_000) -> None:
        if path is not None:
            statedir.create_private_file(path)  # it holds Secrets: 0600 from the start
        self._db = sqlite3.connect(":memory:" if path is None else str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._history = history
        self._hub = WatchHub()
        self._revision = self._counter("revision")
        self._compacted = self._counter("compacted")

    def _counter(self, name: str) -> int:
        row = self._db.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._db.close()

    @property
    def revision(self) -> int:
        """The revision of the last committed write (a list's resourceVersion)."""
        return self._revision

    @property
    def oldest_watchable(self) -> int:
        """A watch may start from this revision or any later one."""
        return self._compacted

    def get(self, resource: str, namespace: str, name: str) -> JsonObject:
        row = self._db.execute(
            "SELECT body FROM objects WHERE resource=? AND namespace=? AND name=?",
            (resource, namespace, name),
        ).fetchone()
        if row is None:
            raise ObjectNotFound(resource, namespace, name)
        body: JsonObject = json.loads(row[0])
        return body

    def find(self, resource: str, namespace: str, name: str) -> JsonObject | None:
        try:
            return self.get(resource, namespace, name)
        except ObjectNotFound:
            return None

    def list(self, resource: str, namespace: str | None = None) -> tuple[list[JsonObject], int]:
        """All objects of ``resource`` (in one namespace if given), sorted, and the revision."""
        if namespace is None:
            rows = self._db.execute(
                "SELECT body FROM objects WHERE resource=? ORDER BY namespace, name", (resource,)
            )
        else:
            rows = self._db.execute(
                "SELECT body FROM objects WHERE resource=? AND namespace=? ORDER BY name",
                (resource, namespace),
            )
        return [json.loads(row[0]) for row in rows], self._revision

    def count(self, resource: str) -> int:
        row = self._db.execute("SELECT COUNT(*) FROM objects WHERE resource=?", (resource,))
        return int(row.fetchone()[0])

    def create(self, resource: str, obj: JsonObject) -> JsonObject:
        namespace, name = _identity(obj)
        if self.find(resource, namespace, name) is not None:
            raise ObjectExists(resource, namespace, name)
        return self._commit(resource, namespace, name, ChangeType.ADDED, obj, None)

    def update(
        self, resource: str, obj: JsonObject, *, expected_revision: int | None = None
    ) -> JsonObject:
        """Replace the stored object; with ``expected_revision`` only if it is still current."""
        namespace, name = _identity(obj)
        current = self.get(resource, namespace, name)
        stored = int(current["metadata"]["resourceVersion"])
        if expected_revision is not None and expected_revision != stored:
            raise VersionConflict(resource, namespace, name, stored=stored)
        return self._commit(resource, namespace, name, ChangeType.MODIFIED, obj, current)

    def delete(
        self, resource: str, namespace: str, name: str, *, expected_revision: int | None = None
    ) -> JsonObject:
        current = self.get(resource, namespace, name)
        stored = int(current["metadata"]["resourceVersion"])
        if expected_revision is not None and expected_revision != stored:
            raise VersionConflict(resource, namespace, name, stored=stored)
        return self._commit(resource, namespace, name, ChangeType.DELETED, current, current)

    def watch(self, resource: str, namespace: str | None, since: int) -> Watcher:
        """Changes with a revision above ``since``: the kept backlog first, then live ones."""
        if since < self._compacted:
            raise RevisionCompacted(since, self._compacted + 1)
        rows = self._db.execute(
            "SELECT revision, namespace, name, type, body, previous FROM changes"
            " WHERE resource=? AND revision>? ORDER BY revision",
            (resource, since),
        )
        backlog = [
            Change(
                revision=int(revision),
                resource=resource,
                namespace=ns,
                name=name,
                type=ChangeType(kind),
                object=json.loads(body),
                previous=json.loads(previous) if previous else None,
            )
            for revision, ns, name, kind, body, previous in rows
        ]
        return self._hub.subscribe(resource, namespace, backlog)

    def watcher_count(self) -> int:
        return self._hub.watcher_count()

    def _commit(
        self,
        resource: str,
        namespace: str,
        name: str,
        kind: ChangeType,
        obj: JsonObject,
        previous: JsonObject | None,
    ) -> JsonObject:
        revision = self._revision + 1
        stored: JsonObject = json.loads(_dumps(obj))
        stored.setdefault("metadata", {})["resourceVersion"] = str(revision)
        body = _dumps(stored)
        with self._db:
            self._db.execute("BEGIN")
            if kind is ChangeType.DELETED:
                self._db.execute(
                    "DELETE FROM objects WHERE resource=? AND namespace=? AND name=?",
                    (resource, namespace, name),
                )
            else:
                self._db.execute(
                    "INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?)",
                    (resource, namespace, name, revision, body),
                )
            self._db.execute(
                "INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    revision,
                    resource,
                    namespace,
                    name,
                    kind.value,
                    body,
                    _dumps(previous) if previous is not None else None,
                ),
            )
            self._db.execute("INSERT OR REPLACE INTO counters VALUES ('revision', ?)", (revision,))
            if revision - self._compacted > self._history:
                self._compact(revision - self._history)
        self._revision = revision
        self._hub.publish(
            Change(
                revision=revision,
                resource=resource,
                namespace=namespace,
                name=name,
                type=kind,
                object=stored,
                previous=previous,
            )
        )
        fresh: JsonObject = json.loads(body)  # callers may change theirs; watchers keep theirs
        return fresh

    def _compact(self, keep_after: int) -> None:
        self._db.execute("DELETE FROM changes WHERE revision<=?", (keep_after,))
        self._db.execute("INSERT OR REPLACE INTO counters VALUES ('compacted', ?)", (keep_after,))
        self._compacted = keep_after


def _identity(obj: JsonObject) -> tuple[str, str]:
    metadata = obj.get("metadata") or {}
    return str(metadata.get("namespace") or ""), str(metadata["name"])
