"""Deletion semantics through the in-process Registry (in-memory store, fake clock)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.bootstrap import bootstrap
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.store import ObjectStore
from localnlb.common.addressing import build_address_plan
from localnlb.common.clock import FakeClock


@pytest.fixture
def registry() -> Registry:
    created = Registry(
        ObjectStore(),
        service_cidr=build_address_plan(vpc_octet=42).service_cidr,
        clock=FakeClock(),
        rng=random.Random(7),
    )
    bootstrap(created)
    return created


def _configmap(name: str, **metadata: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, **metadata}}


def test_finalizers_hold_an_object_until_removed(registry: Registry) -> None:
    cm = registry.resource("v1", "ConfigMap")
    registry.create(cm, "default", _configmap("held", finalizers=["example.com/x"]))
    marked, gone = registry.delete(cm, "default", "held")
    assert not gone
    assert marked["metadata"]["deletionTimestamp"]
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 0
    again, gone_again = registry.delete(cm, "default", "held")
    assert not gone_again
    assert again["metadata"]["resourceVersion"] == marked["metadata"]["resourceVersion"]
    registry.patch(cm, "default", "held", {"metadata": {"finalizers": None}}, patch_type="merge")
    with pytest.raises(ApiError) as raised:
        registry.get(cm, "default", "held")
    assert raised.value.code == 404


def test_propagation_policies_add_gc_finalizers(registry: Registry) -> None:
    cm = registry.resource("v1", "ConfigMap")
    registry.create(cm, "default", _configmap("fg"))
    registry.create(cm, "default", _configmap("orphan"))
    foreground, _ = registry.delete(cm, "default", "fg", {"propagationPolicy": "Foreground"})
    assert foreground["metadata"]["finalizers"] == ["foregroundDeletion"]
    orphaned, _ = registry.delete(cm, "default", "orphan", {"orphanDependents": True})
    assert orphaned["metadata"]["finalizers"] == ["orphan"]
    with pytest.raises(ApiError) as raised:
        registry.delete(cm, "default", "fg", {"propagationPolicy": "Sideways"})
    assert raised.value.code == 422


def test_scheduled_pods_get_a_grace_period(registry: Registry) -> None:
    pods = registry.resource("v1", "Pod")
    spec = {"containers": [{"name": "c", "image": "i"}]}
    registry.create(
        pods,
        "default",
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "unscheduled"}, "spec": spec},
    )
    _, gone = registry.delete(pods, "default", "unscheduled")
    assert gone
    registry.create(
        pods,
        "default",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "bound"},
            "spec": {**spec, "nodeName": "n1"},
        },
    )
    marked, gone = registry.delete(pods, "default", "bound")
    assert not gone
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 30
    _, gone = registry.delete(pods, "default", "bound", {"gracePeriodSeconds": 0})
    assert gone


def test_namespace_deletion_removes_content_then_itself(registry: Registry) -> None:
    namespaces = registry.resource("v1", "Namespace")
    cm = registry.resource("v1", "ConfigMap")
    registry.create(
        namespaces, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ui"}}
    )
    registry.create(cm, "ui", _configmap("plain"))
    registry.create(cm, "ui", _configmap("held", finalizers=["example.com/x"]))
    terminating, gone = registry.delete(namespaces, "", "ui")
    assert not gone
    assert terminating["status"]["phase"] == "Terminating"
    assert [i["metadata"]["name"] for i in registry.list(cm, "ui")["items"]] == ["held"]
    registry.patch(cm, "ui", "held", {"metadata": {"finalizers": None}}, patch_type="merge")
    with pytest.raises(ApiError):
        registry.get(namespaces, "", "ui")
    with pytest.raises(ApiError) as raised:
        registry.delete(namespaces, "", "default")
    assert raised.value.code == 403


def test_namespace_with_plain_content_goes_at_once(registry: Registry) -> None:
    namespaces = registry.resource("v1", "Namespace")
    cm = registry.resource("v1", "ConfigMap")
    registry.create(
        namespaces, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ui"}}
    )
    registry.create(cm, "ui", _configmap("a"))
    registry.create(cm, "ui", _configmap("b"))
    _, gone = registry.delete(namespaces, "", "ui")
    assert gone
    assert registry.store.list("/configmaps", "ui")[0] == []
    assert registry.store.find("/namespaces", "", "ui") is None


def test_deleting_a_crd_removes_its_objects_and_stops_serving(registry: Registry) -> None:
    crds = registry.resource("apiextensions.k8s.io/v1", "CustomResourceDefinition")
    registry.create(
        crds,
        "",
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget"},
                "versions": [
                    {
                        "name": "v1",
                        "served": True,
                        "storage": True,
                        "schema": {"openAPIV3Schema": {"type": "object"}},
                    }
                ],
            },
        },
    )
    widgets = registry.resource("example.com/v1", "Widget")
    registry.create(
        widgets,
        "default",
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}},
    )
    registry.delete(crds, "", "widgets.example.com")
    assert registry.store.list("example.com/widgets")[0] == []
    with pytest.raises(ApiError):
        registry.resource("example.com/v1", "Widget")
