"""Lifecycle hooks with real processes: preStop inside the grace period, postStart failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.component.cluster.kubelet.conftest import (
    Kubelet,
    context_for,
    logged,
    make_pod,
    pid_gone,
    pod_ip,
    removal_seconds,
    until,
)


@pytest.mark.timeout(20)
async def test_pre_stop_runs_before_sigterm_and_within_the_grace_period(
    kubelet: Kubelet, tmp_path: Path
) -> None:
    journal = tmp_path / "journal"
    pod = make_pod(
        "drains",
        [
            {
                "name": "c",
                "image": "busybox",
                "command": [
                    "sh",
                    "-c",
                    f"trap 'echo sigterm >> {journal}; exit 0' TERM; "
                    "echo up; while :; do sleep 0.05; done",
                ],
                "lifecycle": {
                    "preStop": {
                        "exec": {"command": ["sh", "-c", f"sleep 0.5; echo prestop >> {journal}"]}
                    }
                },
            }
        ],
        terminationGracePeriodSeconds=5,
    )
    uid = pod["metadata"]["uid"]
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    await logged(kubelet, pod, "up", what="running")
    pid = worker.processes["c"].pid
    took = await removal_seconds(kubelet, uid)
    assert journal.read_text() == "prestop\nsigterm\n"  # the hook first, then the signal
    assert 0.5 <= took < 4  # the hook's half second, well inside the 5 s grace
    assert pid_gone(pid)
    assert kubelet.sink.container(uid)["state"]["terminated"]["exitCode"] == 0


@pytest.mark.timeout(20)
async def test_pre_stop_sleep_action_delays_the_signal(kubelet: Kubelet) -> None:
    pod = make_pod(
        "sleeper",
        [
            {
                "name": "c",
                "image": "busybox",
                "command": ["sleep", "300"],
                "lifecycle": {"preStop": {"sleep": {"seconds": 1}}},
            }
        ],
        terminationGracePeriodSeconds=10,
    )
    uid = pod["metadata"]["uid"]
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    await until(lambda: "c" in worker.processes, what="started")
    assert 1.0 <= await removal_seconds(kubelet, uid) < 4
    assert kubelet.sink.container(uid)["state"]["terminated"]["exitCode"] == 143


@pytest.mark.timeout(20)
async def test_a_failing_post_start_hook_kills_the_container(kubelet: Kubelet) -> None:
    pod = make_pod(
        "poststart",
        [
            {
                "name": "c",
                "image": "busybox",
                "command": ["sleep", "300"],
                "lifecycle": {
                    "postStart": {"exec": {"command": ["sh", "-c", "echo nope; exit 1"]}}
                },
            }
        ],
    )
    uid = pod["metadata"]["uid"]
    await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    await until(lambda: kubelet.sink.container(uid).get("restartCount", 0) >= 1, what="restarted")
    failures = [r for r in kubelet.events.recorded if r[3] == "FailedPostStartHook"]
    assert failures
    assert failures[0][4].startswith(
        "Exec lifecycle hook ([sh -c echo nope; exit 1]) for Container "
        '"c" in Pod "poststart_default('
    )
    assert 'message: "nope\n"' in failures[0][4]
