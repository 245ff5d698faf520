"""Stopping everything one state dir runs, including what a killed supervisor left behind.

The supervisor is the only process to signal: on SIGTERM it stops its components in reverse
order. If it is gone (SIGKILL, OOM) its components still run in their own process groups; their
pid files say which, and a recorded pid counts only while its start time matches (see
:mod:`.processes`), so a recycled pid is never signalled. The decision is the pure
:func:`plan_stop`; :func:`stop_state_dir` carries it out.
"""

from __future__ import annotations

import functools
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from localnlb.common.supervisor.processes import (
    LinuxProcessTable,
    ProcessIdentity,
    ProcessTable,
    signal_group,
    signal_process,
)
from localnlb.common.supervisor.runfiles import (
    SUPERVISOR,
    RunDir,
    component_pid_files,
    read_pid,
)

SUPERVISOR_GRACE = 30.0
GROUP_GRACE = 5.0


@dataclass(frozen=True, slots=True)
class StopPlan:
    supervisor: ProcessIdentity | None
    groups: tuple[tuple[str, int], ...]  # (component, process group id) still running

    @property
    def anything_running(self) -> bool:
        return self.supervisor is not None or bool(self.groups)


def plan_stop(
    *,
    supervisor: ProcessIdentity | None,
    components: Sequence[tuple[str, ProcessIdentity]],
    table: ProcessTable,
) -> StopPlan:
    live_supervisor = supervisor if supervisor and table.is_running(supervisor) else None
    groups = tuple(
        (name, identity.pid)
        for name, identity in components
        if table.is_running(identity)
        or (not table.pid_reused(identity) and table.group_has_members(identity.pid))
    )
    return StopPlan(supervisor=live_supervisor, groups=groups)


def read_plan(run_dir: RunDir, table: ProcessTable) -> StopPlan:
    components = [
        (path.stem, identity)
        for path in component_pid_files(run_dir)
        if (identity := read_pid(path)) is not None
    ]
    return plan_stop(
        supervisor=read_pid(run_dir.pid_file(SUPERVISOR)), components=components, table=table
    )


@dataclass(frozen=True, slots=True)
class StopReport:
    supervisor_pid: int | None
    orphans: tuple[str, ...]  # components stopped directly (their supervisor was gone)
    killed: tuple[str, ...]  # what needed SIGKILL

    @property
    def stopped_anything(self) -> bool:
        return self.supervisor_pid is not None or bool(self.orphans)


def stop_state_dir(
    run_dir: RunDir,
    *,
    table: ProcessTable | None = None,
    supervisor_grace: float = SUPERVISOR_GRACE,
    group_grace: float = GROUP_GRACE,
) -> StopReport:
    table = table or LinuxProcessTable()
    plan = read_plan(run_dir, table)
    killed: list[str] = []
    supervisor = plan.supervisor
    if supervisor is not None:
        signal_process(supervisor.pid, signal.SIGTERM)
        if not _wait(lambda: not table.is_running(supervisor), supervisor_grace):
            signal_process(supervisor.pid, signal.SIGKILL)
            killed.append(SUPERVISOR)
            _wait(lambda: not table.is_running(supervisor), group_grace)
    # Whatever the supervisor did not stop (because it was killed, or just now) goes directly.
    orphans = read_plan(run_dir, table).groups
    for _, pgid in orphans:
        signal_group(pgid, signal.SIGTERM)
    for name, pgid in orphans:
        group_gone = functools.partial(_group_gone, table, pgid)
        if not _wait(group_gone, group_grace):
            signal_group(pgid, signal.SIGKILL)
            killed.append(name)
            _wait(group_gone, group_grace)
    remove_run_files(run_dir)
    return StopReport(
        supervisor_pid=supervisor.pid if supervisor else None,
        orphans=tuple(name for name, _ in orphans),
        killed=tuple(killed),
    )


def remove_run_files(run_dir: RunDir) -> None:
    """Forget pids and announcements; logs and the last status stay for post-mortems."""
    if not run_dir.run.is_dir():
        return
    for pattern in ("*.pid", "*.ready"):
        for path in run_dir.run.glob(pattern):
            path.unlink(missing_ok=True)


def _group_gone(table: ProcessTable, pgid: int) -> bool:
    return not table.group_has_members(pgid)


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    interval = 0.01
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
        interval = min(interval * 2, 0.1)
    return True
