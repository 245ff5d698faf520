"""Init containers run in order, each to success, before the pod's containers."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.kubelet.logs import container_log_path
from tests.component.cluster.kubelet.conftest import Kubelet, context_for, make_pod, pod_ip, until


def shell(name: str, script: str) -> dict[str, Any]:
    return {"name": name, "image": "busybox", "command": ["sh", "-c", script]}


@pytest.mark.timeout(20)
async def test_init_containers_run_in_order_before_the_app(kubelet: Kubelet) -> None:
    pod = make_pod(
        "with-init",
        [shell("app", "cat steps; exec sleep 300")],
        initContainers=[shell("first", "echo one > steps"), shell("second", "echo two >> steps")],
    )
    uid = pod["metadata"]["uid"]
    await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    await until(
        lambda: "running" in kubelet.sink.container(uid, "app").get("state", {}), what="app"
    )
    log = container_log_path(kubelet.log_root, pod, "app")
    await until(lambda: log.read_text() == "one\ntwo\n", what="app saw both init steps")
    latest = kubelet.sink.latest(uid)
    assert latest is not None
    assert latest["phase"] == "Running"
    assert [s["state"]["terminated"]["reason"] for s in latest["initContainerStatuses"]] == [
        "Completed",
        "Completed",
    ]
    assert {c["type"]: c["status"] for c in latest["conditions"]}["Initialized"] == "True"
    # while they ran, the app container waited, as kubectl shows "Init:0/2", "PodInitializing"
    first = kubelet.sink.reports[uid][0]
    assert first["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert first["phase"] == "Pending"


@pytest.mark.timeout(20)
async def test_a_failing_init_container_fails_a_never_restart_pod(kubelet: Kubelet) -> None:
    pod = make_pod(
        "init-fails",
        [shell("app", "echo should-not-run")],
        initContainers=[shell("check", "exit 7")],
        restartPolicy="Never",
    )
    uid = pod["metadata"]["uid"]
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    await until(lambda: (kubelet.sink.latest(uid) or {}).get("phase") == "Failed", what="Failed")
    init = kubelet.sink.latest(uid)["initContainerStatuses"][0]  # type: ignore[index]
    assert init["state"]["terminated"]["exitCode"] == 7
    assert not container_log_path(kubelet.log_root, pod, "app").exists()
    assert worker.processes == {}


@pytest.mark.timeout(20)
async def test_a_failing_init_container_is_retried_with_back_off(kubelet: Kubelet) -> None:
    pod = make_pod(
        "init-loop", [shell("app", "sleep 300")], initContainers=[shell("check", "exit 1")]
    )
    uid = pod["metadata"]["uid"]
    await kubelet.core.sync_pod(pod, context_for(pod_ip()))

    def init_backing_off() -> bool:
        latest = kubelet.sink.latest(uid) or {}
        statuses = latest.get("initContainerStatuses") or [{}]
        waiting = statuses[0].get("state", {}).get("waiting", {})
        return bool(
            waiting.get("reason") == "CrashLoopBackOff" and statuses[0]["restartCount"] >= 1
        )

    await until(init_backing_off, what="Init:CrashLoopBackOff")
    latest = kubelet.sink.latest(uid)
    assert latest is not None
    assert latest["phase"] == "Pending"
    assert latest["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}


@pytest.mark.timeout(20)
async def test_a_sidecar_starts_first_and_keeps_running_beside_the_app(kubelet: Kubelet) -> None:
    sidecar = {
        **shell("proxy", "echo side > side.txt; exec sleep 300"),
        "restartPolicy": "Always",
        "startupProbe": {"exec": {"command": ["test", "-f", "side.txt"]}, "periodSeconds": 1},
    }
    pod = make_pod(
        "sidecar", [shell("app", "cat side.txt; exec sleep 300")], initContainers=[sidecar]
    )
    uid = pod["metadata"]["uid"]
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    log = container_log_path(kubelet.log_root, pod, "app")
    await until(lambda: log.exists() and log.read_text() == "side\n", what="app after sidecar")

    def conditions() -> dict[str, str]:
        latest = kubelet.sink.latest(uid) or {"conditions": []}
        return {c["type"]: c["status"] for c in latest["conditions"]}

    await until(lambda: conditions().get("ContainersReady") == "True", what="all ready")
    assert conditions()["Initialized"] == "True"
    assert set(worker.processes) == {"proxy", "app"}
    assert "running" in kubelet.sink.latest(uid)["initContainerStatuses"][0]["state"]  # type: ignore[index]
