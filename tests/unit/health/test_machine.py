"""One target's machine over fake time: every table transition driven through the machine's
own inputs (check results and the clock), thresholds, timers and settings changes."""

from __future__ import annotations

import pytest

from localnlb.common.clock import FakeClock
from localnlb.elbv2.health.machine import CheckSettings, TargetHealthMachine, Transition
from localnlb.elbv2.health.state import TRANSITIONS, Action, Event, State
from localnlb.elbv2.model.target_health import TargetHealthState

SETTINGS = CheckSettings(interval=10.0, healthy_threshold=3, unhealthy_threshold=2)
KEEPING = CheckSettings(
    interval=10.0, healthy_threshold=3, unhealthy_threshold=2, keep_connections_for=60.0
)


class Driver:
    """A machine and the fake clock it runs on, with the scheduler's loop done by hand."""

    def __init__(self, settings: CheckSettings = SETTINGS, **kwargs: float) -> None:
        self.clock = FakeClock()
        self.machine = TargetHealthMachine(settings, now=self.clock.monotonic(), **kwargs)
        self.transitions: list[Transition] = []

    def state(self) -> State:
        # A method, not the property, so that mypy does not narrow it across checks.
        return self.machine.state

    def run_until_due(self) -> None:
        """Advance to the next wake-up, firing timed events, until a check is due."""
        for _ in range(100):
            self.transitions += self.machine.tick(self.clock.monotonic())
            if self.machine.check_due(self.clock.monotonic()):
                return
            self.clock.advance(self.machine.next_wakeup() - self.clock.monotonic())
        raise AssertionError("no check became due")

    def check(self, passed: bool) -> Transition:
        self.run_until_due()
        self.machine.check_started(self.clock.monotonic())
        transition = self.machine.check_finished(passed=passed, now=self.clock.monotonic())
        self.transitions.append(transition)
        return transition

    def checks(self, *results: bool) -> list[Transition]:
        return [self.check(passed) for passed in results]


def driver_in(state: State, settings: CheckSettings = SETTINGS) -> Driver:
    driver = Driver(settings, registration_delay=30.0)
    if state is State.REGISTERING:
        return driver
    driver.run_until_due()
    if state is State.HEALTHY:
        driver.checks(*[True] * settings.healthy_threshold)
    elif state is State.UNHEALTHY:
        driver.checks(*[False] * settings.unhealthy_threshold)
    elif state is State.UNHEALTHY_DRAINING:
        driver.checks(*[True] * settings.healthy_threshold)
        driver.checks(*[False] * settings.unhealthy_threshold)
    assert driver.state() is state
    return driver


def cause(driver: Driver, event: Event) -> Transition:
    """Make ``event`` happen through the machine's inputs and return the transition it made."""
    settings = driver.machine.settings
    if event is Event.REGISTRATION_COMPLETED:
        driver.run_until_due()
        return driver.transitions[-1]
    if event is Event.DRAINING_INTERVAL_ENDED:
        driver.clock.advance(settings.keep_connections_for)
        (fired,) = driver.machine.tick(driver.clock.monotonic())
        return fired
    if event is Event.CHECK_PASSED:
        driver.check(False)  # break any streak of passes; one failure never crosses a threshold
        return driver.check(True)
    if event is Event.HEALTHY_THRESHOLD_REACHED:
        return driver.checks(*[True] * settings.healthy_threshold)[-1]
    if event is Event.CHECK_FAILED:
        driver.check(True)
        return driver.check(False)
    if event is Event.UNHEALTHY_THRESHOLD_REACHED:
        driver.machine.apply_settings(
            CheckSettings(settings.interval, settings.healthy_threshold, 2),
            driver.clock.monotonic(),
        )
        return driver.checks(False, False)[-1]
    driver.machine.apply_settings(
        CheckSettings(settings.interval, settings.healthy_threshold, 2, 60.0),
        driver.clock.monotonic(),
    )
    return driver.checks(False, False)[-1]


@pytest.mark.parametrize(("state", "event"), list(TRANSITIONS))
def test_every_transition_through_the_machine(state: State, event: Event) -> None:
    driver = driver_in(state, KEEPING if state is State.UNHEALTHY_DRAINING else SETTINGS)
    made = cause(driver, event)
    assert (made.old, made.event) == (state, event)
    assert made.new is TRANSITIONS[state, event].state
    assert driver.state() is made.new


def test_fast_registration_completes_at_once() -> None:
    driver = Driver()
    (done,) = driver.machine.tick(driver.clock.monotonic())
    assert done.new is State.INITIAL_CHECKING
    assert Action.START_CHECKS in done.actions
    assert driver.machine.check_due(driver.clock.monotonic())
    assert driver.machine.health.state is TargetHealthState.INITIAL


def test_aws_registration_takes_its_delay_and_nothing_is_checked_meanwhile() -> None:
    driver = Driver(registration_delay=120.0)
    driver.clock.advance(119.9)
    assert driver.machine.tick(driver.clock.monotonic()) == []
    assert not driver.machine.check_due(driver.clock.monotonic())
    assert driver.machine.next_wakeup() == pytest.approx(1120.0)
    driver.clock.advance(0.1)
    assert [t.new for t in driver.machine.tick(driver.clock.monotonic())] == [
        State.INITIAL_CHECKING
    ]


def test_first_check_waits_for_its_jitter() -> None:
    driver = Driver(first_check_delay=4.0)
    driver.machine.tick(driver.clock.monotonic())
    assert not driver.machine.check_due(driver.clock.monotonic())
    assert driver.machine.next_wakeup() == pytest.approx(1004.0)


def test_new_target_is_healthy_after_threshold_passes_one_interval_apart() -> None:
    driver = Driver()
    started = driver.clock.monotonic()
    results = driver.checks(True, True, True)
    assert [t.new for t in results] == [
        State.INITIAL_CHECKING,
        State.INITIAL_CHECKING,
        State.HEALTHY,
    ]
    assert results[-1].reported_change
    # interval x (threshold - 1) after the first check, which runs at once here
    assert driver.clock.monotonic() - started == pytest.approx(20.0)


def test_new_dead_target_is_unhealthy_after_unhealthy_threshold() -> None:
    driver = Driver()
    assert [t.new for t in driver.checks(False, False)] == [
        State.INITIAL_CHECKING,
        State.UNHEALTHY,
    ]
    assert driver.machine.health.reason == "Target.FailedHealthChecks"


def test_only_consecutive_results_count() -> None:
    driver = driver_in(State.HEALTHY)
    driver.checks(False, True, False, True)
    assert driver.state() is State.HEALTHY
    driver.checks(False, False)
    assert driver.state() is State.UNHEALTHY
    driver.checks(True, True, False, True, True)
    assert driver.state() is State.UNHEALTHY
    driver.check(True)
    assert driver.state() is State.HEALTHY


def test_unhealthy_draining_lasts_its_interval_then_terminates() -> None:
    driver = driver_in(State.UNHEALTHY_DRAINING, KEEPING)
    assert driver.machine.health.state is TargetHealthState.UNHEALTHY_DRAINING
    entered = driver.clock.monotonic()
    driver.checks(False, False, False)  # checks go on while draining
    assert driver.state() is State.UNHEALTHY_DRAINING
    assert driver.machine.next_wakeup() <= entered + 60.0
    driver.clock.advance(entered + 60.0 - driver.clock.monotonic())
    (ended,) = driver.machine.tick(driver.clock.monotonic())
    assert ended.new is State.UNHEALTHY
    assert driver.machine.tick(driver.clock.monotonic() + 1000) == []


def test_draining_target_that_recovers_is_healthy_and_its_timer_is_gone() -> None:
    driver = driver_in(State.UNHEALTHY_DRAINING, KEEPING)
    driver.checks(True, True, True)
    assert driver.state() is State.HEALTHY
    driver.clock.advance(1000)
    assert driver.machine.tick(driver.clock.monotonic()) == []


def test_turning_termination_back_on_ends_the_drain_now() -> None:
    driver = driver_in(State.UNHEALTHY_DRAINING, KEEPING)
    fired = driver.machine.apply_settings(SETTINGS, driver.clock.monotonic())
    assert [t.event for t in fired] == [Event.DRAINING_INTERVAL_ENDED]
    assert driver.state() is State.UNHEALTHY


def test_new_thresholds_apply_to_the_running_machine() -> None:
    driver = Driver()
    driver.check(True)
    driver.machine.apply_settings(
        CheckSettings(interval=10.0, healthy_threshold=2, unhealthy_threshold=5),
        driver.clock.monotonic(),
    )
    assert driver.check(True).new is State.HEALTHY
    driver.checks(False, False, False, False)
    assert driver.state() is State.HEALTHY
    assert driver.check(False).new is State.UNHEALTHY


@pytest.mark.parametrize("new_interval", [5.0, 30.0])
def test_new_interval_retimes_the_pending_check(new_interval: float) -> None:
    driver = Driver()
    driver.check(True)
    last = driver.clock.monotonic()
    driver.clock.advance(2.0)
    driver.machine.apply_settings(CheckSettings(new_interval, 3, 2), driver.clock.monotonic())
    assert driver.machine.next_wakeup() == pytest.approx(last + new_interval)


def test_checks_never_overlap() -> None:
    driver = Driver()
    driver.run_until_due()
    now = driver.clock.monotonic()
    driver.machine.check_started(now)
    driver.clock.advance(25.0)  # a check slower than the interval
    assert not driver.machine.check_due(driver.clock.monotonic())
    with pytest.raises(RuntimeError, match="not due"):
        driver.machine.check_started(driver.clock.monotonic())
    driver.machine.check_finished(passed=True, now=driver.clock.monotonic())
    assert driver.machine.check_due(driver.clock.monotonic())


def test_a_result_without_a_check_is_a_bug() -> None:
    driver = Driver()
    with pytest.raises(RuntimeError, match="never started"):
        driver.machine.check_finished(passed=True, now=driver.clock.monotonic())
