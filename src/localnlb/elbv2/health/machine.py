"""One target's health over time: counts check results, keeps its timers, follows the table.

:class:`TargetHealthMachine` is sans-IO and never reads a clock: every call takes ``now``
(monotonic seconds). It decides *when* the next check is due, the scheduler performs it and
hands back pass or fail; it turns results into the events of :mod:`.state` (by counting
consecutive passes and failures against the thresholds) and time into the timed events
(registration completed, unhealthy-draining interval ended).

Invariants: no check is due while registering or while one is in flight; a check starts at most
once per interval (a check slower than the interval delays the next, it never overlaps); counters
only ever hold consecutive results (a pass zeroes the failures and vice versa). New settings
(ModifyTargetGroup, attribute changes) apply from the next check on; a new interval re-times
the pending check to one new interval after the last check started.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from localnlb.elbv2.health.state import REPORTED, Action, Event, State, transition
from localnlb.elbv2.model.target_health import TargetHealth


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """What the machine needs of a target group's health-check settings, in seconds."""

    interval: float
    healthy_threshold: int
    unhealthy_threshold: int
    # target_health_state.unhealthy.draining_interval_seconds when connection termination is off,
    # else 0: the time an unhealthy target keeps its existing connections.
    keep_connections_for: float = 0.0


@dataclass(frozen=True, slots=True)
class Transition:
    event: Event
    old: State
    new: State
    actions: tuple[Action, ...]

    @property
    def reported_change(self) -> bool:
        return Action.REPORT in self.actions


class TargetHealthMachine:
    def __init__(
        self,
        settings: CheckSettings,
        *,
        now: float,
        registration_delay: float = 0.0,
        first_check_delay: float = 0.0,
    ) -> None:
        self._settings = settings
        self._state = State.REGISTERING
        self._registered_at = now + registration_delay
        self._first_check_delay = first_check_delay
        self._next_check_at = math.inf  # set when registration completes
        self._in_flight = False
        self._last_check_at: float | None = None
        self._passes = 0
        self._failures = 0
        self._draining_since: float | None = None

    @property
    def state(self) -> State:
        return self._state

    @property
    def health(self) -> TargetHealth:
        return REPORTED[self._state]

    @property
    def settings(self) -> CheckSettings:
        return self._settings

    def tick(self, now: float) -> list[Transition]:
        """Fire the timed events that are due at ``now``."""
        fired = []
        if self._state is State.REGISTERING and now >= self._registered_at:
            fired.append(self._fire(Event.REGISTRATION_COMPLETED, now))
        drain_end = self._draining_ends_at()
        if drain_end is not None and now >= drain_end:
            fired.append(self._fire(Event.DRAINING_INTERVAL_ENDED, now))
        return fired

    def check_due(self, now: float) -> bool:
        return (
            self._state is not State.REGISTERING
            and not self._in_flight
            and now >= self._next_check_at
        )

    def next_wakeup(self) -> float:
        """The earliest time at which :meth:`tick` or :meth:`check_due` has news (may be inf)."""
        times = [math.inf if self._in_flight else self._next_check_at]
        if self._state is State.REGISTERING:
            times.append(self._registered_at)
        drain_end = self._draining_ends_at()
        if drain_end is not None:
            times.append(drain_end)
        return min(times)

    def check_started(self, now: float) -> None:
        if not self.check_due(now):
            raise RuntimeError("a check was started that was not due")
        self._in_flight = True
        self._last_check_at = now
        self._next_check_at = now + self._settings.interval

    def check_finished(self, *, passed: bool, now: float) -> Transition:
        if not self._in_flight:
            raise RuntimeError("a check finished that was never started")
        self._in_flight = False
        return self._fire(self._count(passed), now)

    def apply_settings(self, settings: CheckSettings, now: float) -> list[Transition]:
        self._settings = settings
        if self._last_check_at is not None:
            self._next_check_at = self._last_check_at + settings.interval
        return self.tick(now)

    def _count(self, passed: bool) -> Event:
        if passed:
            self._passes, self._failures = self._passes + 1, 0
            if self._passes >= self._settings.healthy_threshold:
                return Event.HEALTHY_THRESHOLD_REACHED
            return Event.CHECK_PASSED
        self._passes, self._failures = 0, self._failures + 1
        if self._failures < self._settings.unhealthy_threshold:
            return Event.CHECK_FAILED
        if self._settings.keep_connections_for > 0:
            return Event.UNHEALTHY_THRESHOLD_REACHED_KEEPING_CONNECTIONS
        return Event.UNHEALTHY_THRESHOLD_REACHED

    def _fire(self, event: Event, now: float) -> Transition:
        outcome = transition(self._state, event)
        old, self._state = self._state, outcome.state
        for action in outcome.actions:
            if action is Action.START_CHECKS:
                self._next_check_at = now + self._first_check_delay
            elif action is Action.START_DRAINING_TIMER:
                self._draining_since = now
            elif action is Action.STOP_DRAINING_TIMER:
                self._draining_since = None
        if self._state is not State.UNHEALTHY_DRAINING:
            self._draining_since = None
        return Transition(event, old, self._state, outcome.actions)

    def _draining_ends_at(self) -> float | None:
        if self._state is not State.UNHEALTHY_DRAINING or self._draining_since is None:
            return None
        # Turning connection termination back on (keep_connections_for 0) ends the drain now.
        return self._draining_since + self._settings.keep_connections_for
