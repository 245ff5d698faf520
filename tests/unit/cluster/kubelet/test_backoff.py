"""The kubelet's restart back-off: 10 s doubling to 5 min, reset after 10 min."""

from __future__ import annotations

import pytest

from localnlb.cluster.kubelet.backoff import Backoff, BackoffSettings, go_duration


def test_first_restart_is_immediate_then_delays_double_to_the_cap() -> None:
    backoff = Backoff(BackoffSettings())
    now = 0.0
    delays: list[float] = []
    for _ in range(8):
        assert not backoff.in_backoff_since(now, now) or delays
        backoff.next(now, now)
        delays.append(backoff.delay())
        now += backoff.delay() + 1  # runs 1 s, crashes; the next exit is at `now`
    assert delays == [10, 20, 40, 80, 160, 300, 300, 300]


def test_in_backoff_counts_from_the_exit() -> None:
    backoff = Backoff(BackoffSettings(initial=10, maximum=300))
    backoff.next(100.0, 100.0)
    assert backoff.in_backoff_since(105.0, 105.0)
    assert backoff.in_backoff_since(105.0, 114.9)
    assert not backoff.in_backoff_since(105.0, 115.0)


def test_running_longer_than_twice_the_maximum_resets_the_delay() -> None:
    backoff = Backoff(BackoffSettings(initial=10, maximum=300))
    for t in (0.0, 1.0, 2.0):
        backoff.next(t, t)
    assert backoff.delay() == 40
    exit_after_long_run = 2.0 + 601
    assert not backoff.in_backoff_since(exit_after_long_run, exit_after_long_run)
    backoff.next(exit_after_long_run, exit_after_long_run)
    assert backoff.delay() == 10


def test_no_entry_means_no_backoff() -> None:
    backoff = Backoff(BackoffSettings())
    assert not backoff.in_backoff_since(0.0, 0.0)
    assert backoff.delay() == 0.0
    backoff.next(0.0, 0.0)
    backoff.reset()
    assert backoff.delay() == 0.0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.2, "200ms"),
        (1.5, "1.5s"),
        (10, "10s"),
        (80, "1m20s"),
        (160, "2m40s"),
        (300, "5m0s"),
        (3600, "1h0m0s"),
    ],
)
def test_durations_print_as_go_does(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text
