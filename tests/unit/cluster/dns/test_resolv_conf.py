"""A pod's resolv.conf for each dnsPolicy, as the kubelet writes it."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.dns.resolv_conf import (
    ClusterDnsConfig,
    UnsafeNameserver,
    pod_resolv_conf,
)

pytestmark = pytest.mark.timeout(10)

CLUSTER = ClusterDnsConfig("127.18.192.10")
NODE = "# the machine's\nnameserver 127.0.0.53\nsearch corp.example\noptions edns0 trust-ad\n"


def pod(namespace: str = "ui", **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "p", "namespace": namespace}, "spec": spec}


def test_cluster_first_is_the_default() -> None:
    assert pod_resolv_conf(pod(), CLUSTER, node_resolv_conf=NODE) == (
        "nameserver 127.18.192.10\n"
        "search ui.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
        "options ndots:5\n"
    )


def test_default_is_the_nodes_own_file() -> None:
    assert pod_resolv_conf(pod(dnsPolicy="Default"), CLUSTER, node_resolv_conf=NODE) is None
    # host network without ClusterFirstWithHostNet, or no cluster DNS at all: the node's too
    assert pod_resolv_conf(pod(hostNetwork=True), CLUSTER, node_resolv_conf=NODE) is None
    assert pod_resolv_conf(pod(), None, node_resolv_conf=NODE) is None
    with_net = pod(hostNetwork=True, dnsPolicy="ClusterFirstWithHostNet")
    assert "nameserver 127.18.192.10\n" in (
        pod_resolv_conf(with_net, CLUSTER, node_resolv_conf=NODE) or ""
    )


def test_default_never_keeps_a_nameserver_off_the_machine() -> None:
    """This machine's resolver may sit elsewhere (here: 10.255.255.53): a Default pod keeps
    only the node's loopback nameservers, so its lookups never leave the machine."""
    node = "nameserver 10.255.255.53\nnameserver 127.0.0.53\nsearch corp.example\n"
    assert pod_resolv_conf(pod(dnsPolicy="Default"), CLUSTER, node_resolv_conf=node) == (
        "nameserver 127.0.0.53\nsearch corp.example\n"
    )
    off_only = "nameserver 10.255.255.53\n"
    written = pod_resolv_conf(pod(hostNetwork=True), CLUSTER, node_resolv_conf=off_only)
    assert written is not None
    assert "nameserver" not in written  # glibc then asks 127.0.0.1


def test_none_takes_only_dns_config() -> None:
    spec: dict[str, Any] = {
        "dnsPolicy": "None",
        "dnsConfig": {
            "nameservers": ["127.18.128.53"],
            "searches": ["ns1.svc.cluster-domain.example"],
            "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}],
        },
    }
    assert pod_resolv_conf(pod(**spec), CLUSTER, node_resolv_conf=NODE) == (
        "nameserver 127.18.128.53\nsearch ns1.svc.cluster-domain.example\noptions ndots:2 edns0\n"
    )


def test_dns_config_adds_to_cluster_first_and_its_options_win() -> None:
    spec: dict[str, Any] = {
        "dnsConfig": {
            "nameservers": ["127.18.192.10", "127.0.0.53"],
            "searches": ["svc.cluster.local", "extra.local"],
            "options": [{"name": "ndots", "value": "1"}],
        }
    }
    assert pod_resolv_conf(pod("db", **spec), CLUSTER, node_resolv_conf="") == (
        "nameserver 127.18.192.10\nnameserver 127.0.0.53\n"
        "search db.svc.cluster.local svc.cluster.local cluster.local extra.local\n"
        "options ndots:1\n"
    )


def test_a_nameserver_off_the_machine_is_refused() -> None:
    spec: dict[str, Any] = {"dnsPolicy": "None", "dnsConfig": {"nameservers": ["8.8.8.8"]}}
    with pytest.raises(UnsafeNameserver, match=r"8\.8\.8\.8 is outside 127\.0\.0\.0/8"):
        pod_resolv_conf(pod(**spec), CLUSTER, node_resolv_conf=NODE)
