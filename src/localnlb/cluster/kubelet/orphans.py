"""Container processes a dead kubelet left behind, found and ended when a new one starts.

Each container process is its own session, so it does not die with the kubelet. If localnlb is
killed outright (SIGKILL, a crash), its pods' processes would keep their pod IPs and ports and
the next run's pods could not bind them. So every running container has a record next to its
log, ``<container>.pid``: the process group, the kernel's start time of its leader (so a reused
pid is never mistaken for it) and the pid of the kubelet that owns it. :func:`reap_orphans`
kills the groups whose owner is gone; records of a live kubelet are left alone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
from pathlib import Path

from localnlb.common.supervisor.processes import read_stat

RECORD_SUFFIX = ".pid"
_log = logging.getLogger(__name__)


def start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot; None once it is gone or a zombie."""
    try:
        stat = read_stat(pid)
    except OSError:  # another user's process under a hidepid /proc: not one of ours
        return None
    return stat.start_ticks if stat is not None and stat.state not in ("Z", "X") else None


def record_path(log_path: Path) -> Path:
    return log_path.with_suffix(RECORD_SUFFIX)


def write_record(log_path: Path, pid: int) -> None:
    body = {"pgid": pid, "start_ticks": start_ticks(pid), "kubelet_pid": os.getpid()}
    record_path(log_path).write_text(json.dumps(body) + "\n")


def remove_record(log_path: Path) -> None:
    record_path(log_path).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    return start_ticks(pid) is not None


def reap_orphans(root: Path) -> list[int]:
    """Kill the process groups of containers whose kubelet is gone; return their ids."""
    killed: list[int] = []
    for record in sorted(root.glob(f"*/*{RECORD_SUFFIX}")):
        try:
            body = json.loads(record.read_text())
            pgid, ticks, owner = int(body["pgid"]), body["start_ticks"], int(body["kubelet_pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if owner == os.getpid() or _alive(owner):
            continue  # a running kubelet's container, not an orphan
        if ticks is not None and start_ticks(pgid) == ticks:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
                killed.append(pgid)
                _log.warning("killed container process group %d left by a kubelet gone", pgid)
        record.unlink(missing_ok=True)
    return killed
