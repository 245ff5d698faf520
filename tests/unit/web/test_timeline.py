"""The timeline: registrations, health transitions, draining and reconciles, in words."""

from __future__ import annotations

import dataclasses

from localnlb.web.cluster_view import ClusterEvent
from localnlb.web.timeline import TimelineTracker, diff_snapshots
from tests.unit.web import workshop as w


def test_first_snapshot_is_a_baseline_not_a_burst_of_registrations() -> None:
    tracker = TimelineTracker()
    tracker.observe_snapshot(w.snapshot(w.instance_group(), version=4), 10.0)
    [entry] = tracker.entries
    assert entry.kind == "start"
    assert "version 4" in entry.text
    assert "3 targets" in entry.text


def test_targets_registered_then_healthy_then_draining() -> None:
    initial = w.snapshot(w.instance_group(), version=2)
    empty = dataclasses.replace(initial, version=1, target_groups=())
    healthy = w.snapshot(w.instance_group("healthy", None), version=3)
    draining = w.snapshot(
        w.instance_group("draining", "Target.DeregistrationInProgress"), version=4
    )
    entries = diff_snapshots(empty, initial, 1.0)
    assert [e.kind for e in entries] == ["target group"] + ["registration"] * 3
    assert entries[1].text == (
        "registered in k8s-ui-uinlb-inst: initial (Elb.RegistrationInProgress)"
    )
    entries = diff_snapshots(initial, healthy, 2.0)
    assert [e.kind for e in entries] == ["health"] * 3
    assert entries[0].text.endswith("initial (Elb.RegistrationInProgress) → healthy")
    entries = diff_snapshots(healthy, draining, 3.0)
    assert [e.kind for e in entries] == ["draining"] * 3


def test_deregistration_and_load_balancer_changes() -> None:
    before = w.snapshot(w.instance_group(), version=1)
    after = dataclasses.replace(before, version=2, load_balancers=(), target_groups=())
    kinds = sorted(e.kind for e in diff_snapshots(before, after, 1.0))
    assert kinds == ["deregistration"] * 3 + ["load balancer", "target group"]


def test_same_version_adds_nothing_and_entries_are_newest_first() -> None:
    tracker = TimelineTracker()
    first = w.snapshot(w.instance_group(), version=1)
    tracker.observe_snapshot(first, 1.0)
    tracker.observe_snapshot(first, 2.0)
    tracker.observe_snapshot(w.snapshot(w.instance_group("healthy", None), version=2), 3.0)
    assert [e.at for e in tracker.entries] == [3.0, 3.0, 3.0, 1.0]


def event(
    reason: str, kind: str = "Service", at: float = 5.0, kind_type: str = "Normal"
) -> ClusterEvent:
    return ClusterEvent(
        at, "ui", kind, "ui-nlb", reason, "Successfully reconciled", kind_type, "u1"
    )


def test_reconcile_events_are_kept_once_and_pod_events_are_left_out() -> None:
    tracker = TimelineTracker()
    tracker.observe_events([event("SuccessfullyReconciled"), event("Scheduled", kind="Pod")])
    tracker.observe_events([event("SuccessfullyReconciled")])
    [entry] = tracker.entries
    assert entry.kind == "reconcile"
    assert entry.subject == "service/ui/ui-nlb"
    assert entry.text == "SuccessfullyReconciled: Successfully reconciled"


def test_warnings_say_so_and_the_timeline_is_bounded() -> None:
    tracker = TimelineTracker(limit=3)
    tracker.observe_events(
        [
            dataclasses.replace(
                event("FailedDeployModel", kind_type="Warning"), at=float(i), uid=str(i)
            )
            for i in range(5)
        ]
    )
    entries = tracker.entries
    assert len(entries) == 3
    assert entries[0].at == 4.0
    assert entries[0].text.startswith("warning: FailedDeployModel")
