"""Status reporting survives an API that is away for a moment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localnlb.cluster.kubelet.core import KubeletCore
from localnlb.cluster.kubelet.worker import KubeletConfig
from tests.component.cluster.kubelet.conftest import (
    TEST_SETTINGS,
    context_for,
    make_pod,
    pod_ip,
    until,
)


class FlakySink:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[dict[str, Any]] = []

    async def report(self, pod_uid: str, status: dict[str, Any]) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionRefusedError("API server is restarting")
        self.delivered.append(status)


@pytest.mark.timeout(20)
async def test_a_failed_report_is_retried_even_if_nothing_changes(tmp_path: Path) -> None:
    sink = FlakySink(failures=1)
    core = KubeletCore(config=KubeletConfig(log_root=tmp_path, settings=TEST_SETTINGS), sink=sink)
    # Never-restarting command that completes at once: after that, nothing changes any more.
    pod = make_pod(
        "once", [{"name": "c", "image": "busybox", "command": ["true"]}], restartPolicy="Never"
    )
    try:
        await core.sync_pod(pod, context_for(pod_ip()))
        final = await until(
            lambda: (
                sink.delivered and sink.delivered[-1]["phase"] == "Succeeded" and sink.delivered[-1]
            ),
            what="the final status delivered",
        )
        assert final["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
        assert sink.failures == 0
    finally:
        await core.stop(grace=1.0)
