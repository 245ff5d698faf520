"""Supervisor tests run real processes in a temporary state dir; everything is stopped at the end,
whatever the test did, and the test fails if anything it started is still alive.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from localnlb.common.supervisor import ComponentSpec, Readiness, ReadyFile, RunDir, stop_state_dir
from localnlb.common.supervisor.processes import LinuxProcessTable
from localnlb.common.supervisor.runfiles import SUPERVISOR, component_pid_files, read_pid

SAMPLE = Path(__file__).with_name("sample_component.py")


def sample(
    name: str,
    *options: str,
    readiness: Readiness | None = None,
    ready_timeout: float = 15.0,
    stop_grace: float = 5.0,
) -> ComponentSpec:
    return ComponentSpec(
        name=name,
        argv=(sys.executable, str(SAMPLE), *options),
        readiness=readiness or ReadyFile(http_path="/"),
        ready_timeout=ready_timeout,
        stop_grace=stop_grace,
    )


def live_pids(run_dir: RunDir) -> list[int]:
    table = LinuxProcessTable()
    paths = [*component_pid_files(run_dir), run_dir.pid_file(SUPERVISOR)]
    identities = [identity for path in paths if (identity := read_pid(path)) is not None]
    return [i.pid for i in identities if table.is_running(i)]


@pytest.fixture
def run_dir(tmp_path: Path) -> Iterator[RunDir]:
    run_dir = RunDir(tmp_path / "state")
    try:
        yield run_dir
    finally:
        stop_state_dir(run_dir, supervisor_grace=10.0, group_grace=2.0)
