"""The files one supervisor keeps in the state dir, and the lock that makes it the only one.

``DIR/run/supervisor.lock``  held (flock) by the running supervisor: the kernel drops it when the
                             process dies, however it dies, so "is localnlb running" never trusts
                             a stale file.
``DIR/run/<name>.pid``       line 1: pid (also the process group id), line 2: its start time.
``DIR/run/<name>.ready``     what a component announced when it became ready (JSON).
``DIR/run/supervisor.json``  the supervisor's view of every component, rewritten on each change.
``DIR/logs/<name>.log``      a component's stdout and stderr, appended across restarts.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localnlb.common.supervisor.processes import ProcessIdentity

SUPERVISOR = "supervisor"
MARKER = ".localnlb-state"


@dataclass(frozen=True, slots=True)
class RunDir:
    state_dir: Path

    @property
    def run(self) -> Path:
        return self.state_dir / "run"

    @property
    def logs(self) -> Path:
        return self.state_dir / "logs"

    @property
    def lock(self) -> Path:
        return self.run / "supervisor.lock"

    @property
    def status(self) -> Path:
        return self.run / "supervisor.json"

    def pid_file(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def ready_file(self, name: str) -> Path:
        return self.run / f"{name}.ready"

    def log_file(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def prepare(self) -> None:
        for directory in (self.state_dir, self.run, self.logs):
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.state_dir / MARKER).touch()


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


def write_pid(path: Path, identity: ProcessIdentity) -> None:
    write_atomically(path, f"{identity.pid}\n{identity.start_ticks}\n")


def read_pid(path: Path) -> ProcessIdentity | None:
    try:
        lines = path.read_text().split()
        return ProcessIdentity(pid=int(lines[0]), start_ticks=int(lines[1]))
    except (FileNotFoundError, ValueError, IndexError):
        return None


def component_pid_files(run_dir: RunDir) -> list[Path]:
    if not run_dir.run.is_dir():
        return []
    return sorted(p for p in run_dir.run.glob("*.pid") if p.stem != SUPERVISOR)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class SupervisorLock:
    """An exclusive, non-blocking flock on ``DIR/run/supervisor.lock``."""

    def __init__(self, run_dir: RunDir) -> None:
        self._path = run_dir.lock
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def is_supervisor_running(run_dir: RunDir) -> bool:
    """True while some process holds the supervisor lock of this state dir."""
    if not run_dir.lock.exists():
        return False
    probe = SupervisorLock(run_dir)
    if probe.acquire():
        probe.release()
        return False
    return True


def tail(path: Path, lines: int = 20) -> str:
    with contextlib.suppress(FileNotFoundError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""
