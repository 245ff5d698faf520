"""Pod addresses: unique, stable per pod, reclaimed after a restart, reused after release."""

from __future__ import annotations

import ipaddress

import pytest

from localnlb.cluster.nodeagent.ipam import PodAddressPool, PoolExhausted
from localnlb.common.addressing import AddressRange, build_address_plan


def small_pool(size: int) -> PodAddressPool:
    first = ipaddress.IPv4Address("127.42.1.0")
    return PodAddressPool(AddressRange(first, first + size - 1))


def test_allocation_is_unique_and_idempotent_per_pod() -> None:
    pool = PodAddressPool(build_address_plan(vpc_octet=42).subnets[1].pods)
    first = pool.allocate("a")
    assert first == "127.42.17.1"
    assert pool.allocate("a") == first
    assert pool.allocate("b") == "127.42.17.2"


def test_claimed_addresses_are_never_handed_out_again() -> None:
    pool = small_pool(3)
    pool.claim("old", "127.42.1.0")
    pool.claim("outside", "10.0.0.1")
    assert pool.allocate("new") == "127.42.1.1"
    assert pool.address_of("old") == "127.42.1.0"
    assert pool.address_of("outside") is None


def test_release_makes_room_and_exhaustion_is_an_error() -> None:
    pool = small_pool(2)
    pool.allocate("a")
    pool.allocate("b")
    with pytest.raises(PoolExhausted, match="no free pod address"):
        pool.allocate("c")
    pool.release("a")
    assert pool.allocate("c") == "127.42.1.0"
