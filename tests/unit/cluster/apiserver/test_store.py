"""The versioned object store: revisions, optimistic concurrency, change log, compaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from localnlb.cluster.store import (
    ChangeType,
    ObjectExists,
    ObjectNotFound,
    ObjectStore,
    RevisionCompacted,
    VersionConflict,
)


def _obj(name: str, value: int = 0) -> dict[str, object]:
    return {"metadata": {"name": name, "namespace": "ns"}, "data": {"v": str(value)}}


def test_every_write_takes_the_next_revision() -> None:
    store = ObjectStore()
    first = store.create("/configmaps", _obj("a"))
    second = store.update("/configmaps", _obj("a", 1))
    assert first["metadata"]["resourceVersion"] == "1"
    assert second["metadata"]["resourceVersion"] == "2"
    assert store.revision == 2
    with pytest.raises(ObjectExists):
        store.create("/configmaps", _obj("a"))
    with pytest.raises(VersionConflict):
        store.update("/configmaps", _obj("a", 2), expected_revision=1)
    removed = store.delete("/configmaps", "ns", "a")
    assert removed["metadata"]["resourceVersion"] == "3"
    with pytest.raises(ObjectNotFound):
        store.get("/configmaps", "ns", "a")


async def test_watch_replays_then_follows_live() -> None:
    store = ObjectStore()
    store.create("/configmaps", _obj("a"))
    store.create("/configmaps", _obj("b"))
    watcher = store.watch("/configmaps", "ns", since=1)
    store.update("/configmaps", _obj("b", 1))
    changes = [await watcher.next(1) for _ in range(2)]
    assert [(c.type, c.name, c.revision) for c in changes if c] == [
        (ChangeType.ADDED, "b", 2),
        (ChangeType.MODIFIED, "b", 3),
    ]
    assert changes[1] is not None
    assert changes[1].previous is not None
    assert changes[1].previous["data"] == {"v": "0"}
    assert await watcher.next(0.01) is None
    watcher.close()
    assert store.watcher_count() == 0


async def test_persistence_and_compaction(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    store = ObjectStore(path, history=3)
    for index in range(6):
        store.create("/configmaps", _obj(f"c{index}"))
    store.close()
    reopened = ObjectStore(path, history=3)
    assert reopened.revision == 6
    assert len(reopened.list("/configmaps")[0]) == 6
    with pytest.raises(RevisionCompacted) as raised:
        reopened.watch("/configmaps", None, since=1)
    assert raised.value.oldest == reopened.oldest_watchable + 1
    watcher = reopened.watch("/configmaps", None, since=reopened.oldest_watchable)
    assert watcher.pending() == 6 - reopened.oldest_watchable
    watcher.close()
    reopened.close()
