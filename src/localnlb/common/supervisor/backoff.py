"""The pure part of supervising one component: its phase, restart back-off and crash-loop verdict.

Time is passed in (``now``), so every decision is unit-tested with a fake clock. A component that
crashes is restarted after a delay that doubles with each consecutive crash, up to a cap; a run
that became ready and lasted ``stable_after`` seconds resets the count. From
``crash_loop_threshold`` consecutive crashes on, the component is reported as crash-looping (still
retried, at the capped pace) — and while localnlb is starting, that ends the start with an error
instead of retrying, as does not being ready ``ready_timeout`` seconds after the first start.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Phase(enum.StrEnum):
    PENDING = "pending"
    STARTING = "starting"
    READY = "ready"
    BACKING_OFF = "backing-off"
    CRASH_LOOPING = "crash-looping"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


WAITING_TO_RESTART = frozenset({Phase.BACKING_OFF, Phase.CRASH_LOOPING})


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    initial: float = 0.25
    factor: float = 2.0
    cap: float = 30.0
    stable_after: float = 10.0
    crash_loop_threshold: int = 3

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.factor < 1 or self.cap < self.initial:
            raise ValueError("back-off needs initial > 0, factor >= 1 and cap >= initial")
        if self.crash_loop_threshold < 1:
            raise ValueError("crash_loop_threshold must be at least 1")

    def delay(self, consecutive_crashes: int) -> float:
        """Seconds to wait before restarting after the n-th consecutive crash (n >= 1)."""
        exponent = max(consecutive_crashes - 1, 0)
        # Compare exponents rather than computing factor**exponent, which overflows.
        delay = self.initial
        for _ in range(exponent):
            delay *= self.factor
            if delay >= self.cap:
                return self.cap
        return min(delay, self.cap)


class ComponentTracker:
    """Phase and restart bookkeeping of one component; all methods take ``now``."""

    def __init__(self, policy: BackoffPolicy) -> None:
        self.policy = policy
        self.phase = Phase.PENDING
        self.restarts = 0
        self.consecutive_crashes = 0
        self.first_started_at: float | None = None
        self.started_at: float | None = None
        self.ready_at: float | None = None
        self.next_start_at: float | None = None
        self.last_exit: int | None = None
        self.detail = ""

    def started(self, now: float) -> None:
        if self.started_at is not None:
            self.restarts += 1
        else:
            self.first_started_at = now
        self.phase = Phase.STARTING
        self.started_at = now
        self.ready_at = None
        self.next_start_at = None
        self.detail = ""

    def became_ready(self, now: float) -> None:
        self.phase = Phase.READY
        self.ready_at = now
        self.detail = ""

    def exited(self, code: int | None, now: float, *, detail: str = "") -> float:
        """Record an unexpected exit; returns the time at which to start it again."""
        ran_for = now - self.started_at if self.started_at is not None else 0.0
        # Only a run that became ready and then lasted counts as stable: a component that
        # takes long to crash without ever being ready is still crash-looping.
        if self.ready_at is not None and ran_for >= self.policy.stable_after:
            self.consecutive_crashes = 1
        else:
            self.consecutive_crashes += 1
        self.last_exit = code
        if self.consecutive_crashes >= self.policy.crash_loop_threshold:
            self.phase = Phase.CRASH_LOOPING
        else:
            self.phase = Phase.BACKING_OFF
        self.detail = detail or describe_exit(code)
        self.next_start_at = now + self.policy.delay(self.consecutive_crashes)
        return self.next_start_at

    def due_for_restart(self, now: float) -> bool:
        return (
            self.phase in WAITING_TO_RESTART
            and self.next_start_at is not None
            and now >= self.next_start_at
        )

    def readiness_overdue(self, now: float, ready_timeout: float) -> bool:
        return (
            self.phase is Phase.STARTING
            and self.started_at is not None
            and now - self.started_at >= ready_timeout
        )

    def startup_failure(self, now: float, ready_timeout: float) -> str | None:
        """Why starting localnlb must give up on this component, or None to keep waiting."""
        if self.phase is Phase.CRASH_LOOPING:
            return f"kept crashing ({self.consecutive_crashes} times in a row; {self.detail})"
        # While starting, the deadline runs from the first start: restarts do not extend it.
        first = self.first_started_at
        if self.phase is not Phase.READY and first is not None and now - first >= ready_timeout:
            return f"not ready within {ready_timeout:g}s"
        return None

    def stopping(self) -> None:
        self.phase = Phase.STOPPING
        self.detail = ""

    def stopped(self) -> None:
        self.phase = Phase.STOPPED
        self.next_start_at = None

    def failed(self, detail: str) -> None:
        self.phase = Phase.FAILED
        self.detail = detail
        self.next_start_at = None


def describe_exit(code: int | None) -> str:
    if code is None:
        return "exited"
    if code < 0:
        return f"killed by signal {-code}"
    return f"exited with code {code}"
