"""Fixtures for health-check component tests: real backends and a running scheduler.

Time is scaled (``FAST.scaled(SCALE)``, the test-only time scale of the timing profiles): with
the builders' settings (interval 5 s, timeout 2 s, thresholds 2) a check runs every 0.5 s and
times out after 0.2 s, so each verdict takes about a second instead of ten.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from localnlb.elbv2.health.plan import CheckSpec
from localnlb.elbv2.health.probes import ProbeResult, probe
from localnlb.elbv2.health.scheduler import HealthCheckScheduler
from localnlb.elbv2.health.timing import FAST
from localnlb.elbv2.model.target_health import TargetHealth, TargetHealthState
from tests.component.health.backends import Backend
from tests.helpers.waiting import async_wait_until

SCALE = 0.1
INTERVAL = 5 * SCALE  # builders.TCP_CHECK interval, scaled


class RecordingProber:
    """The real prober, with every result kept so tests can wait for checks to have run."""

    def __init__(self) -> None:
        self.results: list[tuple[CheckSpec, ProbeResult]] = []

    async def __call__(self, spec: CheckSpec) -> ProbeResult:
        result = await probe(spec)
        self.results.append((spec, result))
        return result

    def failures_since(self, start: int, address: str) -> int:
        return sum(
            1
            for spec, result in self.results[start:]
            if spec.address == address and not result.passed
        )


class ChangeCounter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


@pytest.fixture
async def start_backend() -> AsyncIterator[Callable[..., Awaitable[Backend]]]:
    started: list[Backend] = []

    async def start(address: str, **kwargs: object) -> Backend:
        backend = await Backend(address, **kwargs).start()  # type: ignore[arg-type]
        started.append(backend)
        return backend

    try:
        yield start
    finally:
        for backend in started:
            await backend.stop()


@pytest.fixture
def changes() -> ChangeCounter:
    return ChangeCounter()


@pytest.fixture
def probes() -> RecordingProber:
    return RecordingProber()


@pytest.fixture
async def scheduler(
    changes: ChangeCounter, probes: RecordingProber
) -> AsyncIterator[HealthCheckScheduler]:
    checker = HealthCheckScheduler(profile=FAST.scaled(SCALE), on_change=changes, prober=probes)
    await checker.start()
    try:
        yield checker
    finally:
        await checker.stop()


def unused_port(address: str) -> int:
    """A port nothing listens on at ``address`` (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind((address, 0))
        port: int = probe.getsockname()[1]
        return port


async def wait_for_state(
    checker: HealthCheckScheduler,
    key: tuple[str, str, int],
    state: TargetHealthState,
    *,
    timeout: float = 5.0,
) -> TargetHealth:
    async def reached() -> TargetHealth | None:
        health = checker.probed(*key)
        return health if health is not None and health.state is state else None

    return await async_wait_until(reached, timeout=timeout, what=f"{key} {state}")
