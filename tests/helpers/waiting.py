"""Wait for a condition with a deadline: the only way tests here wait.

A test never sleeps a fixed time to let something happen; it polls a condition (cheaply, with a
short back-off) until it holds or the deadline passes, and then fails with what it last saw.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class ConditionTimeout(AssertionError):
    pass


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float = 10.0,
    interval: float = 0.02,
    what: str = "condition",
) -> T:
    """Call ``probe`` until it returns something truthy; return that value."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            last = probe()
        except Exception as exc:  # a probe may fail until the system is up
            last = exc
        else:
            if last:
                return last
        if time.monotonic() >= deadline:
            raise ConditionTimeout(f"{what} did not hold within {timeout}s; last: {last!r}")
        time.sleep(interval)
        interval = min(interval * 1.5, 0.25)


async def async_wait_until(
    probe: Callable[[], Awaitable[T | None]],
    *,
    timeout: float = 10.0,
    interval: float = 0.02,
    what: str = "condition",
) -> T:
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            last = await probe()
        except Exception as exc:
            last = exc
        else:
            if last:
                return last
        if time.monotonic() >= deadline:
            raise ConditionTimeout(f"{what} did not hold within {timeout}s; last: {last!r}")
        await asyncio.sleep(interval)
        interval = min(interval * 1.5, 0.25)
