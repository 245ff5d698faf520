"""What happens to a flow already open when a new snapshot arrives (reference §0.17–18, §3.7).

A flow is pinned to (listener binding, target group, target). For each such pin the new
:class:`~localnlb.dataplane.routing.RoutingTable` decides:

===========================================  ==================================================
the target now is                            the flow
===========================================  ==================================================
healthy, initial, unhealthy.draining         keeps going
draining                                     keeps going; reset when the deregistration delay
                                             ends if ``terminate_on_deregistration``
gone (deregistration completed)              reset if ``terminate_on_deregistration``, else on
unhealthy, node not failing open             reset if ``terminate_on_unhealthy``; otherwise
                                             (the unhealthy-draining interval is over) reset
                                             unless that interval is 0 (never terminate)
unhealthy, node failing open                 keeps going
===========================================  ==================================================

A flow whose LB node is gone (LB deleted, AZ disabled) is reset; a flow whose listener now points
elsewhere, or was deleted, runs on (an NLB does not cut accepted connections for that). Pure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from localnlb.common.snapshot import TargetState
from localnlb.dataplane.routing import Binding, RoutingTable


class Action(enum.Enum):
    KEEP = "keep"
    RESET = "reset"
    RESET_AT = "reset_at"  # at ``at`` (wall clock), unless a later snapshot says otherwise


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Action
    at: float | None = None
    why: str = ""


KEEP = Verdict(Action.KEEP)


def verdict_for(
    table: RoutingTable,
    *,
    binding: Binding,
    target_group_arn: str,
    target: tuple[str, int],
    now_wall: float,
) -> Verdict:
    plan = table.plans.get(binding)
    if plan is None:
        return (
            KEEP
            if binding[0] in table.node_addresses
            else Verdict(Action.RESET, why="load balancer node removed")
        )
    tg = plan.target_group
    if tg is None or tg.arn != target_group_arn:
        return KEEP
    route = next((t for t in tg.targets if (t.address, t.port) == target), None)
    if route is None:
        if tg.terminate_on_deregistration:
            return Verdict(Action.RESET, why="target deregistered")
        return KEEP
    if route.state is TargetState.DRAINING:
        if not tg.terminate_on_deregistration:
            return KEEP
        if route.draining_until is None or route.draining_until <= now_wall:
            return Verdict(Action.RESET, why="deregistration delay ended")
        return Verdict(Action.RESET_AT, at=route.draining_until, why="deregistration delay ended")
    terminates = tg.terminate_on_unhealthy or tg.unhealthy_draining_interval_seconds > 0
    if route.state is TargetState.UNHEALTHY and not plan.failing_open and terminates:
        return Verdict(Action.RESET, why="target unhealthy")
    return KEEP
