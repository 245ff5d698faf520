"""Garbage collection: dependents whose owners are all gone, and foreground blockers."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.controllers.garbage import ObjectRef, blocking_dependents, orphaned


def owned_by(name: str, *uids: str, block: bool = True) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": "ui",
            "uid": f"uid-{name}",
            "ownerReferences": [
                {"uid": uid, "kind": "ReplicaSet", "name": uid, "blockOwnerDeletion": block}
                for uid in uids
            ],
        }
    }


def test_objects_whose_owners_are_all_gone_are_garbage() -> None:
    candidates = [
        ("/pods", owned_by("orphan", "rs-gone")),
        ("/pods", owned_by("kept", "rs-live")),
        ("/pods", owned_by("half", "rs-gone", "rs-live")),
        ("/pods", {"metadata": {"name": "free", "namespace": "ui", "uid": "u"}}),
    ]
    assert orphaned(candidates, {"rs-live"}) == [ObjectRef("/pods", "ui", "orphan", "uid-orphan")]


def test_only_blocking_dependents_hold_a_foreground_deletion() -> None:
    candidates = [
        ("apps/replicasets", owned_by("blocks", "dep-1")),
        ("apps/replicasets", owned_by("does-not-block", "dep-1", block=False)),
        ("apps/replicasets", owned_by("other", "dep-2")),
    ]
    assert [r.name for r in blocking_dependents("dep-1", candidates)] == ["blocks"]
