"""Start a supervisor for a state dir in the background and return once every component is ready.

This is what ``localnlb up --detach`` and ``localnlb elbv2 --detach`` do: hand the component
specs to a new supervisor process (:mod:`.daemon`, in its own session, so it outlives the
terminal), then follow its ``DIR/run/supervisor.json`` until all components are ready, the start
failed, or the deadline passed. A failed start leaves nothing running.
"""

from __future__ import annotations

import enum
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from localnlb.common.supervisor.runfiles import (
    SUPERVISOR,
    RunDir,
    is_supervisor_running,
    tail,
)
from localnlb.common.supervisor.serve import EXIT_ALREADY_RUNNING
from localnlb.common.supervisor.spec import ComponentSpec, spec_to_json
from localnlb.common.supervisor.status import SupervisorStatus, read_status
from localnlb.common.supervisor.stopping import stop_state_dir

# Detached supervisors are children of this process until it exits; keeping their Popen objects
# stops Python from warning that a child it forgot is "still running".
_DETACHED: list[subprocess.Popen[bytes]] = []


class Outcome(enum.StrEnum):
    STARTED = "started"
    ALREADY_RUNNING = "already-running"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DetachResult:
    outcome: Outcome
    status: SupervisorStatus | None
    error: str | None = None
    log_path: Path | None = None
    log_tail: str = ""


def supervise_argv(state_dir: Path) -> list[str]:
    return [sys.executable, "-m", "localnlb.common.supervisor", "--state-dir", str(state_dir)]


def detach(
    state_dir: Path,
    components: Sequence[ComponentSpec],
    *,
    timeout: float | None = None,
    on_progress: Callable[[SupervisorStatus], None] | None = None,
) -> DetachResult:
    run_dir = RunDir(state_dir)
    run_dir.prepare()
    if is_supervisor_running(run_dir):
        return DetachResult(Outcome.ALREADY_RUNNING, read_status(run_dir))
    deadline = time.monotonic() + (
        timeout if timeout is not None else sum(c.ready_timeout for c in components) + 10.0
    )
    supervisor_log = run_dir.log_file(SUPERVISOR)
    with supervisor_log.open("ab") as log:
        process = subprocess.Popen(
            supervise_argv(state_dir),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=state_dir,
            start_new_session=True,
            close_fds=True,
        )
    _DETACHED.append(process)
    assert process.stdin is not None
    process.stdin.write(json.dumps([spec_to_json(c) for c in components]).encode())
    process.stdin.close()
    try:
        return _follow(run_dir, process, deadline, on_progress)
    except KeyboardInterrupt:
        # Ctrl-C while waiting means "never mind": leave nothing half-started behind.
        stop_state_dir(run_dir)
        raise


def _follow(
    run_dir: RunDir,
    process: subprocess.Popen[bytes],
    deadline: float,
    on_progress: Callable[[SupervisorStatus], None] | None,
) -> DetachResult:
    seen: SupervisorStatus | None = None
    while True:
        status = read_status(run_dir)
        if status is not None and status.pid == process.pid and status != seen:
            seen = status
            if on_progress is not None:
                on_progress(status)
            if status.all_ready:
                return DetachResult(Outcome.STARTED, status)
        code = process.poll()
        if code == EXIT_ALREADY_RUNNING:
            return DetachResult(Outcome.ALREADY_RUNNING, read_status(run_dir))
        if code is not None:
            final = read_status(run_dir)
            if final is not None and final.pid == process.pid:
                seen = final
            return _failure(run_dir, seen, f"the supervisor exited with code {code}")
        if time.monotonic() >= deadline:
            stop_state_dir(run_dir)
            return _failure(run_dir, seen, "localnlb did not become ready in time")
        time.sleep(0.05)


def _failure(run_dir: RunDir, status: SupervisorStatus | None, fallback: str) -> DetachResult:
    name = SUPERVISOR
    if status is not None and status.failed_component:
        name = status.failed_component
    elif status is not None:
        not_ready = [c.name for c in status.components if c.phase not in ("ready", "pending")]
        name = not_ready[0] if not_ready else SUPERVISOR
    error = status.error if status is not None and status.error else fallback
    if name != SUPERVISOR and error == fallback:
        error = f"{fallback} ({name} was not ready)"
    path = run_dir.log_file(name)
    return DetachResult(Outcome.FAILED, status, error=error, log_path=path, log_tail=tail(path))
