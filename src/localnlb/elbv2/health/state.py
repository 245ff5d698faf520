"""The target-health transition table: (state, event) → (new state, actions), and nothing else.

This module is the single source of truth for how a registered, in-use target's health moves
(reference elbv2-api-and-nlb.md §3.6). :class:`~localnlb.elbv2.health.machine.TargetHealthMachine`
turns probe results and the passing of time into :class:`Event` values and looks them up here;
``docs/target-health.md`` shows a diagram generated from :data:`TRANSITIONS`
(:mod:`localnlb.elbv2.health.diagram`), and a test keeps the two in step.

Thresholds never appear in the table: the machine counts consecutive results and names the event
accordingly (a pass short of ``HealthyThresholdCount`` is ``CHECK_PASSED``, the pass that reaches
it is ``HEALTHY_THRESHOLD_REACHED``). A pair missing from the table is a bug in the caller, as in
h11: :func:`transition` raises :class:`InvalidTransition` rather than guess.

Draining on deregistration, ``unused`` and ``Target.NotRegistered`` are not here: they follow
from registrations, which the ELBv2 API owns; the API asks the checker only about registered,
in-use targets.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from localnlb.elbv2.model.target_health import (
    HEALTHY,
    REGISTRATION_IN_PROGRESS,
    TargetHealth,
    TargetHealthReason,
    TargetHealthState,
)


class State(enum.Enum):
    REGISTERING = "registering"
    INITIAL_CHECKING = "initial_checking"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    UNHEALTHY_DRAINING = "unhealthy_draining"


class Event(enum.Enum):
    REGISTRATION_COMPLETED = "registration_completed"
    CHECK_PASSED = "check_passed"  # a pass short of HealthyThresholdCount in a row
    HEALTHY_THRESHOLD_REACHED = "healthy_threshold_reached"
    CHECK_FAILED = "check_failed"  # a failure short of UnhealthyThresholdCount in a row
    # UnhealthyThresholdCount failures in a row, with connection termination on (the default)...
    UNHEALTHY_THRESHOLD_REACHED = "unhealthy_threshold_reached"
    # ...or with target_health_state.unhealthy.connection_termination.enabled=false and a
    # draining interval > 0: existing connections are kept for that interval.
    UNHEALTHY_THRESHOLD_REACHED_KEEPING_CONNECTIONS = (
        "unhealthy_threshold_reached_keeping_connections"
    )
    DRAINING_INTERVAL_ENDED = "draining_interval_ended"


class Action(enum.Enum):
    START_CHECKS = "start_checks"  # registration is done: the scheduler may probe now
    REPORT = "report"  # the health DescribeTargetHealth shows changed
    START_DRAINING_TIMER = "start_draining_timer"
    STOP_DRAINING_TIMER = "stop_draining_timer"


REPORTED: dict[State, TargetHealth] = {
    State.REGISTERING: REGISTRATION_IN_PROGRESS,
    State.INITIAL_CHECKING: TargetHealth.of(
        TargetHealthState.INITIAL, TargetHealthReason.INITIAL_HEALTH_CHECKING
    ),
    State.HEALTHY: HEALTHY,
    State.UNHEALTHY: TargetHealth.of(
        TargetHealthState.UNHEALTHY, TargetHealthReason.FAILED_HEALTH_CHECKS
    ),
    State.UNHEALTHY_DRAINING: TargetHealth.of(
        TargetHealthState.UNHEALTHY_DRAINING, TargetHealthReason.FAILED_HEALTH_CHECKS
    ),
}


@dataclass(frozen=True, slots=True)
class Outcome:
    state: State
    actions: tuple[Action, ...] = ()


_STAY: tuple[Action, ...] = ()
_REPORT = (Action.REPORT,)

TRANSITIONS: dict[tuple[State, Event], Outcome] = {
    # Checks start only once registration has completed (at once in the `fast` profile).
    (State.REGISTERING, Event.REGISTRATION_COMPLETED): Outcome(
        State.INITIAL_CHECKING, (Action.START_CHECKS, Action.REPORT)
    ),
    # "Not in service until it passes the initial health checks."
    (State.INITIAL_CHECKING, Event.CHECK_PASSED): Outcome(State.INITIAL_CHECKING, _STAY),
    (State.INITIAL_CHECKING, Event.CHECK_FAILED): Outcome(State.INITIAL_CHECKING, _STAY),
    (State.INITIAL_CHECKING, Event.HEALTHY_THRESHOLD_REACHED): Outcome(State.HEALTHY, _REPORT),
    (State.INITIAL_CHECKING, Event.UNHEALTHY_THRESHOLD_REACHED): Outcome(State.UNHEALTHY, _REPORT),
    # A target that never served has no connections to keep.
    (State.INITIAL_CHECKING, Event.UNHEALTHY_THRESHOLD_REACHED_KEEPING_CONNECTIONS): Outcome(
        State.UNHEALTHY, _REPORT
    ),
    (State.HEALTHY, Event.CHECK_PASSED): Outcome(State.HEALTHY, _STAY),
    (State.HEALTHY, Event.HEALTHY_THRESHOLD_REACHED): Outcome(State.HEALTHY, _STAY),
    (State.HEALTHY, Event.CHECK_FAILED): Outcome(State.HEALTHY, _STAY),
    (State.HEALTHY, Event.UNHEALTHY_THRESHOLD_REACHED): Outcome(State.UNHEALTHY, _REPORT),
    (State.HEALTHY, Event.UNHEALTHY_THRESHOLD_REACHED_KEEPING_CONNECTIONS): Outcome(
        State.UNHEALTHY_DRAINING, (Action.START_DRAINING_TIMER, Action.REPORT)
    ),
    (State.UNHEALTHY, Event.CHECK_PASSED): Outcome(State.UNHEALTHY, _STAY),
    (State.UNHEALTHY, Event.HEALTHY_THRESHOLD_REACHED): Outcome(State.HEALTHY, _REPORT),
    (State.UNHEALTHY, Event.CHECK_FAILED): Outcome(State.UNHEALTHY, _STAY),
    (State.UNHEALTHY, Event.UNHEALTHY_THRESHOLD_REACHED): Outcome(State.UNHEALTHY, _STAY),
    (State.UNHEALTHY, Event.UNHEALTHY_THRESHOLD_REACHED_KEEPING_CONNECTIONS): Outcome(
        State.UNHEALTHY, _STAY
    ),
    # "Flips back to healthy if it recovers, else to unhealthy and connections are terminated."
    (State.UNHEALTHY_DRAINING, Event.CHECK_PASSED): Outcome(State.UNHEALTHY_DRAINING, _STAY),
    (State.UNHEALTHY_DRAINING, Event.HEALTHY_THRESHOLD_REACHED): Outcome(
        State.HEALTHY, (Action.STOP_DRAINING_TIMER, Action.REPORT)
    ),
    (State.UNHEALTHY_DRAINING, Event.CHECK_FAILED): Outcome(State.UNHEALTHY_DRAINING, _STAY),
    (State.UNHEALTHY_DRAINING, Event.UNHEALTHY_THRESHOLD_REACHED_KEEPING_CONNECTIONS): Outcome(
        State.UNHEALTHY_DRAINING, _STAY
    ),
    (State.UNHEALTHY_DRAINING, Event.DRAINING_INTERVAL_ENDED): Outcome(State.UNHEALTHY, _REPORT),
}


class InvalidTransition(RuntimeError):
    """An event the table does not allow in this state: the caller broke the machine's rules."""


def transition(state: State, event: Event) -> Outcome:
    try:
        return TRANSITIONS[state, event]
    except KeyError:
        raise InvalidTransition(f"{event.name} cannot happen in {state.name}") from None
