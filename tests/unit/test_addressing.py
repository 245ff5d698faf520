"""The address plan: disjoint ranges per AZ, all inside the VPC on loopback."""

from __future__ import annotations

import ipaddress

import pytest

from localnlb.common.addressing import build_address_plan


def test_three_zones_with_disjoint_ranges_inside_loopback() -> None:
    plan = build_address_plan(vpc_octet=42)
    assert plan.vpc_cidr == ipaddress.IPv4Network("127.42.0.0/16")
    assert plan.zone_names == ("us-west-2a", "us-west-2b", "us-west-2c")
    assert [s.zone_id for s in plan.subnets] == ["usw2-az1", "usw2-az2", "usw2-az3"]
    loopback = ipaddress.IPv4Network("127.0.0.0/8")
    seen: set[ipaddress.IPv4Address] = set()
    for subnet in plan.subnets:
        assert subnet.cidr.subnet_of(plan.vpc_cidr)
        assert subnet.cidr.subnet_of(loopback)
        for pool in (subnet.instances, subnet.lb_nodes, subnet.pods):
            addresses = set(pool.addresses())
            assert all(a in subnet.cidr for a in addresses)
            assert not addresses & seen
            seen |= addresses


def test_zone_of_and_membership() -> None:
    plan = build_address_plan(vpc_octet=42)
    assert plan.zone_of("127.42.16.10") == "us-west-2b"
    assert plan.zone_of("127.43.0.1") is None
    assert plan.zone_of("not an ip") is None
    assert "127.42.0.10" in plan.subnets[0].instances
    assert "127.42.0.100" not in plan.subnets[0].instances
    assert plan.in_vpc("127.42.200.1")
    assert not plan.in_vpc("10.0.0.1")


@pytest.mark.parametrize(("octet", "zones"), [(0, 3), (255, 3), (42, 0), (42, 7)])
def test_rejects_out_of_range_plans(octet: int, zones: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        build_address_plan(vpc_octet=octet, az_count=zones)
