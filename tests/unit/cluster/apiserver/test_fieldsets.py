"""Field sets, FieldsV1, and the server-side apply ownership rules."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.apiserver.decoding.merge_keys import for_store_key
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage import managed_fields
from localnlb.cluster.apiserver.storage.field_sets import (
    from_fields_v1,
    leaves,
    remove,
    to_fields_v1,
)

TREE = for_store_key("apps/deployments")


def _deployment(image: str = "ui:1", **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "ui", "uid": "u", "labels": {"a": "b"}, "finalizers": ["x/y"]},
        "spec": {
            "replicas": 1,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "ui", "image": image, "ports": [{"containerPort": 8080}]},
                        *extra.get("more", []),
                    ]
                }
            },
        },
    }


def test_leaves_use_keys_for_merged_lists_and_skip_server_fields() -> None:
    paths = set(leaves(_deployment(), TREE))
    assert ("f:metadata", "f:uid") not in paths
    assert ("f:metadata", "f:finalizers", 'v:"x/y"') in paths
    assert (
        "f:spec",
        "f:template",
        "f:spec",
        "f:containers",
        'k:{"name":"ui"}',
        "f:ports",
        'k:{"containerPort":8080}',
        "f:containerPort",
    ) in paths
    assert from_fields_v1(to_fields_v1(paths)) == paths
    tree = to_fields_v1(paths)
    container = tree["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"ui"}']
    assert container["."] == {}


def test_remove_a_keyed_element_and_a_set_member() -> None:
    obj = _deployment(more=[{"name": "side", "image": "s"}])
    remove(obj, ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"side"}'), TREE)
    remove(obj, ("f:metadata", "f:finalizers", 'v:"x/y"'), TREE)
    assert [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]] == ["ui"]
    assert obj["metadata"]["finalizers"] == []


def test_update_takes_changed_fields_apply_owns_its_config() -> None:
    first = _deployment()
    managed_fields.track(
        None, first, manager="create", operation="Update", subresource="", tree=TREE, wall=0
    )
    second = _deployment(image="ui:2")
    managed_fields.track(
        first, second, manager="edit", operation="Update", subresource="", tree=TREE, wall=1
    )
    owners = {
        e["manager"]: from_fields_v1(e["fieldsV1"]) for e in second["metadata"]["managedFields"]
    }
    image = ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"ui"}', "f:image")
    assert image in owners["edit"]
    assert image not in owners["create"]
    with pytest.raises(ApiError) as raised:
        managed_fields.check_conflicts(
            second,
            _deployment(image="ui:3"),
            manager="apply",
            tree=TREE,
            kind="deployments",
            name="ui",
            api_version="apps/v1",
        )
    assert raised.value.code == 409
    managed_fields.check_conflicts(
        second,
        _deployment(image="ui:2"),
        manager="apply",
        tree=TREE,
        kind="deployments",
        name="ui",
        api_version="apps/v1",
    )


def test_released_fields_go_whole_elements_when_unowned() -> None:
    current = _deployment(more=[{"name": "side", "image": "s"}])
    config = _deployment(more=[{"name": "side", "image": "s"}])
    managed_fields.track(
        None,
        current,
        manager="me",
        operation="Apply",
        subresource="",
        tree=TREE,
        wall=0,
        applied=set(leaves(config, TREE)),
    )
    dropped = managed_fields.released(current, _deployment(), manager="me", tree=TREE)
    assert dropped == [("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"side"}')]
