"""Real checks against real backends over loopback: verdicts, timing, and what targets see."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest

from localnlb.common.proxyprotocol import Command, Family
from localnlb.elbv2.health.scheduler import HealthCheckScheduler
from localnlb.elbv2.model.target_health import TargetHealthState
from tests.component.health.backends import Backend
from tests.component.health.conftest import (
    INTERVAL,
    SCALE,
    ChangeCounter,
    RecordingProber,
    unused_port,
    wait_for_state,
)
from tests.helpers.waiting import async_wait_until
from tests.unit.health.builders import TCP_CHECK, TG_ARN, http_check, snapshot, target, target_group

StartBackend = Callable[..., Awaitable[Backend]]
pytestmark = pytest.mark.timeout(20)


@pytest.mark.asyncio
async def test_live_backend_becomes_healthy_after_the_threshold(
    scheduler: HealthCheckScheduler, start_backend: StartBackend, changes: ChangeCounter
) -> None:
    backend = await start_backend("127.42.1.10")
    key = (TG_ARN, backend.address, backend.port)
    started = time.monotonic()
    scheduler.update(snapshot(target_group(target(backend.address, backend.port))))
    first = scheduler.probed(*key)
    assert first is not None
    assert first.reason == "Elb.InitialHealthChecking"  # fast profile: registered at once
    health = await wait_for_state(scheduler, key, TargetHealthState.HEALTHY)
    took = time.monotonic() - started
    assert health.reason is None
    assert health.description is None
    assert len(backend.seen) >= 2  # healthy threshold 2: never healthy on fewer real checks
    # jittered first check within one interval, then one more interval
    assert INTERVAL * 0.9 <= took <= INTERVAL * 2 + 1.0
    assert changes.calls >= 1


@pytest.mark.asyncio
async def test_dead_backend_becomes_unhealthy(scheduler: HealthCheckScheduler) -> None:
    port = unused_port("127.42.1.11")
    scheduler.update(snapshot(target_group(target("127.42.1.11", port))))
    health = await wait_for_state(
        scheduler, (TG_ARN, "127.42.1.11", port), TargetHealthState.UNHEALTHY
    )
    assert (health.reason, health.description) == (
        "Target.FailedHealthChecks",
        "Health checks failed",
    )


@pytest.mark.asyncio
async def test_killed_backend_goes_unhealthy_and_comes_back_when_restarted(
    scheduler: HealthCheckScheduler, start_backend: StartBackend
) -> None:
    backend = await start_backend("127.42.1.12")
    key = (TG_ARN, backend.address, backend.port)
    scheduler.update(snapshot(target_group(target(backend.address, backend.port))))
    await wait_for_state(scheduler, key, TargetHealthState.HEALTHY)

    await backend.stop()
    killed = time.monotonic()
    await wait_for_state(scheduler, key, TargetHealthState.UNHEALTHY)
    took = time.monotonic() - killed
    # unhealthy threshold 2: the next check and one interval later
    assert INTERVAL * 0.9 <= took <= INTERVAL * 2 + 1.0

    await start_backend(backend.address, port=backend.port)
    await wait_for_state(scheduler, key, TargetHealthState.HEALTHY)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "matcher", "state"),
    [
        (200, "200-399", TargetHealthState.HEALTHY),
        (302, "200-399", TargetHealthState.HEALTHY),
        (404, "200-399", TargetHealthState.UNHEALTHY),
        (500, "200-399", TargetHealthState.UNHEALTHY),
        (202, "200,202", TargetHealthState.HEALTHY),
        (201, "200,202", TargetHealthState.UNHEALTHY),
    ],
)
async def test_http_status_must_match_the_matcher(
    scheduler: HealthCheckScheduler,
    start_backend: StartBackend,
    status: int,
    matcher: str,
    state: TargetHealthState,
) -> None:
    backend = await start_backend("127.42.1.13", http_status=status)
    group = target_group(
        target(backend.address, backend.port), health_check=http_check(matcher=matcher)
    )
    scheduler.update(snapshot(group))
    await wait_for_state(scheduler, (TG_ARN, backend.address, backend.port), state)


@pytest.mark.asyncio
async def test_http_check_request_as_an_nlb_node_sends_it(
    scheduler: HealthCheckScheduler, start_backend: StartBackend
) -> None:
    backend = await start_backend("127.42.1.14", http_status=200)
    group = target_group(
        target(backend.address, backend.port), health_check=http_check(path="/healthz?deep=1")
    )
    scheduler.update(snapshot(group))
    await wait_for_state(
        scheduler, (TG_ARN, backend.address, backend.port), TargetHealthState.HEALTHY
    )
    seen = backend.seen[0]
    assert seen.request_line == "GET /healthz?deep=1 HTTP/1.1"
    assert seen.headers["host"] == "127.42.0.100:80"  # LB node IP and listener port
    assert seen.headers["user-agent"] == "ELB-HealthChecker/2.0"


@pytest.mark.asyncio
async def test_checks_come_from_the_lb_node_of_the_targets_zone(
    scheduler: HealthCheckScheduler, start_backend: StartBackend
) -> None:
    in_a = await start_backend("127.42.1.15")
    in_b = await start_backend("127.42.17.15")
    group = target_group(
        target(in_a.address, in_a.port, "us-west-2a"),
        target(in_b.address, in_b.port, "us-west-2b"),
    )
    scheduler.update(snapshot(group))
    await wait_for_state(scheduler, (TG_ARN, in_b.address, in_b.port), TargetHealthState.HEALTHY)
    await wait_for_state(scheduler, (TG_ARN, in_a.address, in_a.port), TargetHealthState.HEALTHY)
    assert {seen.peer[0] for seen in in_a.seen} == {"127.42.0.100"}
    assert {seen.peer[0] for seen in in_b.seen} == {"127.42.16.100"}


@pytest.mark.asyncio
@pytest.mark.parametrize("http", [False, True])
async def test_proxy_protocol_target_group_checks_start_with_the_local_header(
    scheduler: HealthCheckScheduler, start_backend: StartBackend, http: bool
) -> None:
    backend = await start_backend(
        "127.42.1.16", expect_proxy_protocol=True, http_status=200 if http else None
    )
    group = target_group(
        target(backend.address, backend.port),
        health_check=http_check() if http else TCP_CHECK,
        proxy_protocol_v2=True,
    )
    scheduler.update(snapshot(group))
    await wait_for_state(
        scheduler, (TG_ARN, backend.address, backend.port), TargetHealthState.HEALTHY
    )
    header = backend.seen[0].proxy_header
    assert header is not None
    assert (header.command, header.family, header.length) == (Command.LOCAL, Family.INET, 100)
    assert backend.errors == []
    if http:
        assert backend.seen[0].request_line == "GET /healthz HTTP/1.1"


@pytest.mark.asyncio
async def test_proxy_protocol_server_fails_checks_without_the_header(
    scheduler: HealthCheckScheduler, start_backend: StartBackend
) -> None:
    """Sanity check of the backend itself: without PPv2 on the group it cannot parse a check."""
    backend = await start_backend("127.42.1.17", expect_proxy_protocol=True, http_status=200)
    group = target_group(target(backend.address, backend.port), health_check=http_check())
    scheduler.update(snapshot(group))
    await wait_for_state(
        scheduler, (TG_ARN, backend.address, backend.port), TargetHealthState.UNHEALTHY
    )


@pytest.mark.asyncio
async def test_target_that_accepts_but_never_answers_times_out(
    scheduler: HealthCheckScheduler, start_backend: StartBackend
) -> None:
    backend = await start_backend("127.42.1.18", silent=True)
    group = target_group(target(backend.address, backend.port), health_check=http_check())
    scheduler.update(snapshot(group))
    await wait_for_state(
        scheduler, (TG_ARN, backend.address, backend.port), TargetHealthState.UNHEALTHY
    )


@pytest.mark.asyncio
async def test_removed_target_loses_its_machine_and_its_checks(
    scheduler: HealthCheckScheduler, start_backend: StartBackend
) -> None:
    backend = await start_backend("127.42.1.19")
    key = (TG_ARN, backend.address, backend.port)
    scheduler.update(snapshot(target_group(target(backend.address, backend.port))))
    await wait_for_state(scheduler, key, TargetHealthState.HEALTHY)
    scheduler.update(
        snapshot(target_group(target(backend.address, backend.port, state="draining")))
    )
    assert scheduler.probed(*key) is None
    assert scheduler.verdicts() == {}
    checks_then = len(backend.seen)
    # Two more intervals pass without a check (waited for by a later target's verdict).
    other = await start_backend("127.42.1.20")
    scheduler.update(snapshot(target_group(target(other.address, other.port))))
    await wait_for_state(scheduler, (TG_ARN, other.address, other.port), TargetHealthState.HEALTHY)
    assert len(backend.seen) == checks_then


@pytest.mark.asyncio
async def test_new_thresholds_apply_to_running_checks(
    scheduler: HealthCheckScheduler, start_backend: StartBackend, probes: RecordingProber
) -> None:
    backend = await start_backend("127.42.1.21")
    key = (TG_ARN, backend.address, backend.port)
    scheduler.update(snapshot(target_group(target(backend.address, backend.port))))
    await wait_for_state(scheduler, key, TargetHealthState.HEALTHY)
    lenient = replace(TCP_CHECK, unhealthy_threshold=10)
    scheduler.update(
        snapshot(target_group(target(backend.address, backend.port), health_check=lenient))
    )
    await backend.stop()
    stopped_at = len(probes.results)

    async def three_failures() -> bool:
        return probes.failures_since(stopped_at, backend.address) >= 3

    await async_wait_until(three_failures, timeout=INTERVAL * 4 + 2, what="three failed checks")
    health = scheduler.probed(*key)
    assert health is not None
    assert health.state is TargetHealthState.HEALTHY  # 3 failures in a row < 10


@pytest.mark.asyncio
async def test_unhealthy_draining_then_unhealthy_when_termination_is_off(
    scheduler: HealthCheckScheduler, start_backend: StartBackend
) -> None:
    backend = await start_backend("127.42.1.22")
    key = (TG_ARN, backend.address, backend.port)
    group = target_group(
        target(backend.address, backend.port),
        terminate_on_unhealthy=False,
        unhealthy_draining_interval_seconds=10,  # 1 s at the test's scale
    )
    scheduler.update(snapshot(group))
    await wait_for_state(scheduler, key, TargetHealthState.HEALTHY)
    await backend.stop()
    draining = await wait_for_state(scheduler, key, TargetHealthState.UNHEALTHY_DRAINING)
    entered = time.monotonic()
    assert draining.reason == "Target.FailedHealthChecks"
    await wait_for_state(scheduler, key, TargetHealthState.UNHEALTHY)
    assert 10 * SCALE * 0.8 <= time.monotonic() - entered <= 10 * SCALE + 1.0
