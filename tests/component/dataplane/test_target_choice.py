"""Acceptance 1: flows spread over targets by flow hash, each pinned; AZ scoping and cross-zone."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest

from localnlb.common.snapshot import RoutingSnapshot
from localnlb.dataplane.flowhash import TCP, choose, flow_key
from localnlb.dataplane.routing import compile_routing
from localnlb.dataplane.service import DataPlane
from tests.component.dataplane.backends import NameBackend
from tests.component.dataplane.client import LineClient
from tests.component.dataplane.conftest import free_port
from tests.unit.dataplane.builders import ZONES, load_balancer, snapshot, target, target_group

StartBackend = Callable[..., Awaitable[NameBackend]]


async def three_zone_setup(
    vpc: int, backends: StartBackend, *, cross_zone: bool
) -> tuple[dict[str, str], RoutingSnapshot, int]:
    nodes = {zone: f"127.{vpc}.{16 * i}.100" for i, zone in enumerate(ZONES)}
    started = [await backends(f"b{i}", f"127.{vpc}.{16 * i + 1}.1") for i in range(3)]
    group = target_group(
        *(target(b.address, b.port, ZONES[i]) for i, b in enumerate(started)),
    )
    port = free_port(nodes[ZONES[0]])
    lb = load_balancer(nodes, port=port, cross_zone=cross_zone)
    return nodes, snapshot(1, lb, group), port


@pytest.mark.timeout(60)
async def test_cross_zone_spreads_300_pinned_connections_over_all_targets(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    nodes, snap, port = await three_zone_setup(vpc, backends, cross_zone=True)
    await dataplane.apply(snap)

    async def one_connection() -> str:
        client = await LineClient.connect(nodes[ZONES[0]], port)
        try:
            names = {await client.name() for _ in range(4)}
        finally:
            client.close()
        assert len(names) == 1, f"a connection moved between targets: {names}"
        return names.pop()

    reached: Counter[str] = Counter()
    for _ in range(6):  # 300 connections, 50 at a time
        reached.update(await asyncio.gather(*(one_connection() for _ in range(50))))
    assert set(reached) == {"b0", "b1", "b2"}
    assert min(reached.values()) >= 50, reached


async def test_without_cross_zone_each_node_sends_to_its_own_zone(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    nodes, snap, port = await three_zone_setup(vpc, backends, cross_zone=False)
    await dataplane.apply(snap)
    for index, zone in enumerate(ZONES):
        names = set()
        for _ in range(20):
            client = await LineClient.connect(nodes[zone], port)
            names.add(await client.name())
            client.close()
        assert names == {f"b{index}"}


async def test_sticky_clients_reach_the_target_the_flow_hash_core_predicts(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    """Both engines choose by one hash (dataplane/flowhash.py): the kernel's rules agree with
    the core bit for bit, so a sticky client's target is known before it connects."""
    node = f"127.{vpc}.0.100"
    started = [await backends(f"b{i}", f"127.{vpc}.1.{i + 1}") for i in range(5)]
    group = target_group(*(target(b.address, b.port) for b in started), stickiness=True)
    port = free_port(node)
    snap = snapshot(1, load_balancer({ZONES[0]: node}, port=port), group)
    await dataplane.apply(snap)
    plan = compile_routing(snap).plans[(node, port, "tcp")]
    names = {(b.address, b.port): b.name for b in started}
    reached, predicted = [], []
    for last in range(1, 13):
        client_ip = f"127.{vpc}.200.{last}"
        key = flow_key(protocol=TCP, client=(client_ip, 0), listener=(node, port), sticky=True)
        chosen = choose(plan.candidates, key)
        assert chosen is not None
        predicted.append(names[(chosen.address, chosen.port)])
        client = await LineClient.connect(node, port, source=client_ip)
        reached.append(await client.name())
        client.close()
    assert reached == predicted
    assert len(set(reached)) > 1  # twelve clients: the hash spreads them, it is no constant
