"""The deletion planner alone: what a DELETE writes, decided from the object, options and time."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.apiserver.discovery.catalog import Catalog
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.deletion_planner import (
    DeletionStep,
    namespace_may_go,
    plan_delete,
)
from localnlb.cluster.schema.kinds import ResourceType

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def _type(kind: str) -> ResourceType:
    found = Catalog().by_kind("", "v1", kind)
    assert found is not None
    return found


def _object(name: str, **metadata: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "uid": "u-1", "resourceVersion": "7", **metadata}}


def test_an_object_nothing_holds_is_removed_at_once() -> None:
    current = _object("plain")
    plan = plan_delete(_type("ConfigMap"), current, {}, now=NOW)
    assert plan.step is DeletionStep.REMOVE
    assert plan.obj is current


def test_finalizers_mark_the_object_once_then_keep_it() -> None:
    current = _object("held", finalizers=["example.com/x"], generation=3)
    plan = plan_delete(_type("ConfigMap"), current, {"propagationPolicy": "Foreground"}, now=NOW)
    assert plan.step is DeletionStep.MARK
    assert plan.obj["metadata"]["deletionTimestamp"] == "2023-11-14T22:13:20Z"
    assert plan.obj["metadata"]["deletionGracePeriodSeconds"] == 0
    assert plan.obj["metadata"]["finalizers"] == ["example.com/x", "foregroundDeletion"]
    assert plan.obj["metadata"]["generation"] == 4
    assert "deletionTimestamp" not in current["metadata"], "the planner copies, never mutates"
    again = plan_delete(_type("ConfigMap"), plan.obj, {}, now=NOW + 60)
    assert again.step is DeletionStep.KEEP


def test_a_scheduled_pod_gets_its_grace_period_and_a_shorter_one_removes_it() -> None:
    pod = _object("web")
    pod["spec"] = {"nodeName": "n1", "terminationGracePeriodSeconds": 20}
    marked = plan_delete(_type("Pod"), pod, {}, now=NOW)
    assert marked.step is DeletionStep.MARK
    assert marked.obj["metadata"]["deletionTimestamp"] == "2023-11-14T22:13:40Z"
    assert marked.obj["metadata"]["deletionGracePeriodSeconds"] == 20
    forced = plan_delete(_type("Pod"), marked.obj, {"gracePeriodSeconds": 0}, now=NOW + 1)
    assert forced.step is DeletionStep.REMOVE


def test_a_namespace_is_marked_terminating_and_system_ones_are_forbidden() -> None:
    plan = plan_delete(_type("Namespace"), _object("ui"), {}, now=NOW)
    assert plan.step is DeletionStep.TERMINATE
    assert plan.obj["status"]["phase"] == "Terminating"
    assert plan_delete(_type("Namespace"), plan.obj, {}, now=NOW).step is DeletionStep.KEEP
    with pytest.raises(ApiError) as raised:
        plan_delete(_type("Namespace"), _object("kube-system"), {}, now=NOW)
    assert raised.value.code == 403


def test_preconditions_that_do_not_hold_are_conflicts() -> None:
    with pytest.raises(ApiError) as raised:
        plan_delete(_type("ConfigMap"), _object("cm"), {"preconditions": {"uid": "u-2"}}, now=NOW)
    assert raised.value.code == 409
    assert "UID in precondition: u-2" in raised.value.message


def test_a_terminating_namespace_goes_only_when_empty_and_unfinalized() -> None:
    namespace = _object("ui", deletionTimestamp="2023-11-14T22:13:20Z")
    assert namespace_may_go(namespace, has_content=False)
    assert not namespace_may_go(namespace, has_content=True)
    held = _object("ui", deletionTimestamp="2023-11-14T22:13:20Z", finalizers=["x"])
    assert not namespace_may_go(held, has_content=False)
