"""The supervisor loop run inside the test's own event loop."""

from __future__ import annotations

import pytest

from localnlb.common.supervisor import RunDir, read_status
from localnlb.common.supervisor.component import RunningComponent
from localnlb.common.supervisor.runner import EXIT_START_FAILED, Supervisor
from tests.component.supervisor.conftest import sample

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
