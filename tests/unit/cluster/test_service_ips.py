"""kube-proxy's ClusterIP table and ClientIP affinity, without sockets."""

from __future__ import annotations

import dataclasses
from typing import Any

from localnlb.cluster.kubeproxy.rules import Endpoint
from localnlb.cluster.kubeproxy.service_ip_rules_nft import render
from localnlb.cluster.kubeproxy.service_ips import (
    DEFAULT_AFFINITY_SECONDS,
    ClientAffinity,
    ServiceIpRule,
    build_service_ip_table,
)


def service(name: str, cluster_ip: str, **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {
            "clusterIP": cluster_ip,
            "ports": [{"name": "web", "port": 80, "protocol": "TCP"}],
            **spec,
        },
    }


def endpoint_slice(name: str, *addresses: str, ready: bool = True) -> dict[str, Any]:
    return {
        "metadata": {"namespace": "shop", "labels": {"kubernetes.io/service-name": name}},
        "ports": [{"name": "web", "port": 8080, "protocol": "TCP"}],
        "endpoints": [
            {"addresses": [address], "nodeName": "n", "conditions": {"ready": ready}}
            for address in addresses
        ],
    }


def test_each_cluster_ip_port_forwards_to_the_ready_endpoints() -> None:
    (rule,) = build_service_ip_table(
        [service("ui", "127.42.200.7")],
        [
            endpoint_slice("ui", "127.42.1.5", "127.42.17.5"),
            endpoint_slice("ui", "127.42.33.5", ready=False),
        ],
    )
    assert rule.key == ("TCP", "127.42.200.7", 80)
    assert [e.address for e in rule.endpoints] == ["127.42.1.5", "127.42.17.5"]
    assert rule.affinity_seconds is None


def test_headless_external_name_and_off_loopback_services_get_no_rule() -> None:
    """Network safety: nothing is ever bound or dialled for a ClusterIP off 127/8."""
    services = [
        service("headless", "None"),
        service("external", "", type="ExternalName", externalName="example.com"),
        service("old", "172.20.14.3"),
    ]
    assert build_service_ip_table(services, [endpoint_slice("old", "127.42.1.5")]) == ()


def test_endpoints_off_loopback_are_never_dialled() -> None:
    (rule,) = build_service_ip_table(
        [service("ui", "127.42.200.7")], [endpoint_slice("ui", "10.0.0.5", "127.42.1.5")]
    )
    assert [e.address for e in rule.endpoints] == ["127.42.1.5"]


def test_client_ip_affinity_and_its_timeout() -> None:
    (rule,) = build_service_ip_table(
        [service("ui", "127.42.200.7", sessionAffinity="ClientIP")],
        [endpoint_slice("ui", "127.42.1.5", "127.42.17.5")],
    )
    assert rule.affinity_seconds == DEFAULT_AFFINITY_SECONDS
    short = dataclasses.replace(rule, affinity_seconds=30.0)
    affinity = ClientAffinity()
    assert affinity.recall(short, "127.0.0.1", 0.0) is None
    affinity.remember(short, "127.0.0.1", short.endpoints[1], 0.0)
    assert affinity.recall(short, "127.0.0.1", 29.0) == short.endpoints[1]
    assert affinity.recall(short, "127.0.0.2", 29.0) is None  # another client chooses anew
    assert affinity.recall(short, "127.0.0.1", 60.0) is None  # idle past the timeout


def test_affinity_lets_go_of_an_endpoint_that_left() -> None:
    gone = Endpoint("127.42.17.5", 8080, "n", None)
    rule = ServiceIpRule("shop", "ui", "web", "TCP", "127.42.200.7", 80, (), 30.0)
    affinity = ClientAffinity()
    affinity.remember(rule, "127.0.0.1", gone, 0.0)
    assert affinity.recall(rule, "127.0.0.1", 1.0) is None


def test_the_kernel_table_dnats_each_cluster_ip_and_drops_what_went() -> None:
    with_pods, empty = build_service_ip_table(
        [
            service("ui", "127.42.200.7", sessionAffinity="ClientIP"),
            service("gone", "127.42.200.8"),
        ],
        [endpoint_slice("ui", "127.42.1.5", "127.42.17.5")],
    )
    first = render("kp", [with_pods, empty])
    assert "127.42.200.7 . tcp . 80 : goto s_" in first.script
    assert "numgen random mod 2 vmap" in first.script
    assert first.script.count("dnat ip to 127.42.") == 2
    assert "meta l4proto tcp reject with tcp reset" in first.script  # "gone" has no endpoint
    assert len(first.sets) == 2  # one affinity set per endpoint of the ClientIP Service
    assert "timeout 10800s" in first.script
    second = render("kp", [empty], previous_chains=first.chains, previous_sets=first.sets)
    assert second.script.count("delete chain ip kp e_") == 2
    assert second.script.count("delete set ip kp a_") == 2
    assert "127.42.200.7" not in second.script
