"""The event timeline: what changed, in words, newest first.

Two feeds. Routing snapshots are diffed against the previous one: a target that appears was
registered, one that goes was deregistered, a state change is a health transition (draining
gets its own kind); load balancers and target groups appearing or going are noted too.
Kubernetes Events about Services and TargetGroupBindings are the controller's reconciles
(``SuccessfullyReconciled``, ``FailedDeployModel``, ...); Deployment events show scaling.

The first snapshot is a baseline, not a burst of "registered" lines. Pure: time is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from localnlb.common.snapshot import RoutingSnapshot, TargetState
from localnlb.web.cluster_view import ClusterEvent
from localnlb.web.scene import TimelineEntry

DEFAULT_LIMIT = 200
RECONCILE_KINDS = frozenset({"Service", "TargetGroupBinding"})
EVENT_KINDS = RECONCILE_KINDS | {"Deployment"}


@dataclass(frozen=True, slots=True)
class _TargetState:
    group: str
    state: TargetState
    reason: str | None


TargetKey = tuple[str, str, int]  # target group ARN, target id, port


def _targets(snapshot: RoutingSnapshot) -> dict[TargetKey, _TargetState]:
    return {
        (g.arn, t.id, t.port): _TargetState(g.name, t.state, t.reason)
        for g in snapshot.target_groups
        for t in g.targets
    }


class TimelineTracker:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._entries: list[TimelineEntry] = []
        self._previous: RoutingSnapshot | None = None
        self._seen_events: set[tuple[str, float, str]] = set()

    @property
    def entries(self) -> tuple[TimelineEntry, ...]:
        return tuple(sorted(self._entries, key=lambda e: -e.at))

    def _add(self, entries: Iterable[TimelineEntry]) -> None:
        self._entries.extend(entries)
        if len(self._entries) > self.limit:
            self._entries = sorted(self._entries, key=lambda e: e.at)[-self.limit :]

    def observe_snapshot(self, snapshot: RoutingSnapshot, now: float) -> None:
        previous, self._previous = self._previous, snapshot
        if previous is None:
            targets = sum(len(g.targets) for g in snapshot.target_groups)
            text = (
                f"following ELBv2 routing (version {snapshot.version}): "
                f"{len(snapshot.load_balancers)} load balancers, {targets} targets"
            )
            self._add([TimelineEntry(now, "start", "elbv2", text)])
            return
        if previous.version == snapshot.version:
            return
        self._add(diff_snapshots(previous, snapshot, now))

    def observe_events(self, events: Iterable[ClusterEvent]) -> None:
        fresh = []
        for event in events:
            if event.kind not in EVENT_KINDS:
                continue
            key = (event.uid, event.at, event.message)
            if key in self._seen_events:
                continue
            self._seen_events.add(key)
            kind = "reconcile" if event.kind in RECONCILE_KINDS else "kubernetes"
            subject = f"{event.kind.lower()}/{event.namespace}/{event.name}"
            warning = "warning: " if event.type == "Warning" else ""
            text = f"{warning}{event.reason}: {event.message}".rstrip(": ")
            fresh.append(TimelineEntry(event.at, kind, subject, text))
        self._add(fresh)


def diff_snapshots(
    before: RoutingSnapshot, after: RoutingSnapshot, now: float
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    old_lbs = {lb.arn: lb for lb in before.load_balancers}
    new_lbs = {lb.arn: lb for lb in after.load_balancers}
    for arn in new_lbs.keys() - old_lbs.keys():
        lb = new_lbs[arn]
        text = f"load balancer created ({lb.state}), {len(lb.nodes)} LB nodes"
        entries.append(TimelineEntry(now, "load balancer", lb.name, text))
    for arn in old_lbs.keys() - new_lbs.keys():
        entries.append(TimelineEntry(now, "load balancer", old_lbs[arn].name, "deleted"))
    for arn in new_lbs.keys() & old_lbs.keys():
        if new_lbs[arn].state != old_lbs[arn].state:
            text = f"{old_lbs[arn].state} → {new_lbs[arn].state}"
            entries.append(TimelineEntry(now, "load balancer", new_lbs[arn].name, text))
    old_groups = {g.arn: g for g in before.target_groups}
    new_groups = {g.arn: g for g in after.target_groups}
    for arn in new_groups.keys() - old_groups.keys():
        group = new_groups[arn]
        text = f"target group created ({group.target_type} mode, {group.protocol}:{group.port})"
        entries.append(TimelineEntry(now, "target group", group.name, text))
    for arn in old_groups.keys() - new_groups.keys():
        entries.append(TimelineEntry(now, "target group", old_groups[arn].name, "deleted"))
    entries += _target_changes(_targets(before), _targets(after), now)
    return entries


def _target_changes(
    before: dict[TargetKey, _TargetState], after: dict[TargetKey, _TargetState], now: float
) -> list[TimelineEntry]:
    entries = []
    for key in sorted(after.keys() - before.keys()):
        state = after[key]
        subject = f"{key[1]}:{key[2]}"
        text = f"registered in {state.group}: {_state_text(state)}"
        entries.append(TimelineEntry(now, "registration", subject, text))
    for key in sorted(before.keys() - after.keys()):
        subject = f"{key[1]}:{key[2]}"
        text = f"deregistered from {before[key].group}"
        entries.append(TimelineEntry(now, "deregistration", subject, text))
    for key in sorted(after.keys() & before.keys()):
        old, new = before[key], after[key]
        if (old.state, old.reason) == (new.state, new.reason):
            continue
        draining = (TargetState.DRAINING, TargetState.UNHEALTHY_DRAINING)
        kind = "draining" if new.state in draining else "health"
        subject = f"{key[1]}:{key[2]}"
        text = f"{new.group}: {_state_text(old)} → {_state_text(new)}"
        entries.append(TimelineEntry(now, kind, subject, text))
    return entries


def _state_text(state: _TargetState) -> str:
    return f"{state.state} ({state.reason})" if state.reason else state.state
