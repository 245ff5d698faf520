"""``localnlb up`` / ``status`` / ``down`` as a person runs them, and Ctrl-C on a foreground run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from localnlb.common.supervisor import RunDir, read_status
from tests.component.supervisor.conftest import live_pids
from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]
ROOT = Path(__file__).resolve().parents[3]


def localnlb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localnlb", *args],
        capture_output=True,
        text=True,
        timeout=45,
        check=False,
    )


def test_ctrl_c_on_a_foreground_supervisor_stops_every_component(
    run_dir: RunDir, processes: ProcessGroup
) -> None:
    driver = processes.start(
        [
            sys.executable,
            "-m",
            "tests.component.supervisor.foreground_driver",
            str(run_dir.state_dir),
            "one",
            "two",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        name="driver",
    )

    def all_ready() -> bool:
        status = read_status(run_dir)
        return status is not None and status.all_ready

    wait_until(all_ready, timeout=20, what="both components ready")
    component_pids = live_pids(run_dir)
    assert driver.pid in component_pids
    assert len(component_pids) == 3

    os.kill(driver.pid, signal.SIGINT)

    assert driver.wait(timeout=20) == 0
    assert live_pids(run_dir) == []
    assert all(not Path(f"/proc/{pid}").exists() for pid in component_pids if pid != driver.pid)
    status = read_status(run_dir)
    assert status is not None
    assert [c.phase for c in status.components] == ["stopped", "stopped"]


def test_ctrl_c_on_localnlb_up_in_the_foreground_stops_everything(
    run_dir: RunDir, processes: ProcessGroup
) -> None:
    up = processes.start(
        [sys.executable, "-m", "localnlb", "up", "--state-dir", str(run_dir.state_dir)],
        name="up",
    )

    def all_ready() -> bool:
        status = read_status(run_dir)
        return status is not None and status.pid == up.pid and status.all_ready

    wait_until(all_ready, timeout=30, what="localnlb up ready")
    started = live_pids(run_dir)
    assert up.pid in started

    os.kill(up.pid, signal.SIGINT)

    assert up.wait(timeout=30) == 0
    assert live_pids(run_dir) == []
    output = Path(up.log_path).read_text()  # type: ignore[attr-defined]
    assert "localnlb stopped" in output


def test_up_detach_status_and_down_through_the_command_line(run_dir: RunDir) -> None:
    state = str(run_dir.state_dir)
    started = localnlb("up", "--detach", "--state-dir", state)
    assert started.returncode == 0, started.stderr
    assert f"stop it: localnlb down --state-dir {state}" in started.stdout

    again = localnlb("up", "--detach", "--state-dir", state)
    assert again.returncode == 0, again.stderr
    assert f"localnlb is already running for {state}" in again.stdout

    status = localnlb("status", "--state-dir", state, "--output", "json")
    assert status.returncode == 0, status.stderr
    document = json.loads(status.stdout)
    assert document["running"] is True
    supervisor_pid = document["supervisor"]["pid"]
    assert all(c["phase"] == "ready" for c in document["supervisor"]["components"])

    stopped = localnlb("down", "--state-dir", state)
    assert stopped.returncode == 0, stopped.stderr
    assert f"supervisor (pid {supervisor_pid})" in stopped.stdout
    assert live_pids(run_dir) == []

    after = localnlb("status", "--state-dir", state)
    assert after.returncode == 3
    assert f"localnlb is not running for {state}" in after.stdout
    assert "components (not running; last known state)" in after.stdout


def test_down_purge_deletes_only_a_state_dir_localnlb_made(tmp_path: Path) -> None:
    foreign = tmp_path / "not-a-state-dir"
    foreign.mkdir()
    (foreign / "precious").write_text("keep me\n")
    refused = localnlb("down", "--state-dir", str(foreign), "--purge")
    assert refused.returncode == 1
    assert "not purging" in refused.stderr
    assert (foreign / "precious").exists()

    state = tmp_path / "state"
    RunDir(state).prepare()  # as every start does: the state dir is marked as localnlb's
    (state / "env").write_text("export AWS_REGION=us-west-2\n")
    purged = localnlb("down", "--state-dir", str(state), "--purge")
    assert purged.returncode == 0, purged.stderr
    assert not state.exists()


def test_down_removes_only_its_own_block_from_the_hosts_file(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    hosts = tmp_path / "hosts"
    hosts.write_text(
        "127.0.0.1 localhost\n"
        f"# BEGIN localnlb {state}\n"
        "127.42.0.1 k8s-ui-uinlb-e1c1ebaeb4-28a0d1a388d43825.elb.us-west-2.amazonaws.com\n"
        f"# END localnlb {state}\n"
        "# BEGIN localnlb /elsewhere\n127.43.0.1 other.elb.us-west-2.amazonaws.com\n"
        "# END localnlb /elsewhere\n"
    )
    done = localnlb("down", "--state-dir", str(state), "--hosts-file", str(hosts))
    assert done.returncode == 0, done.stderr
    assert hosts.read_text() == (
        "127.0.0.1 localhost\n"
        "# BEGIN localnlb /elsewhere\n127.43.0.1 other.elb.us-west-2.amazonaws.com\n"
        "# END localnlb /elsewhere\n"
    )
