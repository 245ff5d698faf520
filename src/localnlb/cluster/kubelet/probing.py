"""Probe bookkeeping for one probe of one container instance (the kubelet's prober worker).

The worker ticks every ``periodSeconds`` from the container's start; a tick earlier than
``initialDelaySeconds`` after the start (in whole seconds, as the kubelet compares) or while a
startup probe has not yet succeeded is skipped. A result only flips after ``successThreshold``
consecutive successes or ``failureThreshold`` consecutive failures. Liveness and startup start out
successful/unknown, readiness starts out failed. After a liveness or startup failure the worker
holds (no more probes) until the container is replaced. Pure: time is passed in.
"""

from __future__ import annotations

import enum

from localnlb.cluster.kubelet.podspec import ProbeKind, ProbeSpec


class ProbeResult(enum.Enum):
    UNKNOWN = "unknown"
    SUCCESS = "success"
    FAILURE = "failure"


_INITIAL = {
    ProbeKind.LIVENESS: ProbeResult.SUCCESS,
    ProbeKind.READINESS: ProbeResult.FAILURE,
    ProbeKind.STARTUP: ProbeResult.UNKNOWN,
}


class ProbeTracker:
    def __init__(self, spec: ProbeSpec, *, container_started: float) -> None:
        self.spec = spec
        self.result = _INITIAL[spec.kind]
        self._started = container_started
        self._next_tick = container_started
        self._in_flight = False
        self._on_hold = False
        self._last_outcome: bool | None = None
        self._run = 0

    @property
    def on_hold(self) -> bool:
        return self._on_hold

    def take_due(self, now: float, *, gated: bool) -> bool:
        """Whether a probe should run now; if so, it is marked in flight until :meth:`record`."""
        if self._in_flight or self._on_hold or now < self._next_tick:
            return False
        while self._next_tick <= now:
            self._next_tick += self.spec.period
        if gated or int(now - self._started) < self.spec.initial_delay:
            return False
        self._in_flight = True
        return True

    def wake_at(self) -> float | None:
        if self._in_flight or self._on_hold:
            return None
        return self._next_tick

    def record(self, ok: bool) -> bool:
        """Take one probe's outcome; return True when the result changed."""
        self._in_flight = False
        if self._on_hold:
            return False
        if ok == self._last_outcome:
            self._run += 1
        else:
            self._last_outcome, self._run = ok, 1
        threshold = self.spec.success_threshold if ok else self.spec.failure_threshold
        if self._run < threshold:
            return False
        new = ProbeResult.SUCCESS if ok else ProbeResult.FAILURE
        if not ok and self.spec.kind is not ProbeKind.READINESS:
            self._on_hold, self._run = True, 0
        changed = new is not self.result
        self.result = new
        return changed
