"""ClusterIP and NodePort allocation at create, kept across updates."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from localnlb.cluster.apiserver.storage.service_allocation import (
    allocate,
    carry_allocations,
    kubernetes_service_ip,
    used_addresses,
)
from localnlb.common.addressing import LOOPBACK_NETWORK, build_address_plan

SERVICE_CIDR = build_address_plan(vpc_octet=42).service_cidr


def _service(kind: str, **spec: Any) -> dict[str, Any]:
    return {"spec": {"type": kind, "ports": [{"port": 80, "protocol": "TCP"}], **spec}}


def test_allocates_unique_addresses_and_ports() -> None:
    rng = random.Random(1)
    services: list[dict[str, Any]] = []
    for _ in range(50):
        service = _service("LoadBalancer", externalTrafficPolicy="Local")
        ips, ports = used_addresses(services)
        assert (
            allocate(service, service_cidr=SERVICE_CIDR, taken_ips=ips, taken_ports=ports, rng=rng)
            == []
        )
        services.append(service)
    ips, ports = used_addresses(services)
    assert len(ips) == 50
    assert len(ports) == 100
    assert all(ipaddress.ip_address(ip) in SERVICE_CIDR for ip in ips)
    assert all(30000 <= port <= 32767 for port in ports)


def test_cluster_ip_services_get_no_node_port_and_none_stays_headless() -> None:
    rng = random.Random(2)
    plain = _service("ClusterIP")
    allocate(plain, service_cidr=SERVICE_CIDR, taken_ips=set(), taken_ports=set(), rng=rng)
    assert "nodePort" not in plain["spec"]["ports"][0]
    headless = _service("ClusterIP", clusterIP="None")
    allocate(headless, service_cidr=SERVICE_CIDR, taken_ips=set(), taken_ports=set(), rng=rng)
    assert headless["spec"]["clusterIPs"] == ["None"]


def test_requested_values_are_checked() -> None:
    rng = random.Random(3)
    outside = _service("ClusterIP", clusterIP="10.0.0.1")
    causes = allocate(
        outside, service_cidr=SERVICE_CIDR, taken_ips=set(), taken_ports=set(), rng=rng
    )
    assert causes[0].field == "spec.clusterIPs[0]"
    taken = _service("NodePort")
    taken["spec"]["ports"][0]["nodePort"] = 30080
    causes = allocate(
        taken, service_cidr=SERVICE_CIDR, taken_ips=set(), taken_ports={30080}, rng=rng
    )
    assert "provided port is already allocated" in causes[0].message


def test_updates_keep_allocations_and_drop_them_on_type_change() -> None:
    old = _service("NodePort", clusterIP="127.42.193.1", clusterIPs=["127.42.193.1"])
    old["spec"]["ports"][0]["nodePort"] = 30100
    new = _service("NodePort")
    carry_allocations(new, old)
    assert new["spec"]["clusterIP"] == "127.42.193.1"
    assert new["spec"]["ports"][0]["nodePort"] == 30100
    back = _service("ClusterIP")
    back["spec"]["ports"][0]["nodePort"] = 30100
    carry_allocations(back, old)
    assert "nodePort" not in back["spec"]["ports"][0]


def test_cluster_ips_stay_on_loopback_inside_the_vpc() -> None:
    """Network safety: a ClusterIP is an address of this machine, in the state dir's VPC, clear
    of every AZ subnet; a pod that dials it never sends a packet off the machine."""
    plan = build_address_plan(vpc_octet=42, az_count=6)
    assert plan.service_cidr.subnet_of(LOOPBACK_NETWORK)
    assert plan.service_cidr.subnet_of(plan.vpc_cidr)
    assert not any(plan.service_cidr.overlaps(subnet.cidr) for subnet in plan.subnets)
    assert kubernetes_service_ip(plan.service_cidr) == "127.42.192.1"
    rng = random.Random(4)
    for _ in range(200):
        service = _service("ClusterIP")
        assert (
            allocate(
                service, service_cidr=plan.service_cidr, taken_ips=set(), taken_ports=set(), rng=rng
            )
            == []
        )
        assert ipaddress.ip_address(service["spec"]["clusterIP"]) in plan.service_cidr
