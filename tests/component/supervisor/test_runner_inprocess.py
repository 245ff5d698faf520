"""The supervisor loop run inside the test's own event loop."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal

import pytest

from localnlb.common.supervisor import RunDir, read_status
from localnlb.common.supervisor.component import RunningComponent
from localnlb.common.supervisor.processes import LinuxProcessTable, identity_of
from localnlb.common.supervisor.runner import EXIT_START_FAILED, EXIT_STOPPED, Supervisor
from tests.component.supervisor.conftest import sample
from tests.helpers.waiting import async_wait_until

pytestmark = pytest.mark.timeout(30)


async def test_a_bug_in_the_supervisor_fails_loudly_instead_of_leaving_a_component_unwatched(
    run_dir: RunDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_spawn(self: RunningComponent, run_dir: RunDir) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(RunningComponent, "spawn", broken_spawn)
    run_dir.prepare()

    code = await Supervisor(run_dir, [sample("web")]).run()

    assert code == EXIT_START_FAILED
    status = read_status(run_dir)
    assert status is not None
    assert status.phase == "failed"
    assert status.error == "supervisor error: RuntimeError('a bug')"


async def test_components_are_stopped_even_when_the_state_dir_was_deleted(
    run_dir: RunDir,
) -> None:
    run_dir.prepare()
    supervisor = Supervisor(run_dir, [sample("web")])
    running = asyncio.create_task(supervisor.run())

    async def supervising() -> bool:
        assert not running.done()
        return supervisor.phase == "running"

    await async_wait_until(supervising, timeout=30, what="the supervisor to run")
    status = read_status(run_dir)
    assert status is not None
    web_pid = status.components[0].pid
    assert web_pid is not None
    web = identity_of(web_pid)
    shutil.rmtree(run_dir.state_dir)  # from here on, no pid file can help clean up
    try:
        supervisor.request_stop()

        assert await asyncio.wait_for(running, timeout=20) == EXIT_STOPPED
        assert not LinuxProcessTable().is_running(web)
    finally:
        if LinuxProcessTable().is_running(web):
            os.killpg(web.pid, signal.SIGKILL)
