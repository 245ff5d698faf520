"""Which processes ``down`` may signal: only those whose pid *and* start time still match."""

from __future__ import annotations

from dataclasses import dataclass, field

from localnlb.common.supervisor.processes import ProcessIdentity, parse_stat
from localnlb.common.supervisor.stopping import plan_stop

SUPERVISOR = ProcessIdentity(pid=100, start_ticks=5000)
ELBV2 = ProcessIdentity(pid=200, start_ticks=5100)
CONTROLLER = ProcessIdentity(pid=300, start_ticks=5200)


@dataclass
class FakeProcessTable:
    running: set[ProcessIdentity] = field(default_factory=set)
    other_pids: set[int] = field(default_factory=set)  # pids now held by unrelated processes
    groups: set[int] = field(default_factory=set)

    def is_running(self, identity: ProcessIdentity) -> bool:
        return identity in self.running

    def pid_reused(self, identity: ProcessIdentity) -> bool:
        return identity.pid in self.other_pids

    def group_has_members(self, pgid: int) -> bool:
        return pgid in self.groups


def test_a_running_supervisor_is_signalled() -> None:
    table = FakeProcessTable(running={SUPERVISOR, ELBV2}, groups={200})
    plan = plan_stop(supervisor=SUPERVISOR, components=[("elbv2", ELBV2)], table=table)
    assert plan.supervisor == SUPERVISOR
    assert plan.groups == (("elbv2", 200),)


def test_nothing_runs_when_every_record_is_stale() -> None:
    plan = plan_stop(supervisor=SUPERVISOR, components=[("elbv2", ELBV2)], table=FakeProcessTable())
    assert not plan.anything_running


def test_a_recycled_pid_is_never_signalled() -> None:
    # Both pids now belong to unrelated processes, which lead their own process groups.
    table = FakeProcessTable(other_pids={100, 200}, groups={200})
    plan = plan_stop(supervisor=SUPERVISOR, components=[("elbv2", ELBV2)], table=table)
    assert plan.supervisor is None
    assert plan.groups == ()


def test_a_group_that_outlived_its_leader_is_still_stopped() -> None:
    table = FakeProcessTable(groups={300})
    plan = plan_stop(
        supervisor=SUPERVISOR,
        components=[("elbv2", ELBV2), ("controller", CONTROLLER)],
        table=table,
    )
    assert plan.supervisor is None
    assert plan.groups == (("controller", 300),)


def test_stat_parsing_survives_odd_command_names() -> None:
    fields = ["S", "1", "4242", "4242"] + ["0"] * 15 + ["987654"]
    stat = parse_stat("4242 (python3 (x) y) " + " ".join(fields) + " 0 0\n")
    assert (stat.pid, stat.state, stat.pgrp, stat.start_ticks) == (4242, "S", 4242, 987654)
