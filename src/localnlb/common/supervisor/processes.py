"""Processes as the kernel sees them (Linux ``/proc``): identity, liveness and process groups.

A pid alone can be reused by an unrelated process, so every pid localnlb records comes with the
process's start time (``/proc/<pid>/stat`` field 22). A recorded process is "ours" only while a
live process has both. A process group outlives its leader; Linux never hands out a pid that is
still some process group's id, so a recorded group that still has members is still ours.
"""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    pid: int
    start_ticks: int


@dataclass(frozen=True, slots=True)
class ProcStat:
    pid: int
    state: str
    pgrp: int
    start_ticks: int


def parse_stat(text: str) -> ProcStat:
    """Parse ``/proc/<pid>/stat``; the command name (field 2) may hold spaces and parentheses."""
    pid_text, _, rest = text.partition(" (")
    fields = rest[rest.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state); field 5 is pgrp, field 22 is starttime.
    return ProcStat(
        pid=int(pid_text), state=fields[0], pgrp=int(fields[2]), start_ticks=int(fields[19])
    )


def read_stat(pid: int) -> ProcStat | None:
    try:
        return parse_stat((PROC / str(pid) / "stat").read_text())
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        return None


def identity_of(pid: int) -> ProcessIdentity:
    stat = read_stat(pid)
    if stat is None:
        raise ProcessLookupError(pid)
    return ProcessIdentity(pid=pid, start_ticks=stat.start_ticks)


class ProcessTable(Protocol):
    """What stop decisions need to know about running processes (faked in unit tests)."""

    def is_running(self, identity: ProcessIdentity) -> bool: ...

    def pid_reused(self, identity: ProcessIdentity) -> bool:
        """A live process has this pid, but it started at another time: not ours."""
        ...

    def group_has_members(self, pgid: int) -> bool: ...


class LinuxProcessTable:
    def is_running(self, identity: ProcessIdentity) -> bool:
        stat = read_stat(identity.pid)
        # A zombie has exited; it only waits for its parent to collect it.
        return stat is not None and stat.state != "Z" and stat.start_ticks == identity.start_ticks

    def pid_reused(self, identity: ProcessIdentity) -> bool:
        stat = read_stat(identity.pid)
        return stat is not None and stat.start_ticks != identity.start_ticks

    def group_has_members(self, pgid: int) -> bool:
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            stat = read_stat(int(entry.name))
            if stat is not None and stat.pgrp == pgid and stat.state != "Z":
                return True
        return False


def signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def signal_process(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)
