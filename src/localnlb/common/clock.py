"""Time as a parameter.

Pure cores (health state machines, draining, watch caches) never read the clock themselves; they
take ``now`` from a :class:`Clock`. Shells pass :class:`SystemClock`; unit tests pass
:class:`FakeClock` and move time by hand, so no test sleeps to make time pass.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for intervals and deadlines)."""
        ...

    def wall(self) -> float:
        """Seconds since the epoch (for timestamps that users see)."""
        ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()


class FakeClock:
    """A clock that only moves when told to; ``wall`` keeps a fixed offset from ``monotonic``."""

    def __init__(self, start: float = 1000.0, wall_offset: float = 1_780_000_000.0) -> None:
        self._now = start
        self._wall_offset = wall_offset

    def monotonic(self) -> float:
        return self._now

    def wall(self) -> float:
        return self._now + self._wall_offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._now += seconds


def rfc3339(wall: float) -> str:
    """A Kubernetes timestamp (metav1.Time): RFC 3339 in UTC, whole seconds, e.g.
    ``2026-11-26T09:46:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall))
