"""EndpointSlices as the real controller writes them: conditions, zones, named ports, slicing."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.controllers.endpoints import build_endpoints
from localnlb.cluster.controllers.endpointslices import build_endpoint_slices, slice_key
from tests.unit.cluster.builders import make_node, make_pod, make_service

NODES = {
    "node-a": make_node("node-a", "us-west-2a"),
    "node-b": make_node("node-b", "us-west-2b"),
}
SELECTOR = {"app": "ui"}


def conditions_of(slices: list[dict[str, Any]]) -> dict[str, dict[str, bool]]:
    return {e["targetRef"]["name"]: e["conditions"] for s in slices for e in s["endpoints"]}


def test_ready_pods_become_ready_endpoints_with_zone_node_and_resolved_port() -> None:
    pods = [
        make_pod("p1", ip="127.42.1.1", node="node-a"),
        make_pod("p2", ip="127.42.17.1", node="node-b"),
    ]
    [endpoint_slice] = build_endpoint_slices(make_service(selector=SELECTOR), pods, NODES)
    assert endpoint_slice["addressType"] == "IPv4"
    assert endpoint_slice["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    labels = endpoint_slice["metadata"]["labels"]
    assert labels["kubernetes.io/service-name"] == "ui"
    assert labels["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert endpoint_slice["metadata"]["ownerReferences"][0]["kind"] == "Service"
    first, second = endpoint_slice["endpoints"]
    assert first == {
        "addresses": ["127.42.1.1"],
        "conditions": {"ready": True, "serving": True, "terminating": False},
        "targetRef": {"kind": "Pod", "namespace": "ui", "name": "p1", "uid": "uid-p1"},
        "nodeName": "node-a",
        "zone": "us-west-2a",
    }
    assert second["zone"] == "us-west-2b"


@pytest.mark.parametrize(
    ("ready", "terminating", "publish", "expected"),
    [
        (True, False, False, {"ready": True, "serving": True, "terminating": False}),
        (False, False, False, {"ready": False, "serving": False, "terminating": False}),
        (True, True, False, {"ready": False, "serving": True, "terminating": True}),
        (False, True, False, {"ready": False, "serving": False, "terminating": True}),
        (False, False, True, {"ready": True, "serving": True, "terminating": False}),
    ],
)
def test_conditions(
    ready: bool, terminating: bool, publish: bool, expected: dict[str, bool]
) -> None:
    pod = make_pod("p", ready=ready, terminating=terminating)
    service = make_service(selector=SELECTOR, publish_not_ready=publish)
    assert conditions_of(build_endpoint_slices(service, [pod], NODES)) == {"p": expected}


def test_pods_left_out_without_ip_when_terminal_or_not_selected_or_other_namespace() -> None:
    pods = [
        make_pod("no-ip", ip=None),
        make_pod("done", phase="Succeeded"),
        make_pod("failed", phase="Failed"),
        make_pod("other-app", labels={"app": "cart"}),
        make_pod("elsewhere", namespace="other"),
        make_pod("kept"),
    ]
    slices = build_endpoint_slices(make_service(selector=SELECTOR), pods, NODES)
    assert list(conditions_of(slices)) == ["kept"]


def test_a_service_without_selector_is_not_managed() -> None:
    assert build_endpoint_slices(make_service(selector=None), [make_pod("p")], NODES) == []
    assert build_endpoints(make_service(selector=None), [make_pod("p")]) is None


def test_no_pods_leaves_one_placeholder_slice() -> None:
    [placeholder] = build_endpoint_slices(make_service(selector=SELECTOR), [], NODES)
    assert placeholder["endpoints"] == []
    assert placeholder["ports"] == []


def test_pods_disagreeing_on_a_named_port_land_in_different_slices() -> None:
    old = make_pod("old", container_ports=[{"name": "http", "containerPort": 8080}])
    new = make_pod("new", container_ports=[{"name": "http", "containerPort": 9090}])
    unnamed = make_pod("unnamed", container_ports=[])
    slices = build_endpoint_slices(make_service(selector=SELECTOR), [old, new, unnamed], NODES)
    by_port = {s["ports"][0]["port"] if s["ports"] else None: s for s in slices}
    assert sorted(by_port, key=str) == [8080, 9090, None]
    assert [e["targetRef"]["name"] for e in by_port[8080]["endpoints"]] == ["old"]
    assert slice_key(by_port[9090]) == (("http", 9090, "TCP"),)


def test_numeric_target_port_and_slicing_at_one_hundred() -> None:
    pods = [make_pod(f"p{i:03}", ip=f"127.42.1.{i + 1}") for i in range(150)]
    slices = build_endpoint_slices(make_service(selector=SELECTOR, target_port=8080), pods, NODES)
    assert [len(s["endpoints"]) for s in slices] == [100, 50]


def test_endpoints_object_splits_ready_and_not_ready_and_drops_terminating() -> None:
    pods = [
        make_pod("ready", ip="127.42.1.1"),
        make_pod("starting", ip="127.42.1.2", ready=False),
        make_pod("leaving", ip="127.42.1.3", terminating=True),
    ]
    endpoints = build_endpoints(make_service(selector=SELECTOR), pods)
    assert endpoints is not None
    [subset] = endpoints["subsets"]
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert [a["ip"] for a in subset["addresses"]] == ["127.42.1.1"]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == ["127.42.1.2"]


def test_endpoints_without_pods_has_no_subsets() -> None:
    endpoints = build_endpoints(make_service(selector=SELECTOR), [])
    assert endpoints is not None
    assert "subsets" not in endpoints
    assert endpoints["metadata"]["name"] == "ui"
