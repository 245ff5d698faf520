"""kube-proxy's per-node table: which endpoints each NodePort may use, and its health answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from localnlb.cluster.kubeproxy.healthcheck import proxy_healthz, proxy_livez, service_health
from localnlb.cluster.kubeproxy.rules import Endpoint, HealthCheckRule, build_proxy_table


def service(policy: str = "Cluster", *, kind: str = "LoadBalancer") -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": kind,
        "externalTrafficPolicy": policy,
        "ports": [{"name": "http", "port": 80, "nodePort": 30549, "protocol": "TCP"}],
    }
    if policy == "Local":
        spec["healthCheckNodePort"] = 31805
    return {"metadata": {"name": "ui-nlb", "namespace": "ui"}, "spec": spec}


def endpoint(ip: str, node: str, **conditions: bool) -> dict[str, Any]:
    return {
        "addresses": [ip],
        "nodeName": node,
        "zone": {"node-a": "us-west-2a", "node-b": "us-west-2b"}[node],
        "conditions": {"ready": True, "serving": True, "terminating": False, **conditions},
    }


def slices(*endpoints: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "metadata": {"namespace": "ui", "labels": {"kubernetes.io/service-name": "ui-nlb"}},
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": list(endpoints),
        }
    ]


def test_endpoints_off_this_machine_are_never_used() -> None:
    # A selector-less Service's hand-written slice may name any address; nothing leaves 127/8.
    table = build_proxy_table(
        "node-a",
        [service()],
        slices(
            endpoint("10.0.1.5", "node-a"),
            endpoint("192.0.2.7", "node-b"),
            endpoint("127.42.1.1", "node-a"),
            endpoint("not-an-ip", "node-b"),
        ),
    )
    [rule] = table.node_ports
    assert rule.endpoints == (Endpoint("127.42.1.1", 8080, "node-a", "us-west-2a"),)


def test_cluster_policy_uses_every_ready_endpoint_from_any_node() -> None:
    table = build_proxy_table(
        "node-a",
        [service()],
        slices(
            endpoint("127.42.1.1", "node-a"),
            endpoint("127.42.17.1", "node-b"),
            endpoint("127.42.1.9", "node-a", ready=False, serving=False),
        ),
    )
    [rule] = table.node_ports
    assert (rule.node_port, rule.protocol, rule.local_only) == (30549, "TCP", False)
    assert rule.endpoints == (
        Endpoint("127.42.1.1", 8080, "node-a", "us-west-2a"),
        Endpoint("127.42.17.1", 8080, "node-b", "us-west-2b"),
    )
    assert table.health_checks == ()


def test_local_policy_keeps_only_this_nodes_endpoints_and_counts_them() -> None:
    endpoints = slices(endpoint("127.42.1.1", "node-a"), endpoint("127.42.17.1", "node-b"))
    on_b = build_proxy_table("node-b", [service("Local")], endpoints)
    assert [e.address for e in on_b.node_ports[0].endpoints] == ["127.42.17.1"]
    assert on_b.node_ports[0].local_only
    assert on_b.health_checks == (HealthCheckRule("ui", "ui-nlb", 31805, 1),)
    on_c = build_proxy_table("node-c", [service("Local")], endpoints)
    assert on_c.node_ports[0].endpoints == ()
    assert on_c.health_checks[0].local_endpoints == 0


def test_terminating_but_serving_endpoints_are_the_fallback() -> None:
    table = build_proxy_table(
        "node-a",
        [service()],
        slices(
            endpoint("127.42.1.1", "node-a", ready=False, terminating=True),
            endpoint("127.42.1.2", "node-a", ready=False, serving=False, terminating=True),
        ),
    )
    assert [e.address for e in table.node_ports[0].endpoints] == ["127.42.1.1"]


@pytest.mark.parametrize("kind", ["ClusterIP", "ExternalName"])
def test_services_without_node_ports_get_no_rules(kind: str) -> None:
    assert build_proxy_table("node-a", [service(kind=kind)], []).node_ports == ()


def test_service_health_bodies_match_upstream() -> None:
    ok = service_health(HealthCheckRule("ui", "ui-nlb", 31805, 2))
    assert ok.status == 200
    assert json.loads(ok.body) == {
        "service": {"namespace": "ui", "name": "ui-nlb"},
        "localEndpoints": 2,
        "serviceProxyHealthy": True,
    }
    assert ok.body.startswith('{\n\t"service": {\n\t\t"namespace": "ui",')
    assert ("X-Load-Balancing-Endpoint-Weight", "2") in ok.headers
    assert service_health(HealthCheckRule("ui", "ui-nlb", 31805, 0)).status == 503


def test_proxy_health_bodies_use_go_time_format() -> None:
    healthz = proxy_healthz(wall=1_780_000_000.25, monotonic=12.5)
    assert healthz.status == 200
    body = json.loads(healthz.body)
    assert body["nodeEligible"] is True
    assert body["currentTime"] == "2026-05-28 20:26:40.250000000 +0000 UTC m=+12.500000000"
    assert body["lastUpdated"] == body["currentTime"]
    assert set(json.loads(proxy_livez(wall=0, monotonic=1).body)) == {"lastUpdated", "currentTime"}
