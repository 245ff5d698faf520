"""Restart back-off and crash-loop decisions, with time passed in by hand."""

from __future__ import annotations

import pytest

from localnlb.common.clock import FakeClock
from localnlb.common.supervisor.backoff import BackoffPolicy, ComponentTracker, Phase

POLICY = BackoffPolicy(initial=0.5, factor=2.0, cap=8.0, stable_after=10.0, crash_loop_threshold=3)


def test_delay_doubles_per_consecutive_crash_and_is_capped() -> None:
    assert [POLICY.delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_huge_crash_counts_do_not_overflow() -> None:
    assert POLICY.delay(10_000) == 8.0


@pytest.mark.parametrize(
    "kwargs",
    [{"initial": 0}, {"factor": 0.5}, {"initial": 2.0, "cap": 1.0}, {"crash_loop_threshold": 0}],
)
def test_nonsense_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"must|needs"):
        BackoffPolicy(**kwargs)  # type: ignore[arg-type]


def test_a_crash_schedules_the_restart_after_the_delay() -> None:
    clock = FakeClock()
    tracker = ComponentTracker(POLICY)
    tracker.started(clock.monotonic())
    clock.advance(1.0)
    restart_at = tracker.exited(1, clock.monotonic())
    assert restart_at == clock.monotonic() + 0.5
    assert tracker.phase is Phase.BACKING_OFF
    assert tracker.detail == "exited with code 1"
    assert not tracker.due_for_restart(clock.monotonic())
    clock.advance(0.5)
    assert tracker.due_for_restart(clock.monotonic())


def test_quick_crashes_become_a_crash_loop_at_the_threshold() -> None:
    clock = FakeClock()
    tracker = ComponentTracker(POLICY)
    phases = []
    for _ in range(4):
        tracker.started(clock.monotonic())
        clock.advance(0.1)
        tracker.exited(-9, clock.monotonic())
        phases.append(tracker.phase)
        clock.advance(POLICY.delay(tracker.consecutive_crashes))
    assert phases == [
        Phase.BACKING_OFF,
        Phase.BACKING_OFF,
        Phase.CRASH_LOOPING,
        Phase.CRASH_LOOPING,
    ]
    assert tracker.restarts == 3
    assert tracker.detail == "killed by signal 9"
    assert tracker.startup_failure(clock.monotonic(), 30.0) == (
        "kept crashing (4 times in a row; killed by signal 9)"
    )


def test_a_stable_run_resets_the_back_off() -> None:
    clock = FakeClock()
    tracker = ComponentTracker(POLICY)
    for _ in range(3):
        tracker.started(clock.monotonic())
        tracker.exited(1, clock.monotonic())
    assert [tracker.phase] == [Phase.CRASH_LOOPING]
    tracker.started(clock.monotonic())
    tracker.became_ready(clock.monotonic())
    clock.advance(POLICY.stable_after)
    restart_at = tracker.exited(1, clock.monotonic())
    assert tracker.consecutive_crashes == 1
    assert tracker.phase is Phase.BACKING_OFF
    assert restart_at - clock.monotonic() == POLICY.initial


def test_readiness_is_overdue_only_while_starting() -> None:
    clock = FakeClock()
    tracker = ComponentTracker(POLICY)
    assert not tracker.readiness_overdue(clock.monotonic(), 2.0)
    tracker.started(clock.monotonic())
    clock.advance(1.9)
    assert tracker.startup_failure(clock.monotonic(), 2.0) is None
    clock.advance(0.1)
    assert tracker.startup_failure(clock.monotonic(), 2.0) == "not ready within 2s"
    tracker.became_ready(clock.monotonic())
    assert not tracker.readiness_overdue(clock.monotonic() + 100, 2.0)


def test_stopped_and_failed_components_are_never_due() -> None:
    clock = FakeClock()
    tracker = ComponentTracker(POLICY)
    tracker.started(clock.monotonic())
    tracker.exited(1, clock.monotonic())
    tracker.stopped()
    assert not tracker.due_for_restart(clock.monotonic() + 100)
    tracker.failed("not ready within 1s")
    assert tracker.phase is Phase.FAILED
    assert not tracker.due_for_restart(clock.monotonic() + 100)


def test_details_describe_the_current_phase_only() -> None:
    clock = FakeClock()
    tracker = ComponentTracker(POLICY)
    tracker.started(clock.monotonic())
    tracker.detail = "has not announced readiness yet"
    tracker.became_ready(clock.monotonic())
    assert tracker.detail == ""
    tracker.exited(1, clock.monotonic())
    assert tracker.detail == "exited with code 1"
    tracker.stopping()
    assert tracker.detail == ""


def test_slow_crashes_without_ever_being_ready_still_count_as_a_crash_loop() -> None:
    clock = FakeClock()
    tracker = ComponentTracker(POLICY)
    for _ in range(3):
        tracker.started(clock.monotonic())
        clock.advance(POLICY.stable_after + 5)  # long runs, but never ready
        tracker.exited(1, clock.monotonic())
        clock.advance(POLICY.delay(tracker.consecutive_crashes))
    assert tracker.phase is Phase.CRASH_LOOPING


def test_restarts_do_not_extend_the_start_deadline() -> None:
    clock = FakeClock()
    tracker = ComponentTracker(POLICY)
    tracker.started(clock.monotonic())
    clock.advance(20.0)
    tracker.exited(1, clock.monotonic())
    clock.advance(POLICY.initial)
    tracker.started(clock.monotonic())
    assert tracker.startup_failure(clock.monotonic(), 30.0) is None
    clock.advance(10.0)
    assert tracker.startup_failure(clock.monotonic(), 30.0) == "not ready within 30s"
