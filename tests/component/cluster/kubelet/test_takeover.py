"""A kubelet taking over pods that already have a history (localnlb restarted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.component.cluster.kubelet.conftest import Kubelet, context_for, make_pod, pod_ip, until


@pytest.mark.timeout(20)
async def test_a_pod_that_completed_is_not_run_again(kubelet: Kubelet, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    pod = make_pod(
        "done",
        [{"name": "c", "image": "busybox", "command": ["touch", str(marker)]}],
        restartPolicy="Never",
    )
    pod["status"] = {"phase": "Succeeded"}
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    assert worker.processes == {}
    assert worker.status is None  # nothing to report: the stored status stands
    assert not marker.exists()
    await kubelet.core.remove_pod(pod["metadata"]["uid"])
    assert worker.status is None  # not even when it goes


@pytest.mark.timeout(20)
async def test_a_pod_first_seen_while_terminating_is_never_started(
    kubelet: Kubelet, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    pod = make_pod("going", [{"name": "c", "image": "busybox", "command": ["touch", str(marker)]}])
    pod["metadata"]["deletionTimestamp"] = "2026-11-26T10:00:00Z"
    uid = pod["metadata"]["uid"]
    await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    await kubelet.core.wait_stopped(uid)
    assert not marker.exists()
    assert kubelet.sink.latest(uid) is None  # nothing ran here: nothing to report


@pytest.mark.timeout(20)
async def test_restart_count_carries_on_from_the_stored_status(kubelet: Kubelet) -> None:
    pod = make_pod("again", [{"name": "c", "image": "busybox", "command": ["sleep", "300"]}])
    pod["status"] = {
        "phase": "Running",
        "containerStatuses": [{"name": "c", "restartCount": 2, "containerID": "containerd://x"}],
    }
    uid = pod["metadata"]["uid"]
    await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    status = await until(
        lambda: "running" in (s := kubelet.sink.container(uid)).get("state", {}) and s,
        what="running",
    )
    assert status["restartCount"] == 3
