"""Processes started by tests, stopped by tests even when the test fails.

Use :func:`running` as a context manager (or the ``processes`` fixture): every process is put in
its own process group and the whole group is terminated, then killed, on exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path


def stop_process_group(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


class ProcessGroup:
    """Starts processes and remembers them so that :meth:`stop_all` can end every one."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._processes: list[subprocess.Popen[bytes]] = []

    def start(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        name: str | None = None,
    ) -> subprocess.Popen[bytes]:
        label = name or Path(argv[0]).name
        log = self._log_dir / f"{label}-{len(self._processes)}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                list(argv),
                env=env,
                cwd=cwd,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        process.log_path = log  # type: ignore[attr-defined]
        self._processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self._processes):
            stop_process_group(process)
        self._processes.clear()


@contextlib.contextmanager
def running(log_dir: Path) -> Iterator[ProcessGroup]:
    group = ProcessGroup(log_dir)
    try:
        yield group
    finally:
        group.stop_all()
