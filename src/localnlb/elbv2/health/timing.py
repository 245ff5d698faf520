"""Timing profiles (ARCHITECTURE §5): how long registration takes, and a test-only time scale.

``fast`` (the default) completes registration at once, so a new target is ``initial`` for about
HealthCheckIntervalSeconds × HealthyThresholdCount. ``aws`` makes registration take one to three
minutes, as it does on AWS ("a few minutes"), for rehearsals. Deregistration delays are the ELBv2
API's business, not the checker's.

``time_scale`` multiplies every duration the checker uses (interval, timeout, registration,
unhealthy-draining interval). It exists for tests only: the API rejects intervals under 5 s, and
a test that waited 2 × 5 s for each verdict would be slow. Users never see a scaled profile; the
CLI offers only the two named ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class TimingProfile:
    name: str
    registration_seconds: tuple[float, float]  # drawn uniformly per new target
    time_scale: float = 1.0

    def scaled(self, time_scale: float) -> TimingProfile:
        """This profile with every duration multiplied by ``time_scale`` (tests only)."""
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        return replace(self, time_scale=time_scale)

    def registration_delay(self, rng: random.Random) -> float:
        low, high = self.registration_seconds
        return rng.uniform(low, high) * self.time_scale


FAST = TimingProfile("fast", (0.0, 0.0))
AWS = TimingProfile("aws", (60.0, 180.0))
PROFILES = {profile.name: profile for profile in (FAST, AWS)}


def profile_named(name: str) -> TimingProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown timing profile {name!r}; choose one of {sorted(PROFILES)}"
        ) from None
