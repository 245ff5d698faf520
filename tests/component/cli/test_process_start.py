"""What every localnlb process does at start, seen on a real ``localnlb dashboard`` process: the
open-files limit raised to the hard limit, a loose state dir made private, and the dashboard
back on the port it had (DIR/env's LOCALNLB_DASHBOARD_URL stays valid across restarts)."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from localnlb.common import statedir
from localnlb.common.limits import open_files_limit_of
from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.timeout(60)

LOW_SOFT_LIMIT = 256


@dataclass(frozen=True)
class Dashboard:
    process: subprocess.Popen[bytes]
    url: str


def _dashboard(processes: ProcessGroup, state: Path, *, soft_limit: int) -> Dashboard:
    command = f"ulimit -Sn {soft_limit} && exec {sys.executable} -m localnlb dashboard"
    process = processes.start(
        ["bash", "-c", f'{command} --state-dir "$0"', str(state)], name="dashboard"
    )
    previous = statedir.read_env(state).get(statedir.DASHBOARD_VARIABLE)
    log = Path(process.log_path)  # type: ignore[attr-defined]

    def announced() -> str | None:
        lines = [ln for ln in log.read_text().splitlines() if ln.startswith("localnlb dashboard:")]
        return lines[-1].split(": ", 1)[1] if lines else None

    url = wait_until(announced, timeout=20, what=f"the dashboard's URL (was {previous})")
    return Dashboard(process=process, url=url)


def _answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return bool(reply.status == 200)


def test_a_process_raises_its_soft_open_files_limit_to_the_hard_limit(
    tmp_path: Path, processes: ProcessGroup
) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= LOW_SOFT_LIMIT:
        pytest.skip(f"the hard limit ({hard}) leaves nothing to raise")
    dashboard = _dashboard(processes, tmp_path / "state", soft_limit=LOW_SOFT_LIMIT)
    pid = dashboard.process.pid
    assert open_files_limit_of(pid) == min(hard, 1 << 20)


def test_a_loose_state_dir_is_made_private_at_start(
    tmp_path: Path, processes: ProcessGroup
) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o755)
    state.chmod(0o755)
    (state / "pki").mkdir(mode=0o755)
    left_loose = [state / "kubeconfig", state / "cluster.sqlite", state / "pki" / "ca.key"]
    for path in left_loose:
        path.write_text("secret")
        path.chmod(0o644)
    state.chmod(0o755)
    _dashboard(processes, state, soft_limit=LOW_SOFT_LIMIT)
    assert state.stat().st_mode & 0o777 == 0o700
    assert {path: path.stat().st_mode & 0o777 for path in left_loose} == dict.fromkeys(
        left_loose, 0o600
    )


def test_the_dashboard_keeps_its_url_across_restarts(
    tmp_path: Path, processes: ProcessGroup
) -> None:
    state = tmp_path / "state"
    first = _dashboard(processes, state, soft_limit=LOW_SOFT_LIMIT)
    assert _answers(first.url)
    first.process.send_signal(signal.SIGTERM)
    assert first.process.wait(timeout=20) == 0
    second = _dashboard(processes, state, soft_limit=LOW_SOFT_LIMIT)
    assert second.url == first.url
    assert statedir.read_env(state)[statedir.DASHBOARD_VARIABLE] == first.url
    assert _answers(second.url)
