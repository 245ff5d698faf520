"""The patch planner alone: what a PATCH or a server-side apply writes over the stored object."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.apiserver.discovery.catalog import Catalog
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.field_sets import Path, to_fields_v1
from localnlb.cluster.apiserver.storage.patch_planner import plan_patch
from localnlb.cluster.schema.kinds import ResourceType


def _configmaps() -> ResourceType:
    found = Catalog().by_kind("", "v1", "ConfigMap")
    assert found is not None
    return found


def _stored(data: dict[str, str], owner: str) -> dict[str, Any]:
    owned: set[Path] = {("f:data", f"f:{key}") for key in data}
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "cm",
            "managedFields": [
                {"manager": owner, "operation": "Update", "fieldsV1": to_fields_v1(owned)}
            ],
        },
        "data": data,
    }


def _apply(body: Any, current: dict[str, Any] | None, *, force: bool = False) -> Any:
    return plan_patch(
        _configmaps(),
        "cm",
        body,
        patch_type="apply",
        current=current,
        subresource="",
        manager="kubectl",
        force=force,
    )


def test_apply_creates_what_is_missing_and_owns_its_fields() -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "1"}}
    plan = _apply(body, None)
    assert plan.creates
    assert plan.operation == "Apply"
    assert plan.obj["data"] == {"a": "1"}
    assert ("f:data", "f:a") in plan.applied


def test_apply_over_another_managers_value_conflicts_unless_forced() -> None:
    current = _stored({"a": "1", "b": "2"}, owner="kubectl-edit")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "9"}}
    with pytest.raises(ApiError) as raised:
        _apply(body, current)
    assert raised.value.code == 409
    plan = _apply(body, current, force=True)
    assert not plan.creates
    assert plan.obj["data"] == {"a": "9", "b": "2"}
    assert current["data"] == {"a": "1", "b": "2"}, "the planner copies, never mutates"


@pytest.mark.parametrize(
    ("patch_type", "body", "code"),
    [
        ("merge", {"data": {"a": "2"}}, 404),
        ("json", [{"op": "remove", "path": "/data/missing"}], 422),
        ("strategic", ["not", "a", "map"], 400),
    ],
)
def test_patches_that_cannot_be_planned_are_api_errors(
    patch_type: str, body: Any, code: int
) -> None:
    current = None if code == 404 else _stored({"a": "1"}, owner="kubectl")
    with pytest.raises(ApiError) as raised:
        plan_patch(
            _configmaps(),
            "cm",
            body,
            patch_type=patch_type,
            current=current,
            subresource="",
            manager="kubectl",
            force=False,
        )
    assert raised.value.code == code


def test_a_merge_patch_plans_an_update_to_the_patched_object() -> None:
    plan = plan_patch(
        _configmaps(),
        "cm",
        {"data": {"b": "2"}},
        patch_type="merge",
        current=_stored({"a": "1"}, owner="kubectl"),
        subresource="",
        manager="kubectl",
        force=False,
    )
    assert not plan.creates
    assert plan.operation == "Update"
    assert plan.applied is None
    assert plan.obj["data"] == {"a": "1", "b": "2"}
