"""One supervised component's process: spawn it in its own process group, logging to its file,
and stop the whole group (SIGTERM, then SIGKILL after its grace).

``subprocess.Popen`` rather than asyncio subprocesses: spawning is then a single call that cannot
be interrupted half-way by a cancellation, so no process is ever started without being recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import TextIO

from localnlb.common import statedir
from localnlb.common.supervisor.announce import COMPONENT_VARIABLE, READY_FILE_VARIABLE
from localnlb.common.supervisor.backoff import BackoffPolicy, ComponentTracker
from localnlb.common.supervisor.probes import ProbeContext, env_file_version
from localnlb.common.supervisor.processes import LinuxProcessTable, identity_of, signal_group
from localnlb.common.supervisor.runfiles import RunDir, write_pid
from localnlb.common.supervisor.spec import ComponentSpec

POLL_INTERVAL = 0.05


@dataclass(slots=True)
class RunningComponent:
    spec: ComponentSpec
    tracker: ComponentTracker
    process: subprocess.Popen[bytes] | None = None
    endpoints: dict[str, str] = field(default_factory=dict)
    probe_context: ProbeContext | None = None

    @classmethod
    def of(cls, spec: ComponentSpec, policy: BackoffPolicy) -> RunningComponent:
        return cls(spec=spec, tracker=ComponentTracker(policy))

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def spawn(self, run_dir: RunDir) -> None:
        name = self.spec.name
        self.process = None
        ready_file = run_dir.ready_file(name)
        ready_file.unlink(missing_ok=True)
        self.endpoints = {}
        self.probe_context = ProbeContext(
            component=name,
            state_dir=run_dir.state_dir,
            ready_file=ready_file,
            env_file_at_start=env_file_version(run_dir.state_dir),
        )
        env = {
            **os.environ,
            **self.spec.env,
            statedir.STATE_DIR_VARIABLE: str(run_dir.state_dir),
            READY_FILE_VARIABLE: str(ready_file),
            COMPONENT_VARIABLE: name,
            "PYTHONUNBUFFERED": "1",
        }
        with run_dir.log_file(name).open("a") as log:
            _note(log, f"starting: {' '.join(self.spec.argv)}")
            self.process = subprocess.Popen(
                list(self.spec.argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=run_dir.state_dir,
                start_new_session=True,
                close_fds=True,
            )
        # Already gone: nothing to record; the watcher sees the exit and restarts it.
        with contextlib.suppress(ProcessLookupError):
            write_pid(run_dir.pid_file(name), identity_of(self.process.pid))

    def note(self, run_dir: RunDir, message: str) -> None:
        """Best effort: a log that cannot be written (state dir deleted) must not stop the
        supervisor from supervising, least of all from stopping its components."""
        try:
            with run_dir.log_file(self.spec.name).open("a") as log:
                _note(log, message)
        except OSError as exc:
            logging.getLogger("localnlb.supervisor").warning("%s: %s", self.spec.name, exc)

    async def terminate(self) -> int | None:
        """Stop the component's whole process group; returns its exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            signal_group(process.pid, signal.SIGTERM)
            if not await _exited_within(process, self.spec.stop_grace):
                signal_group(process.pid, signal.SIGKILL)
                await _exited_within(process, 5.0)
        # Members that outlived the leader (its own children) go with the group. While the group
        # has members its id cannot be reused, so this never reaches an unrelated process.
        if LinuxProcessTable().group_has_members(process.pid):
            signal_group(process.pid, signal.SIGKILL)
        return process.returncode


async def _exited_within(process: subprocess.Popen[bytes], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while process.poll() is None:
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(POLL_INTERVAL)
    return True


def _note(log: TextIO, message: str) -> None:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    log.write(f"--- localnlb supervisor {stamp}: {message}\n")
    log.flush()
