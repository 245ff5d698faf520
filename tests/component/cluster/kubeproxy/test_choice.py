"""The choice for each new flow, without sockets: spread, source address, refusal, counting."""

from __future__ import annotations

import random
from collections import Counter

from prometheus_client import CollectorRegistry

from localnlb.cluster.kubeproxy.metrics import ProxyMetrics
from localnlb.cluster.kubeproxy.policy import NodePortForwarding
from localnlb.cluster.kubeproxy.rules import Endpoint, NodePortRule

ENDPOINTS = tuple(Endpoint(f"127.42.{n}.5", 8080, f"node-{n}", None) for n in (1, 17, 33))


def forwarding(
    *, local_only: bool, endpoints: tuple[Endpoint, ...] = ENDPOINTS
) -> NodePortForwarding:
    state = NodePortForwarding(
        node_name="node-1",
        node_ip="127.42.0.10",
        metrics=ProxyMetrics(CollectorRegistry()),
        rng=random.Random(3),
    )
    state.rules = {
        ("TCP", 30080): NodePortRule("shop", "ui", "web", "TCP", 30080, local_only, endpoints)
    }
    return state


def test_new_flows_spread_evenly_over_the_endpoints() -> None:
    state = forwarding(local_only=False)
    picks = Counter(
        record.endpoint.address
        for port in range(3000)
        if (record := state.pick(("TCP", 30080), ("127.0.0.99", 20000 + port))) is not None
    )
    assert set(picks) == {e.address for e in ENDPOINTS}
    assert all(900 <= count <= 1100 for count in picks.values()), picks


def test_cluster_masquerades_to_the_node_and_marks_hops_to_other_nodes() -> None:
    state = forwarding(local_only=False)
    records = [state.pick(("TCP", 30080), ("127.0.0.99", p)) for p in range(50)]
    assert {r.source_ip for r in records if r} == {"127.42.0.10"}
    assert all(r.cross_node == (r.endpoint.node_name != "node-1") for r in records if r)


def test_local_keeps_the_client_address() -> None:
    state = forwarding(local_only=True, endpoints=ENDPOINTS[:1])
    record = state.pick(("TCP", 30080), ("127.0.0.99", 40000))
    assert record is not None
    assert (record.source_ip, record.cross_node) == ("127.0.0.99", False)


def test_no_endpoint_or_no_rule_refuses() -> None:
    state = forwarding(local_only=True, endpoints=())
    assert state.pick(("TCP", 30080), ("127.0.0.99", 40000)) is None
    assert state.pick(("UDP", 30080), ("127.0.0.99", 40000)) is None
    refused = state.metrics.registry.get_sample_value(
        "localnlb_kubeproxy_connections_refused_total",
        {"node": "node-1", "namespace": "shop", "service": "ui", "port": "web", "protocol": "TCP"},
    )
    assert refused == 1
