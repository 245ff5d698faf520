"""The transition table is whole, consistent with what it reports, and strict about the rest."""

from __future__ import annotations

import itertools

import pytest

from localnlb.elbv2.health.state import (
    REPORTED,
    TRANSITIONS,
    Action,
    Event,
    InvalidTransition,
    State,
    transition,
)
from localnlb.elbv2.model.target_health import TargetHealthReason, TargetHealthState

ALL_PAIRS = list(itertools.product(State, Event))

# Pairs that cannot happen: no checks run while registering, registration completes once, only a
# draining target has a draining interval to end, and a draining target always keeps connections
# (turning termination back on ends the drain at once, before any further check counts).
IMPOSSIBLE = (
    {(State.REGISTERING, event) for event in Event if event is not Event.REGISTRATION_COMPLETED}
    | {(state, Event.REGISTRATION_COMPLETED) for state in State if state is not State.REGISTERING}
    | {
        (state, Event.DRAINING_INTERVAL_ENDED)
        for state in State
        if state is not State.UNHEALTHY_DRAINING
    }
    | {(State.UNHEALTHY_DRAINING, Event.UNHEALTHY_THRESHOLD_REACHED)}
)


def test_every_pair_is_either_a_transition_or_impossible() -> None:
    assert set(TRANSITIONS) | IMPOSSIBLE == set(ALL_PAIRS)
    assert not set(TRANSITIONS) & IMPOSSIBLE


@pytest.mark.parametrize(("state", "event"), sorted(IMPOSSIBLE, key=str))
def test_impossible_pairs_raise(state: State, event: Event) -> None:
    with pytest.raises(InvalidTransition, match=event.name):
        transition(state, event)


@pytest.mark.parametrize(("state", "event"), list(TRANSITIONS))
def test_report_action_exactly_when_reported_health_changes(state: State, event: Event) -> None:
    outcome = transition(state, event)
    changed = REPORTED[state] != REPORTED[outcome.state]
    assert (Action.REPORT in outcome.actions) == changed


@pytest.mark.parametrize(("state", "event"), list(TRANSITIONS))
def test_draining_timer_actions_match_entering_and_leaving_draining(
    state: State, event: Event
) -> None:
    outcome = transition(state, event)
    entering = outcome.state is State.UNHEALTHY_DRAINING and state is not outcome.state
    assert (Action.START_DRAINING_TIMER in outcome.actions) == entering
    recovering = state is State.UNHEALTHY_DRAINING and outcome.state is State.HEALTHY
    assert (Action.STOP_DRAINING_TIMER in outcome.actions) == recovering


def test_only_threshold_events_change_a_checked_state() -> None:
    for (state, event), outcome in TRANSITIONS.items():
        if event in (Event.CHECK_PASSED, Event.CHECK_FAILED):
            assert outcome.state is state, (state, event)


def test_reported_health_uses_aws_texts() -> None:
    texts = {state: (h.state, h.reason, h.description) for state, h in REPORTED.items()}
    assert texts == {
        State.REGISTERING: (
            TargetHealthState.INITIAL,
            TargetHealthReason.REGISTRATION_IN_PROGRESS,
            "Target registration is in progress",
        ),
        State.INITIAL_CHECKING: (
            TargetHealthState.INITIAL,
            TargetHealthReason.INITIAL_HEALTH_CHECKING,
            "Initial health checks in progress",
        ),
        State.HEALTHY: (TargetHealthState.HEALTHY, None, None),
        State.UNHEALTHY: (
            TargetHealthState.UNHEALTHY,
            TargetHealthReason.FAILED_HEALTH_CHECKS,
            "Health checks failed",
        ),
        State.UNHEALTHY_DRAINING: (
            TargetHealthState.UNHEALTHY_DRAINING,
            TargetHealthReason.FAILED_HEALTH_CHECKS,
            "Health checks failed",
        ),
    }
