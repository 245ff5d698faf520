"""The health checker's shell: one machine and one asyncio task per checked target.

:class:`HealthCheckScheduler` takes successive routing snapshots (:meth:`~HealthCheckScheduler.
update`, or by following a :class:`SnapshotSource`'s long poll), turns each into a check plan
(:mod:`.plan`), and keeps exactly one :class:`~.machine.TargetHealthMachine` per planned
(target group, target id, port): new targets get a machine (registration delay from the timing
profile, a jittered first check so that checks don't fire together), changed settings are applied
to the running machine, and targets gone from the plan lose theirs.

Each target's task sleeps until its machine's next wake-up, performs the check the machine asks
for with the :data:`~.probes.Prober` (real sockets by default) and feeds the result back. A
target is only ever reported healthy after real checks passed: a prober that raises counts as a
failed check. The ELBv2 API reads verdicts through :meth:`~HealthCheckScheduler.probed` (the
:class:`~localnlb.elbv2.model.target_health.ProbedHealth` seam) and is told through ``on_change``
whenever a reported health changes, so that it bumps the routing snapshot's version. The call is
deferred (never made from inside :meth:`update`, which the API may call while building a
snapshot) and coalesced over :data:`CHANGE_COALESCE_SECONDS`: a thousand targets turning healthy
over one interval bump the version a few times a second, not a thousand times, and each bump
costs every follower a snapshot rebuild.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from localnlb.common.clock import Clock, SystemClock
from localnlb.common.snapshot import RoutingSnapshot
from localnlb.elbv2.health.machine import TargetHealthMachine, Transition
from localnlb.elbv2.health.plan import PlannedTarget, TargetKey, build_check_plan
from localnlb.elbv2.health.probes import Prober, ProbeResult, probe
from localnlb.elbv2.health.timing import FAST, TimingProfile
from localnlb.elbv2.model.target_health import TargetHealth

log = logging.getLogger(__name__)
FOLLOW_WAIT_SECONDS = 25.0
CHANGE_COALESCE_SECONDS = 0.1


class SnapshotSource(Protocol):
    """Where the scheduler follows the routing snapshot from (the ELBv2 API's publisher)."""

    def current(self) -> RoutingSnapshot: ...

    async def wait_newer(self, after: int, wait_seconds: float) -> RoutingSnapshot:
        """The current snapshot once its version is above ``after``, or after ``wait_seconds``."""
        ...


class RoutingFeed(SnapshotSource, Protocol):
    """A snapshot source that can also be told a verdict changed (bumping its version)."""

    def invalidate(self) -> None: ...


def scheduler_factory(
    *, profile: TimingProfile = FAST, clock: Clock | None = None, prober: Prober = probe
) -> Callable[[RoutingFeed], HealthCheckScheduler]:
    """What the ELBv2 server's ``probed_health_factory`` wants: a scheduler wired to its feed."""

    def build(feed: RoutingFeed) -> HealthCheckScheduler:
        return HealthCheckScheduler(
            source=feed, on_change=feed.invalidate, profile=profile, clock=clock, prober=prober
        )

    return build


@dataclass(slots=True)
class _Entry:
    planned: PlannedTarget
    machine: TargetHealthMachine
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    last_result: ProbeResult | None = None


class HealthCheckScheduler:
    def __init__(
        self,
        *,
        clock: Clock | None = None,
        profile: TimingProfile = FAST,
        on_change: Callable[[], None] = lambda: None,
        prober: Prober = probe,
        source: SnapshotSource | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.on_change = on_change
        self._clock = clock or SystemClock()
        self._profile = profile
        self._prober = prober
        self._source = source
        self._rng = rng or random.Random()
        self._entries: dict[TargetKey, _Entry] = {}
        self._running = False
        self._follower: asyncio.Task[None] | None = None
        self._change_pending: asyncio.TimerHandle | None = None
        self._seen_version: int | None = None

    # -- the ProbedHealth seam ---------------------------------------------------------------

    def probed(self, target_group_arn: str, target_id: str, port: int) -> TargetHealth | None:
        entry = self._entries.get(TargetKey(target_group_arn, target_id, port))
        return None if entry is None else entry.machine.health

    def verdicts(self) -> dict[TargetKey, TargetHealth]:
        return {key: entry.machine.health for key, entry in sorted(self._entries.items())}

    # -- input -------------------------------------------------------------------------------

    def update(self, snapshot: RoutingSnapshot) -> None:
        """Bring the set of machines in line with ``snapshot``."""
        self._seen_version = snapshot.version
        plan = build_check_plan(snapshot, time_scale=self._profile.time_scale)
        now = self._clock.monotonic()
        for key in self._entries.keys() - plan.keys():
            gone = self._entries.pop(key)
            if gone.task is not None:
                gone.task.cancel()
            log.info("stopped checking %s", key)
        for key, planned in plan.items():
            entry = self._entries.get(key)
            if entry is None:
                self._add(key, planned, now)
            elif entry.planned != planned:
                old_settings, entry.planned = entry.planned.settings, planned
                if planned.settings != old_settings:
                    self._note(key, entry.machine.apply_settings(planned.settings, now))
                entry.wake.set()

    def _add(self, key: TargetKey, planned: PlannedTarget, now: float) -> None:
        machine = TargetHealthMachine(
            planned.settings,
            now=now,
            registration_delay=self._profile.registration_delay(self._rng),
            first_check_delay=self._rng.uniform(0, planned.settings.interval),
        )
        entry = self._entries[key] = _Entry(planned, machine)
        log.info(
            "checking %s with %s from %s", key, planned.check.protocol, planned.check.source_address
        )
        self._note(key, machine.tick(now))
        if self._running:
            entry.task = asyncio.create_task(self._run(key, entry), name=f"health-check {key}")

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._running = True
        if self._source is not None:
            self.update(self._source.current())
            self._follower = asyncio.create_task(self._follow(self._source), name="health-follow")
        for key, entry in self._entries.items():
            if entry.task is None:
                entry.task = asyncio.create_task(self._run(key, entry), name=f"health-check {key}")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop checking. Checks in flight are abandoned: a check has no effects to finish."""
        self._running = False
        tasks = [e.task for e in self._entries.values() if e.task is not None]
        if self._follower is not None:
            tasks.append(self._follower)
            self._follower = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for entry in self._entries.values():
            entry.task = None
        if self._change_pending is not None:
            self._change_pending.cancel()
            self._change_pending = None

    @property
    def bound_address(self) -> tuple[str, int]:
        """The checker listens on nothing; its probes come from the LB nodes' addresses."""
        return ("", 0)

    # -- the per-target loop -----------------------------------------------------------------

    async def _run(self, key: TargetKey, entry: _Entry) -> None:
        machine = entry.machine
        while True:
            now = self._clock.monotonic()
            self._note(key, machine.tick(now))
            if machine.check_due(now):
                machine.check_started(now)
                entry.last_result = await self._check(entry)
                finished = machine.check_finished(
                    passed=entry.last_result.passed, now=self._clock.monotonic()
                )
                self._note(key, [finished])
                continue
            entry.wake.clear()
            delay = machine.next_wakeup() - self._clock.monotonic()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay if math.isfinite(delay) else None):
                    await entry.wake.wait()

    async def _check(self, entry: _Entry) -> ProbeResult:
        try:
            return await self._prober(entry.planned.check)
        except Exception as exc:  # a broken prober must never look like a healthy target
            log.exception("health check of %s raised", entry.planned.check)
            return ProbeResult(False, f"internal error: {exc!r}")

    async def _follow(self, source: SnapshotSource) -> None:
        while True:
            after = -1 if self._seen_version is None else self._seen_version
            snapshot = await source.wait_newer(after, FOLLOW_WAIT_SECONDS)
            if snapshot.version != self._seen_version:
                self.update(snapshot)

    # -- output ------------------------------------------------------------------------------

    def _note(self, key: TargetKey, transitions: list[Transition]) -> None:
        reported = [t for t in transitions if t.reported_change]
        if not reported:
            return
        entry = self._entries.get(key)
        last = entry.last_result.detail if entry and entry.last_result else "-"
        for t in reported:
            log.info(
                "target %s: %s -> %s (%s; last check: %s)",
                key,
                t.old.value,
                t.new.value,
                t.event.value,
                last,
            )
        self._signal_change()

    def _signal_change(self) -> None:
        if self._change_pending is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.on_change()
            return
        self._change_pending = loop.call_later(CHANGE_COALESCE_SECONDS, self._deliver_change)

    def _deliver_change(self) -> None:
        self._change_pending = None
        try:
            self.on_change()
        except Exception:
            log.exception("on_change callback failed")
