"""Stopping pods: graceful termination, the grace period, and no process left behind."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.component.cluster.kubelet.conftest import (
    Kubelet,
    context_for,
    group_members,
    logged,
    make_pod,
    pid_gone,
    pod_ip,
    removal_seconds,
    until,
)

IGNORES_SIGTERM = "trap '' TERM; echo started; while :; do sleep 0.05; done"


@pytest.mark.timeout(30)
async def test_a_process_ignoring_sigterm_is_killed_after_the_grace_period(
    kubelet: Kubelet,
) -> None:
    pod = make_pod(
        "stubborn",
        [{"name": "c", "image": "busybox", "command": ["sh", "-c", IGNORES_SIGTERM]}],
        terminationGracePeriodSeconds=1,
    )
    uid = pod["metadata"]["uid"]
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    await logged(kubelet, pod, "started", what="trap installed")
    pid = worker.processes["c"].pid

    took = await removal_seconds(kubelet, uid)

    assert 1.0 <= took < 3.0  # waited the grace period, then SIGKILL
    assert pid_gone(pid)
    assert group_members(pid) == []
    final = kubelet.sink.container(uid)
    assert final["state"]["terminated"]["exitCode"] == 137
    assert final["state"]["terminated"]["reason"] == "Error"


@pytest.mark.timeout(30)
async def test_a_cooperative_process_stops_on_sigterm_without_waiting_the_grace(
    kubelet: Kubelet,
) -> None:
    pod = make_pod(
        "polite",
        [{"name": "c", "image": "busybox", "command": ["sh", "-c", "echo up; exec sleep 300"]}],
        terminationGracePeriodSeconds=30,
    )
    uid = pod["metadata"]["uid"]
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    await until(lambda: "c" in worker.processes, what="started")
    assert await removal_seconds(kubelet, uid) < 5
    final = kubelet.sink.container(uid)
    assert final["state"]["terminated"]["exitCode"] == 143  # 128 + SIGTERM
    assert kubelet.sink.latest(uid)["phase"] == "Failed"  # type: ignore[index]


@pytest.mark.timeout(30)
async def test_children_of_a_container_do_not_outlive_it(kubelet: Kubelet) -> None:
    pod = make_pod(
        "forker",
        [
            {
                "name": "c",
                "image": "busybox",
                "command": ["sh", "-c", "trap '' TERM; sleep 300 & sleep 300 & echo forked; wait"],
            }
        ],
        terminationGracePeriodSeconds=1,
    )
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    await logged(kubelet, pod, "forked", what="children started")
    pgid = worker.processes["c"].pid
    members = await until(lambda: len(m := group_members(pgid)) >= 3 and m, what="3 processes")
    await kubelet.core.stop()
    assert all(pid_gone(pid) for pid in members)
    assert group_members(pgid) == []


@pytest.mark.timeout(30)
async def test_a_pod_being_deleted_stops_with_its_deletion_grace(kubelet: Kubelet) -> None:
    pod = make_pod(
        "deleted",
        [{"name": "c", "image": "busybox", "command": ["sh", "-c", IGNORES_SIGTERM]}],
        terminationGracePeriodSeconds=30,
    )
    uid = pod["metadata"]["uid"]
    ip = pod_ip()
    worker = await kubelet.core.sync_pod(pod, context_for(ip))
    await logged(kubelet, pod, "started", what="trap installed")
    pid = worker.processes["c"].pid
    deleting = {
        **pod,
        "metadata": {
            **pod["metadata"],
            "deletionTimestamp": "2026-11-26T10:00:00Z",
            "deletionGracePeriodSeconds": 0,
        },
    }
    began = time.monotonic()
    await kubelet.core.sync_pod(deleting, context_for(ip))
    await kubelet.core.wait_stopped(uid)
    assert time.monotonic() - began < 2  # grace 0 from the deletion, not the spec's 30
    assert pid_gone(pid)
    assert kubelet.sink.latest(uid)["phase"] == "Failed"  # type: ignore[index]
    assert kubelet.sink.container(uid)["state"]["terminated"]["exitCode"] == 137


@pytest.mark.timeout(30)
async def test_exec_readiness_probe_and_readiness_gate(kubelet: Kubelet, tmp_path: Path) -> None:
    flag = tmp_path / "ready"
    gate = "target-health.elbv2.k8s.aws/k8s-default-web-0123456789"
    pod = make_pod(
        "gated",
        [
            {
                "name": "c",
                "image": "busybox",
                "command": ["sleep", "300"],
                "readinessProbe": {
                    "exec": {"command": ["test", "-f", str(flag)]},
                    "periodSeconds": 1,
                },
            }
        ],
        readinessGates=[{"conditionType": gate}],
    )
    uid = pod["metadata"]["uid"]
    ip = pod_ip()
    await kubelet.core.sync_pod(pod, context_for(ip))

    def conditions() -> dict[str, dict[str, str]]:
        latest = kubelet.sink.latest(uid) or {"conditions": []}
        return {c["type"]: c for c in latest["conditions"]}

    await until(lambda: "running" in kubelet.sink.container(uid).get("state", {}), what="running")
    assert conditions()["ContainersReady"]["status"] == "False"
    flag.touch()
    await until(lambda: conditions()["ContainersReady"]["status"] == "True", what="exec probe ok")
    assert conditions()["Ready"]["reason"] == "ReadinessGatesNotReady"
    # the load balancer controller sets the gate's condition; the kubelet then reports Ready
    with_gate = {
        **pod,
        "status": {
            "conditions": [
                {
                    "type": gate,
                    "status": "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": "2026-11-26T10:00:00Z",
                }
            ]
        },
    }
    await kubelet.core.sync_pod(with_gate, context_for(ip))
    await until(lambda: conditions()["Ready"]["status"] == "True", what="Ready with the gate")
    assert gate not in conditions()  # the status writer keeps it from the stored pod
