"""ReplicaSet decisions: create the shortfall, delete the right surplus, count status honestly."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.controllers.podtemplates import (
    pod_from_template,
    pod_template_hash,
    safe_encode,
)
from localnlb.cluster.controllers.replicaset import plan_replica_set
from tests.unit.cluster.builders import make_pod

NOW = 1_800_000_000.0


def replica_set(replicas: int, *, min_ready: int = 0) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "ui-abc", "namespace": "ui", "uid": "rs-1", "generation": 4},
        "spec": {
            "replicas": replicas,
            "minReadySeconds": min_ready,
            "selector": {"matchLabels": {"app": "ui"}},
            "template": {
                "metadata": {"labels": {"app": "ui"}, "annotations": {"a": "b"}},
                "spec": {"containers": [{"name": "ui", "image": "x"}]},
            },
        },
    }


def owned(name: str, **kwargs: Any) -> dict[str, Any]:
    return make_pod(name, owner_uid="rs-1", **kwargs)


def test_creates_the_shortfall_and_ignores_terminating_and_finished_pods() -> None:
    pods = [owned("a"), owned("gone", terminating=True), owned("done", phase="Succeeded")]
    plan = plan_replica_set(replica_set(3), pods, now=NOW)
    assert plan.create == 2
    assert plan.delete == ()
    assert plan.status["replicas"] == 1


def test_pods_of_other_owners_do_not_count() -> None:
    plan = plan_replica_set(replica_set(1), [make_pod("stranger", owner_uid="other")], now=NOW)
    assert plan.create == 1


def test_deletes_unscheduled_then_not_ready_then_newest() -> None:
    pods = [
        owned("ready-old", ready=True),
        owned("not-ready", ready=False),
        owned("unscheduled", node=None, ready=False, phase="Pending"),
        owned("ready-new", ready=True),
    ]
    pods[0]["metadata"]["creationTimestamp"] = "2026-11-26T09:00:00Z"
    pods[3]["metadata"]["creationTimestamp"] = "2026-11-26T10:00:00Z"
    plan = plan_replica_set(replica_set(1), pods, now=NOW)
    assert plan.delete == ("unscheduled", "not-ready", "ready-new")


def test_status_counts_ready_and_available_after_min_ready_seconds() -> None:
    fresh = owned("fresh")
    fresh["status"]["conditions"][0]["lastTransitionTime"] = "2026-11-26T10:00:00Z"
    seasoned = owned("seasoned")
    seasoned["status"]["conditions"][0]["lastTransitionTime"] = "2026-11-26T09:00:00Z"
    now = 1_795_000_000.0 + 0  # irrelevant base; compute from the timestamps below
    from localnlb.cluster.controllers.replicaset import parse_time

    ten_am = parse_time("2026-11-26T10:00:00Z")
    assert ten_am is not None
    now = ten_am + 30
    plan = plan_replica_set(replica_set(2, min_ready=60), [fresh, seasoned], now=now)
    assert plan.status == {
        "replicas": 2,
        "fullyLabeledReplicas": 2,
        "readyReplicas": 2,
        "availableReplicas": 1,
        "observedGeneration": 4,
    }


def test_pod_from_template_carries_labels_annotations_owner_and_generate_name() -> None:
    pod = pod_from_template(replica_set(1))
    assert pod["metadata"]["generateName"] == "ui-abc-"
    assert pod["metadata"]["labels"] == {"app": "ui"}
    assert pod["metadata"]["annotations"] == {"a": "b"}
    assert pod["metadata"]["ownerReferences"][0]["uid"] == "rs-1"
    assert pod["metadata"]["ownerReferences"][0]["controller"] is True
    assert pod["spec"]["containers"][0]["image"] == "x"


def test_template_hash_is_stable_safe_and_changes_with_template_and_collisions() -> None:
    template = replica_set(1)["spec"]["template"]
    first = pod_template_hash(template)
    assert first == pod_template_hash(template)
    assert set(first) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert pod_template_hash(template, 1) != first
    changed = {**template, "spec": {"containers": [{"name": "ui", "image": "y"}]}}
    assert pod_template_hash(changed) != first
    assert safe_encode(0) == "b"
