"""Acceptance 2 and 3: unhealthy targets (resets, fail-open) and draining, driven by snapshots."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from localnlb.common.snapshot import RoutingSnapshot, TargetGroupRoute, TargetState
from localnlb.dataplane.service import DataPlane
from tests.component.dataplane.backends import NameBackend
from tests.component.dataplane.client import LineClient
from tests.component.dataplane.conftest import free_port
from tests.helpers.waiting import async_wait_until
from tests.unit.dataplane.builders import ZONES, load_balancer, snapshot, target, target_group

StartBackend = Callable[..., Awaitable[NameBackend]]


class Setup:
    def __init__(self, vpc: int, group: TargetGroupRoute, node: str, port: int) -> None:
        self.node, self.port, self.group = node, port, group
        self.lb = load_balancer({ZONES[0]: node}, port=port)
        self.version = 0

    def snapshot(self, group: TargetGroupRoute) -> RoutingSnapshot:
        self.version += 1
        return snapshot(self.version, self.lb, group)

    async def client_to(self, name: str) -> LineClient:
        """A connection that the flow hash happened to send to ``name``."""
        for _ in range(200):
            client = await LineClient.connect(self.node, self.port)
            if await client.name() == name:
                return client
            client.close()
        raise AssertionError(f"no flow reached {name}")

    async def names_of_new_flows(self, count: int = 30) -> set[str]:
        names = set()
        for _ in range(count):
            client = await LineClient.connect(self.node, self.port)
            names.add(await client.name())
            client.close()
        return names


async def two_targets(vpc: int, backends: StartBackend, **attributes: Any) -> Setup:
    a = await backends("a", f"127.{vpc}.1.1")
    b = await backends("b", f"127.{vpc}.1.2")
    group = target_group(
        target(a.address, a.port, ZONES[0]), target(b.address, b.port, ZONES[0]), **attributes
    )
    node = f"127.{vpc}.0.100"
    return Setup(vpc, group, node, free_port(node))


def states(group: TargetGroupRoute, **by_name: dict[str, Any]) -> TargetGroupRoute:
    index = {"a": 0, "b": 1}
    targets = list(group.targets)
    for name, changes in by_name.items():
        if "state" in changes:  # given as the API's word, held as the enum
            changes = {**changes, "state": TargetState(changes["state"])}
        targets[index[name]] = dataclasses.replace(targets[index[name]], **changes)
    return dataclasses.replace(group, targets=tuple(targets))


async def test_unhealthy_target_gets_no_new_flows_and_its_flows_are_reset(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    setup = await two_targets(vpc, backends)
    await dataplane.apply(setup.snapshot(setup.group))
    to_a, to_b = await setup.client_to("a"), await setup.client_to("b")

    await dataplane.apply(setup.snapshot(states(setup.group, a={"state": "unhealthy"})))
    assert await to_a.state() == "reset"
    assert await to_b.name() == "b"
    assert await setup.names_of_new_flows() == {"b"}


async def test_without_unhealthy_termination_flows_to_an_unhealthy_target_live_on(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    setup = await two_targets(vpc, backends, terminate_on_unhealthy=False)
    await dataplane.apply(setup.snapshot(setup.group))
    to_a = await setup.client_to("a")
    await dataplane.apply(setup.snapshot(states(setup.group, a={"state": "unhealthy"})))
    assert await to_a.name() == "a"
    assert await setup.names_of_new_flows() == {"b"}


async def test_all_unhealthy_fails_open_and_keeps_existing_flows(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    setup = await two_targets(vpc, backends)
    await dataplane.apply(setup.snapshot(setup.group))
    to_a = await setup.client_to("a")
    sick = states(setup.group, a={"state": "unhealthy"}, b={"state": "unhealthy"})
    await dataplane.apply(setup.snapshot(sick))
    assert await to_a.name() == "a"
    assert await setup.names_of_new_flows() == {"a", "b"}


async def test_initial_targets_get_traffic_only_when_failing_open(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    setup = await two_targets(vpc, backends)
    await dataplane.apply(setup.snapshot(states(setup.group, a={"state": "initial"})))
    assert await setup.names_of_new_flows() == {"b"}
    both_initial = states(setup.group, a={"state": "initial"}, b={"state": "initial"})
    await dataplane.apply(setup.snapshot(both_initial))
    assert await setup.names_of_new_flows() == {"a", "b"}


@pytest.mark.parametrize("terminate", [True, False])
async def test_draining_flow_works_for_the_delay_then_ends_only_with_termination(
    dataplane: DataPlane, backends: StartBackend, vpc: int, terminate: bool
) -> None:
    setup = await two_targets(vpc, backends, terminate_on_deregistration=terminate)
    await dataplane.apply(setup.snapshot(setup.group))
    to_a = await setup.client_to("a")
    until = time.time() + 1.0
    draining = states(setup.group, a={"state": "draining", "draining_until": until})
    await dataplane.apply(setup.snapshot(draining))
    assert await to_a.name() == "a"  # still served during the delay
    assert await setup.names_of_new_flows() == {"b"}

    async def over() -> bool:
        return time.time() > until + 0.3

    await async_wait_until(over, timeout=5, what="the deregistration delay to end")
    assert await to_a.state() == ("reset" if terminate else "open")
