"""Strategic merge, JSON merge and JSON patch as a real server applies them."""

from __future__ import annotations

import pytest

from localnlb.cluster.apiserver.decoding import merge_keys
from localnlb.cluster.apiserver.decoding.patch_formats import (
    PatchError,
    json_patch,
    merge_patch,
    strategic_merge,
)

DEPLOYMENT = merge_keys.for_store_key("apps/deployments")
SERVICE = merge_keys.for_store_key("/services")


def _deployment() -> dict[str, object]:
    return {
        "metadata": {"name": "ui", "finalizers": ["a", "b"]},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "ui",
                            "image": "ui:1",
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                        },
                        {"name": "sidecar", "image": "side:1"},
                    ]
                }
            }
        },
    }


def test_lists_with_a_merge_key_merge_by_key() -> None:
    result = strategic_merge(
        _deployment(),
        {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "ui",
                                "image": "ui:2",
                                "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}],
                            }
                        ]
                    }
                }
            }
        },
        DEPLOYMENT,
    )
    containers = result["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["ui", "sidecar"]
    assert containers[0]["image"] == "ui:2"
    assert containers[0]["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "3"},
        {"name": "C", "value": "4"},
    ]
    assert containers[0]["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]


def test_kubectl_apply_directives() -> None:
    patch = {
        "metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]},
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "ui"}],
                    "containers": [
                        {
                            "name": "ui",
                            "$setElementOrder/env": [{"name": "B"}],
                            "env": [{"name": "A", "$patch": "delete"}],
                        }
                    ],
                }
            }
        },
    }
    result = strategic_merge(_deployment(), patch, DEPLOYMENT)
    assert result["metadata"]["finalizers"] == ["b"]
    containers = result["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["sidecar", "ui"]
    assert containers[1]["env"] == [{"name": "B", "value": "2"}]


def test_replace_delete_and_retain_keys() -> None:
    original = {
        "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}}
    }
    recreate = strategic_merge(
        original, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}, DEPLOYMENT
    )
    assert recreate["spec"]["strategy"] == {"type": "Recreate"}
    replaced = strategic_merge(
        _deployment(),
        {
            "spec": {
                "template": {
                    "spec": {"containers": [{"name": "only", "image": "x"}, {"$patch": "replace"}]}
                }
            }
        },
        DEPLOYMENT,
    )
    assert replaced["spec"]["template"]["spec"]["containers"] == [{"name": "only", "image": "x"}]
    dropped = strategic_merge(
        {"a": {"b": 1}, "c": 2}, {"a": {"$patch": "delete"}, "c": None}, DEPLOYMENT
    )
    assert dropped == {}


def test_lists_without_a_strategy_are_replaced() -> None:
    service = {
        "spec": {
            "ports": [{"port": 80, "name": "http"}],
            "loadBalancerSourceRanges": ["10.0.0.0/8"],
        }
    }
    result = strategic_merge(
        service,
        {
            "spec": {
                "ports": [{"port": 443, "name": "https"}],
                "loadBalancerSourceRanges": ["0.0.0.0/0"],
            }
        },
        SERVICE,
    )
    assert result["spec"]["ports"] == [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]
    assert result["spec"]["loadBalancerSourceRanges"] == ["0.0.0.0/0"]


def test_missing_merge_key_is_an_error() -> None:
    with pytest.raises(PatchError, match=r"does not contain declared merge key: name"):
        strategic_merge(
            _deployment(),
            {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}},
            DEPLOYMENT,
        )


def test_merge_patch_rfc7386() -> None:
    assert merge_patch(
        {"a": {"b": 1, "c": 2}, "l": [1, 2]}, {"a": {"b": None, "d": 3}, "l": [3]}
    ) == {"a": {"c": 2, "d": 3}, "l": [3]}


def test_json_patch_and_its_errors() -> None:
    assert json_patch({"a": [1]}, [{"op": "add", "path": "/a/-", "value": 2}]) == {"a": [1, 2]}
    with pytest.raises(PatchError):
        json_patch({"a": 1}, [{"op": "remove", "path": "/b"}])
    with pytest.raises(PatchError):
        json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])
    with pytest.raises(PatchError):
        json_patch({"a": 1}, {"op": "add"})
