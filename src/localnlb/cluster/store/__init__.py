"""The versioned object store behind the API server (SQLite, global resourceVersion, watch fan-
out). See :mod:`localnlb.cluster.store.object_store` and ``docs/kubernetes-api.md``.
"""

from localnlb.cluster.store.errors import (
    ObjectExists,
    ObjectNotFound,
    RevisionCompacted,
    StoreError,
    VersionConflict,
)
from localnlb.cluster.store.events import Change, ChangeType, JsonObject
from localnlb.cluster.store.object_store import ObjectStore
from localnlb.cluster.store.watch import Watcher

__all__ = [
    "Change",
    "ChangeType",
    "JsonObject",
    "ObjectExists",
    "ObjectNotFound",
    "ObjectStore",
    "RevisionCompacted",
    "StoreError",
    "VersionConflict",
    "Watcher",
]
