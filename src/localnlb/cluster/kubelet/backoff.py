"""The kubelet's restart back-off (client-go ``flowcontrol.Backoff``), with time passed in.

A crashed container is started again at once the first time; after that each restart waits
10 s, 20 s, 40 s ... up to 5 min. An entry not touched for twice the maximum (10 min, e.g. a
container that ran that long) starts over at the initial delay. Image pulls back off the same
way. :class:`BackoffSettings` lets tests and the ``fast`` profile shorten the delays. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BackoffSettings:
    initial: float = 10.0
    maximum: float = 300.0


@dataclass(slots=True)
class _Entry:
    delay: float
    last_update: float


class Backoff:
    def __init__(self, settings: BackoffSettings) -> None:
        self._settings = settings
        self._entry: _Entry | None = None

    def _expired(self, event_time: float) -> bool:
        """The last restart was more than twice the maximum before ``event_time``."""
        entry = self._entry
        return entry is None or event_time - entry.last_update > 2 * self._settings.maximum

    def next(self, event_time: float, now: float) -> None:
        """Record a restart at ``now`` after an exit at ``event_time``: the next delay grows."""
        if self._entry is None or self._expired(event_time):
            self._entry = _Entry(delay=self._settings.initial, last_update=now)
        else:
            self._entry.delay = min(self._entry.delay * 2, self._settings.maximum)
            self._entry.last_update = now

    def in_backoff_since(self, event_time: float, now: float) -> bool:
        """Whether, counting from ``event_time`` (the last exit), we must still wait."""
        if self._entry is None or self._expired(event_time):
            return False
        return now - event_time < self._entry.delay

    def delay(self) -> float:
        return self._entry.delay if self._entry is not None else 0.0

    def reset(self) -> None:
        self._entry = None


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String()``: ``200ms``, ``10s``, ``1m20s``, ``5m0s``."""
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{round(seconds * 1000, 3):g}ms"
    if seconds < 60:
        return f"{seconds:g}s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{int(minutes)}m{rest:g}s"
    hours, minutes = divmod(minutes, 60)
    return f"{int(hours)}h{int(minutes)}m{rest:g}s"
