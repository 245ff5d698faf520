"""The process's open-file limit: raised to the hard limit at start, and read back for ``status``.

Every localnlb process relays or serves connections, and each connection is a file descriptor
(two for a relay). Distributions start processes with a soft ``RLIMIT_NOFILE`` of 1024 while
the hard limit is far higher; as nginx (``worker_rlimit_nofile``) and systemd services do, each
localnlb process raises its soft limit to the hard limit before it opens anything.
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# Where the soft limit stays when the hard limit is unlimited (macOS): the kernel's own cap.
UNLIMITED_FALLBACK = 1 << 20


@dataclass(frozen=True, slots=True)
class OpenFilesLimit:
    soft: int
    hard: int
    before: int  # the soft limit the process started with

    @property
    def raised(self) -> bool:
        return self.soft > self.before


def _finite(value: int) -> int:
    return UNLIMITED_FALLBACK if value == resource.RLIM_INFINITY else value


def raise_open_files_limit() -> OpenFilesLimit:
    """Raise the soft ``RLIMIT_NOFILE`` to the hard limit; say what it is now. A kernel that
    refuses (a hard limit above ``fs.nr_open``) leaves the limit where it was."""
    before, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else UNLIMITED_FALLBACK
    if before != resource.RLIM_INFINITY and before < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError) as error:
            log.warning(
                "cannot raise the open-files limit from %d to %d: %s", before, wanted, error
            )
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return OpenFilesLimit(soft=_finite(soft), hard=_finite(hard), before=_finite(before))


def open_files_limit_of(pid: int) -> int | None:
    """The soft open-files limit of a running process (``/proc/PID/limits``; None elsewhere)."""
    try:
        text = Path(f"/proc/{pid}/limits").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Max open files"):
            soft = line[len("Max open files") :].split()[0]
            return UNLIMITED_FALLBACK if soft == "unlimited" else int(soft)
    return None
