"""The supervisor with real processes: readiness, restarts, crash loops, and stopping everything."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import urllib.request
from pathlib import Path

import pytest

from localnlb.common import statedir
from localnlb.common.supervisor import (
    ComponentSpec,
    EnvEndpoint,
    Outcome,
    RunDir,
    SupervisorStatus,
    detach,
    read_status,
    stop_state_dir,
)
from localnlb.common.supervisor.processes import LinuxProcessTable, ProcessIdentity
from localnlb.common.supervisor.runfiles import SUPERVISOR, read_pid, write_pid
from tests.component.supervisor.conftest import live_pids, sample
from tests.helpers.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


def refuses(url: str) -> bool:
    try:
        get(url)
    except OSError:
        return True
    return False


def status_of(run_dir: RunDir) -> SupervisorStatus:
    status = read_status(run_dir)
    assert status is not None
    return status


def test_detach_returns_once_every_component_answers_and_down_leaves_nothing(
    run_dir: RunDir,
) -> None:
    result = detach(run_dir.state_dir, [sample("first"), sample("second")])
    assert result.outcome is Outcome.STARTED, result.error
    assert result.status is not None
    urls = [c.endpoints["http"] for c in result.status.components]
    assert [get(url).split()[0] for url in urls] == ["first", "second"]
    pids = live_pids(run_dir)
    assert len(pids) == 3  # supervisor and two components
    first_log = (run_dir.logs / "first.log").read_text()
    assert "sample component first" in first_log

    report = stop_state_dir(run_dir)

    assert report.supervisor_pid == result.status.pid
    assert report.orphans == ()
    assert live_pids(run_dir) == []
    assert not any(Path(f"/proc/{pid}").exists() and _not_zombie(pid) for pid in pids)
    assert all(refuses(url) for url in urls)
    assert "stopped cleanly" in (run_dir.logs / "second.log").read_text()


def test_components_start_in_order_each_after_the_previous_is_ready(run_dir: RunDir) -> None:
    result = detach(run_dir.state_dir, [sample("first"), sample("second")])
    assert result.outcome is Outcome.STARTED, result.error
    first_ready = _note_time(run_dir.logs / "first.log", "ready")
    second_started = _note_time(run_dir.logs / "second.log", "starting")
    assert first_ready <= second_started


def test_a_second_start_reports_the_running_one_and_starts_nothing(run_dir: RunDir) -> None:
    first = detach(run_dir.state_dir, [sample("only")])
    assert first.outcome is Outcome.STARTED, first.error
    before = live_pids(run_dir)

    second = detach(run_dir.state_dir, [sample("only")])

    assert second.outcome is Outcome.ALREADY_RUNNING
    assert second.status is not None
    assert first.status is not None
    assert second.status.pid == first.status.pid
    assert live_pids(run_dir) == before


def test_a_crashed_component_is_restarted_and_answers_again(run_dir: RunDir) -> None:
    result = detach(run_dir.state_dir, [sample("web")])
    assert result.outcome is Outcome.STARTED, result.error
    old = status_of(run_dir).components[0]
    assert old.pid is not None

    os.kill(old.pid, signal.SIGKILL)

    def restarted() -> SupervisorStatus | None:
        status = status_of(run_dir)
        web = status.components[0]
        return status if web.restarts == 1 and web.phase == "ready" else None

    new = wait_until(restarted, timeout=15, what="web restarted and ready").components[0]
    assert new.pid != old.pid
    assert get(new.endpoints["http"]).split() == ["web", str(new.pid)]
    assert "killed by signal 9; restarting in" in (run_dir.logs / "web.log").read_text()


def test_a_component_that_keeps_crashing_after_the_start_is_shown_crash_looping_then_recovers(
    run_dir: RunDir, tmp_path: Path
) -> None:
    crash_file = tmp_path / "crash"
    result = detach(run_dir.state_dir, [sample("web", "--crash-if-exists", str(crash_file))])
    assert result.outcome is Outcome.STARTED, result.error
    first_pid = status_of(run_dir).components[0].pid
    assert first_pid is not None
    crash_file.touch()
    os.kill(first_pid, signal.SIGKILL)

    def crash_looping() -> SupervisorStatus | None:
        status = status_of(run_dir)
        return status if status.components[0].phase == "crash-looping" else None

    web = wait_until(crash_looping, timeout=15, what="web crash-looping").components[0]
    assert web.consecutive_crashes == 3
    assert web.detail == "exited with code 1"
    assert status_of(run_dir).phase == "running"  # localnlb itself stays up meanwhile
    log = (run_dir.logs / "web.log").read_text()
    assert "exited with code 1; restarting in 1s (crash-looping)" in log

    crash_file.unlink()

    def recovered() -> SupervisorStatus | None:
        status = status_of(run_dir)
        return status if status.components[0].phase == "ready" else None

    web = wait_until(recovered, timeout=15, what="web ready again").components[0]
    assert web.restarts == 3
    assert get(web.endpoints["http"]).startswith("web ")


def test_a_component_that_keeps_crashing_fails_the_start_with_its_log_tail(
    run_dir: RunDir,
) -> None:
    result = detach(run_dir.state_dir, [sample("fine"), sample("broken", "--crash", "3")])
    assert result.outcome is Outcome.FAILED
    assert result.error is not None
    assert result.error.startswith("broken kept crashing (3 times in a row; exited with code 3)")
    assert result.log_path == run_dir.logs / "broken.log"
    assert "boom: crashing on purpose" in result.log_tail
    wait_until(lambda: live_pids(run_dir) == [], timeout=10, what="everything stopped")
    assert status_of(run_dir).phase == "failed"


def test_a_command_that_cannot_start_fails_the_start_and_says_why(run_dir: RunDir) -> None:
    missing = ComponentSpec(name="ghost", argv=("/nonexistent/localnlb-component",))
    result = detach(run_dir.state_dir, [missing], timeout=20)
    assert result.outcome is Outcome.FAILED
    assert result.error == (
        "ghost kept crashing (3 times in a row; "
        "cannot start /nonexistent/localnlb-component: No such file or directory)"
    )
    wait_until(lambda: live_pids(run_dir) == [], timeout=10, what="everything stopped")


def test_a_component_that_never_becomes_ready_fails_at_its_deadline(run_dir: RunDir) -> None:
    result = detach(run_dir.state_dir, [sample("mute", "--never-ready", ready_timeout=1.0)])
    assert result.outcome is Outcome.FAILED
    assert result.error == "mute not ready within 1s"
    assert "sample component mute" in result.log_tail
    wait_until(lambda: live_pids(run_dir) == [], timeout=10, what="everything stopped")


def test_readiness_through_the_env_file(run_dir: RunDir) -> None:
    variable = "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2"
    statedir.write_env(run_dir.state_dir, {variable: "http://127.0.0.1:9/stale"})
    spec = sample("api", "--env-variable", variable, readiness=EnvEndpoint(variable))
    result = detach(run_dir.state_dir, [spec])
    assert result.outcome is Outcome.STARTED, result.error
    url = statedir.read_env(run_dir.state_dir)[variable]
    assert url != "http://127.0.0.1:9/stale"
    assert result.status is not None
    assert result.status.components[0].endpoints == {variable: url}
    assert get(url).startswith("api ")


def test_down_stops_components_left_by_a_killed_supervisor(run_dir: RunDir, tmp_path: Path) -> None:
    child_pid_file = tmp_path / "grandchild.pid"
    result = detach(run_dir.state_dir, [sample("web", "--child-pid-file", str(child_pid_file))])
    assert result.outcome is Outcome.STARTED, result.error
    assert result.status is not None
    url = result.status.components[0].endpoints["http"]
    grandchild = int(child_pid_file.read_text())
    supervisor_pid = result.status.pid
    os.kill(supervisor_pid, signal.SIGKILL)
    wait_until(lambda: not _alive(supervisor_pid), timeout=5, what="supervisor gone")
    assert get(url).startswith("web ")  # orphaned, still serving

    report = stop_state_dir(run_dir)

    assert report.supervisor_pid is None
    assert report.orphans == ("web",)
    assert live_pids(run_dir) == []
    assert refuses(url)
    assert not _alive(grandchild)


def test_a_component_ignoring_sigterm_is_killed_after_its_grace(run_dir: RunDir) -> None:
    # It announces readiness only after it started ignoring SIGTERM, so the stop must escalate.
    result = detach(run_dir.state_dir, [sample("stubborn", "--ignore-term", stop_grace=0.5)])
    assert result.outcome is Outcome.STARTED, result.error

    stop_state_dir(run_dir)

    assert live_pids(run_dir) == []
    assert "stopped (killed by signal 9)" in (run_dir.logs / "stubborn.log").read_text()


def test_stale_pid_files_do_not_stop_a_new_start(run_dir: RunDir) -> None:
    run_dir.prepare()
    gone = ProcessIdentity(pid=os.getpid(), start_ticks=1)  # our pid, another start time
    write_pid(run_dir.pid_file(SUPERVISOR), gone)
    write_pid(run_dir.pid_file("web"), gone)
    result = detach(run_dir.state_dir, [sample("web")])
    assert result.outcome is Outcome.STARTED, result.error
    record = read_pid(run_dir.pid_file("web"))
    assert record is not None
    assert record != gone
    assert LinuxProcessTable().is_running(record)


def _note_time(log: Path, event: str) -> str:
    for line in log.read_text().splitlines():
        if line.startswith("--- localnlb supervisor") and f": {event}" in line:
            return line.split()[3]
    raise AssertionError(f"no '{event}' note in {log}")


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_two_starts_at_once_run_one_supervisor(run_dir: RunDir) -> None:
    run_dir.prepare()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: detach(run_dir.state_dir, [sample("web")]), range(2)))
    # Whichever supervisor took the state dir's lock first runs; the other start says so.
    assert sorted(r.outcome for r in results) == [Outcome.ALREADY_RUNNING, Outcome.STARTED]
    wait_until(lambda: status_of(run_dir).all_ready, timeout=15, what="web ready")
    assert len(live_pids(run_dir)) == 2  # one supervisor, one web
