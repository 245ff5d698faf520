"""Pid records, the state-dir lock, announcements and process identity on this machine."""

from __future__ import annotations

import json
import os
from pathlib import Path

from localnlb.common.supervisor import announce_ready
from localnlb.common.supervisor.announce import READY_FILE_VARIABLE
from localnlb.common.supervisor.processes import LinuxProcessTable, ProcessIdentity, identity_of
from localnlb.common.supervisor.runfiles import (
    MARKER,
    RunDir,
    SupervisorLock,
    component_pid_files,
    is_supervisor_running,
    read_pid,
    tail,
    write_pid,
)


def test_pid_records_round_trip_and_garbage_reads_as_none(tmp_path: Path) -> None:
    run_dir = RunDir(tmp_path)
    run_dir.prepare()
    identity = ProcessIdentity(pid=4242, start_ticks=987654)
    write_pid(run_dir.pid_file("elbv2"), identity)
    assert run_dir.pid_file("elbv2").read_text().splitlines()[0] == "4242"
    assert read_pid(run_dir.pid_file("elbv2")) == identity
    run_dir.pid_file("broken").write_text("not a pid\n")
    assert read_pid(run_dir.pid_file("broken")) is None
    assert read_pid(run_dir.pid_file("missing")) is None
    write_pid(run_dir.pid_file("supervisor"), identity)
    assert [p.stem for p in component_pid_files(run_dir)] == ["broken", "elbv2"]
    assert (tmp_path / MARKER).exists()


def test_the_lock_admits_one_supervisor_and_is_free_again_after(tmp_path: Path) -> None:
    run_dir = RunDir(tmp_path)
    run_dir.prepare()
    assert not is_supervisor_running(run_dir)
    first, second = SupervisorLock(run_dir), SupervisorLock(run_dir)
    assert first.acquire()
    assert is_supervisor_running(run_dir)
    assert not second.acquire()
    first.release()
    assert not is_supervisor_running(run_dir)
    assert second.acquire()
    second.release()


def test_a_component_announces_only_under_a_supervisor(tmp_path: Path) -> None:
    assert announce_ready({"http": "http://127.0.0.1:1"}, environ={}) is None
    ready = tmp_path / "web.ready"
    written = announce_ready(
        {"http": "http://127.0.0.1:1"}, environ={READY_FILE_VARIABLE: str(ready)}
    )
    assert written == ready
    assert json.loads(ready.read_text()) == {
        "pid": os.getpid(),
        "endpoints": {"http": "http://127.0.0.1:1"},
    }


def test_process_identity_tells_our_process_from_a_recycled_pid() -> None:
    table = LinuxProcessTable()
    me = identity_of(os.getpid())
    assert table.is_running(me)
    assert not table.pid_reused(me)
    impostor = ProcessIdentity(pid=me.pid, start_ticks=me.start_ticks + 1)
    assert not table.is_running(impostor)
    assert table.pid_reused(impostor)
    assert table.group_has_members(os.getpgid(0))


def test_tail_of_a_log(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {i}\n" for i in range(30)))
    assert tail(log, 3) == "line 27\nline 28\nline 29"
    assert tail(tmp_path / "missing.log") == ""
