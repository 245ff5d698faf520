"""The scheduler's own duties, with an in-memory prober and feed: following snapshots, the aws
registration delay, coalesced change notices, and never trusting a broken prober."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from localnlb.common.snapshot import RoutingSnapshot
from localnlb.elbv2.health.plan import CheckSpec
from localnlb.elbv2.health.probes import ProbeResult
from localnlb.elbv2.health.scheduler import HealthCheckScheduler, scheduler_factory
from localnlb.elbv2.health.timing import AWS, FAST
from localnlb.elbv2.model.target_health import TargetHealthState
from tests.component.health.conftest import SCALE, ChangeCounter, wait_for_state
from tests.helpers.waiting import async_wait_until
from tests.unit.health.builders import TG_ARN, snapshot, target, target_group

pytestmark = pytest.mark.timeout(20)


class FakeProber:
    def __init__(self, alive: set[str]) -> None:
        self.alive = alive
        self.checked: list[str] = []

    async def __call__(self, spec: CheckSpec) -> ProbeResult:
        self.checked.append(spec.address)
        return ProbeResult(spec.address in self.alive, "fake")


class FakeFeed:
    """The ELBv2 API's publisher, reduced to what the scheduler uses."""

    def __init__(self, first: RoutingSnapshot) -> None:
        self.snapshot = first
        self.invalidations = 0
        self._changed = asyncio.Event()

    def publish(self, snapshot: RoutingSnapshot) -> None:
        self.snapshot = snapshot
        self._changed.set()
        self._changed = asyncio.Event()

    def current(self) -> RoutingSnapshot:
        return self.snapshot

    async def wait_newer(self, after: int, wait_seconds: float) -> RoutingSnapshot:
        if self.snapshot.version <= after:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), wait_seconds)
        return self.snapshot

    def invalidate(self) -> None:
        self.invalidations += 1


@pytest.mark.asyncio
async def test_a_prober_that_raises_counts_as_a_failed_check() -> None:
    async def broken(spec: CheckSpec) -> ProbeResult:
        raise RuntimeError("bug")

    checker = HealthCheckScheduler(profile=FAST.scaled(SCALE), prober=broken)
    checker.update(snapshot(target_group(target("127.42.1.30", 80))))
    await checker.start()
    try:
        await wait_for_state(checker, (TG_ARN, "127.42.1.30", 80), TargetHealthState.UNHEALTHY)
    finally:
        await checker.stop()


@pytest.mark.asyncio
async def test_aws_profile_checks_nothing_until_registration_completes() -> None:
    prober = FakeProber({"127.42.1.31"})
    checker = HealthCheckScheduler(profile=AWS.scaled(0.005), prober=prober)  # 0.3-0.9 s
    await checker.start()
    try:
        checker.update(snapshot(target_group(target("127.42.1.31", 80))))
        key = (TG_ARN, "127.42.1.31", 80)
        health = checker.probed(*key)
        assert health is not None
        assert health.reason == "Elb.RegistrationInProgress"
        await wait_for_state(checker, key, TargetHealthState.HEALTHY)
        # registration (>= 0.3 s) happened before any check; then the thresholds
        assert len(prober.checked) >= 2
    finally:
        await checker.stop()


@pytest.mark.asyncio
async def test_registration_in_progress_means_no_checks_yet() -> None:
    prober = FakeProber({"127.42.1.32"})
    checker = HealthCheckScheduler(profile=AWS, prober=prober)  # minutes: never within the test
    await checker.start()
    try:
        checker.update(snapshot(target_group(target("127.42.1.32", 80))))
        for _ in range(20):
            await asyncio.sleep(0)
        assert prober.checked == []
        health = checker.probed(TG_ARN, "127.42.1.32", 80)
        assert health is not None
        assert health.state is TargetHealthState.INITIAL
    finally:
        await checker.stop()


@pytest.mark.asyncio
async def test_follows_the_feed_and_invalidates_it_on_each_verdict() -> None:
    feed = FakeFeed(snapshot(version=1))
    build = scheduler_factory(profile=FAST.scaled(SCALE), prober=FakeProber({"127.42.1.33"}))
    checker = build(feed)
    await checker.start()
    try:
        assert checker.verdicts() == {}
        feed.publish(snapshot(target_group(target("127.42.1.33", 80)), version=2))
        await wait_for_state(checker, (TG_ARN, "127.42.1.33", 80), TargetHealthState.HEALTHY)

        async def both_told() -> bool:  # initial checking, then healthy
            return feed.invalidations >= 2

        await async_wait_until(both_told, timeout=1, what="the feed told of both verdicts")
        feed.publish(snapshot(version=3))

        async def forgotten() -> bool:
            return checker.verdicts() == {}

        await async_wait_until(forgotten, timeout=5, what="target forgotten")
    finally:
        await checker.stop()


@pytest.mark.asyncio
async def test_change_notices_are_deferred_and_coalesced() -> None:
    changes = ChangeCounter()
    checker = HealthCheckScheduler(
        profile=FAST.scaled(SCALE), prober=FakeProber(set()), on_change=changes
    )
    group = target_group(*(target(f"127.42.1.{n}", 80) for n in range(40, 45)))
    checker.update(snapshot(group))  # five targets finish registering at once
    assert changes.calls == 0  # not from inside update(): the API may be building a snapshot

    async def notified() -> bool:
        return changes.calls > 0

    await async_wait_until(notified, timeout=2, what="one change notice")
    assert changes.calls == 1
