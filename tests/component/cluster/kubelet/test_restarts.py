"""Restarts with real processes: liveness kills, crash loops, failed pulls, missing config."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.kubelet.logs import container_log_path
from tests.component.cluster.kubelet.conftest import Kubelet, context_for, make_pod, pod_ip, until

AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.47"


def netexec(**probes: Any) -> dict[str, Any]:
    return {
        "name": "app",
        "image": AGNHOST,
        "args": ["netexec", "--http-port=8080", "--udp-port=-1"],
        **probes,
    }


@pytest.mark.timeout(30)
async def test_failing_liveness_probe_restarts_the_container(kubelet: Kubelet) -> None:
    pod = make_pod(
        "liveness-fail",
        [
            netexec(
                livenessProbe={
                    "httpGet": {"path": "/no-such-page", "port": 8080},  # netexec answers 404
                    "initialDelaySeconds": 1,
                    "periodSeconds": 1,
                    "failureThreshold": 2,
                }
            )
        ],
    )
    uid = pod["metadata"]["uid"]
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    first_pid = await until(lambda: worker.processes.get("app") and worker.processes["app"].pid)
    await until(lambda: kubelet.sink.container(uid).get("restartCount", 0) >= 1, what="a restart")
    await until(lambda: "running" in kubelet.sink.container(uid)["state"], what="running again")
    status = kubelet.sink.container(uid)
    # killed with SIGTERM, which netexec handles by shutting down cleanly
    assert status["lastState"]["terminated"]["reason"] in ("Completed", "Error")
    assert worker.processes["app"].pid != first_pid
    log = container_log_path(kubelet.log_root, pod, "app", previous=True).read_text()
    assert log.count("GET /no-such-page") >= 2  # failureThreshold probes were really made
    reasons = kubelet.events.reasons("liveness-fail")
    assert reasons[:3] == ["Pulled", "Created", "Started"]
    assert (
        "liveness-fail",
        "app",
        "Warning",
        "Unhealthy",
        "Liveness probe failed: HTTP probe failed with statuscode: 404",
    ) in kubelet.events.recorded
    assert (
        "liveness-fail",
        "app",
        "Normal",
        "Killing",
        "Container app failed liveness probe, will be restarted",
    ) in kubelet.events.recorded


@pytest.mark.timeout(30)
async def test_passing_liveness_probe_does_not_restart(kubelet: Kubelet) -> None:
    pod = make_pod(
        "liveness-ok",
        [
            netexec(
                livenessProbe={
                    "httpGet": {"path": "/healthz", "port": 8080},
                    "periodSeconds": 1,
                    "failureThreshold": 1,
                    "initialDelaySeconds": 1,
                }
            )
        ],
    )
    uid = pod["metadata"]["uid"]
    await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    log = container_log_path(kubelet.log_root, pod, "app")
    await until(
        lambda: log.exists() and log.read_text().count("GET /healthz") >= 3, what="3 probes"
    )
    assert kubelet.sink.container(uid)["restartCount"] == 0


@pytest.mark.timeout(30)
async def test_crashing_command_goes_into_crash_loop_back_off(kubelet: Kubelet) -> None:
    pod = make_pod(
        "crasher",
        [
            {
                "name": "c",
                "image": "busybox:1.36",
                "command": ["sh", "-c", "echo boom-$HOSTNAME; exit 3"],
            }
        ],
    )
    uid = pod["metadata"]["uid"]
    await kubelet.core.sync_pod(pod, context_for(pod_ip()))

    def backing_off_at_400ms() -> dict[str, Any] | None:
        status = kubelet.sink.container(uid)
        waiting = status.get("state", {}).get("waiting", {})
        return status if waiting.get("message", "").startswith("back-off 400ms") else None

    status = await until(backing_off_at_400ms, what="third crash: back-off 400ms")
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["state"]["waiting"]["message"] == (
        f"back-off 400ms restarting failed container=c pod=crasher_default({uid})"
    )
    assert status["restartCount"] == 2
    assert status["lastState"]["terminated"]["exitCode"] == 3
    assert status["lastState"]["terminated"]["reason"] == "Error"
    assert kubelet.sink.latest(uid)["phase"] == "Running"  # type: ignore[index]
    reasons = [
        s["containerStatuses"][0]["state"].get("waiting", {}).get("reason")
        for s in kubelet.sink.reports[uid]
    ]
    assert "CrashLoopBackOff" in reasons
    assert "boom-crasher" in container_log_path(kubelet.log_root, pod, "c").read_text()
    assert (
        "boom-crasher" in container_log_path(kubelet.log_root, pod, "c", previous=True).read_text()
    )


@pytest.mark.timeout(30)
async def test_command_not_found_is_a_start_error(kubelet: Kubelet) -> None:
    pod = make_pod("noexec", [{"name": "c", "image": "busybox", "command": ["no-such-binary-xyz"]}])
    uid = pod["metadata"]["uid"]
    await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    status = await until(
        lambda: (s := kubelet.sink.container(uid)).get("lastState", {}).get("terminated") and s,
        what="StartError recorded",
    )
    terminated = status["lastState"]["terminated"]
    assert terminated["exitCode"] == 128
    assert terminated["reason"] == "StartError"
    assert 'exec: "no-such-binary-xyz": executable file not found in $PATH' in terminated["message"]


@pytest.mark.timeout(30)
async def test_unknown_image_err_image_pull_then_image_pull_back_off(kubelet: Kubelet) -> None:
    pod = make_pod("nginx", [{"name": "web", "image": "nginx:1.25"}])
    uid = pod["metadata"]["uid"]
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))

    def seen(reason: str) -> bool:
        return any(
            s["containerStatuses"][0]["state"].get("waiting", {}).get("reason") == reason
            for s in kubelet.sink.reports.get(uid, [])
        )

    await until(lambda: seen("ErrImagePull") and seen("ImagePullBackOff"), what="pull back-off")
    waiting = [s["containerStatuses"][0]["state"]["waiting"] for s in kubelet.sink.reports[uid]]
    pulled = next(w for w in waiting if w["reason"] == "ErrImagePull")
    assert pulled["message"].startswith(
        'Failed to pull image "nginx:1.25": rpc error: code = NotFound desc = failed to pull and '
        'unpack image "docker.io/library/nginx:1.25"'
    )
    assert "localnlb runs built-in images only" in pulled["message"]
    backoff = next(w for w in waiting if w["reason"] == "ImagePullBackOff")
    assert backoff["message"] == 'Back-off pulling image "nginx:1.25"'
    assert kubelet.sink.latest(uid)["phase"] == "Pending"  # type: ignore[index]
    assert worker.processes == {}


@pytest.mark.timeout(30)
async def test_missing_configmap_is_create_container_config_error_until_it_exists(
    kubelet: Kubelet,
) -> None:
    pod = make_pod(
        "needs-cm",
        [
            {
                "name": "c",
                "image": "busybox",
                "command": ["sh", "-c", "echo $GREETING; exec sleep 60"],
                "envFrom": [{"configMapRef": {"name": "greetings"}}],
            }
        ],
    )
    uid = pod["metadata"]["uid"]
    ip = pod_ip()
    await kubelet.core.sync_pod(pod, context_for(ip))
    await until(
        lambda: (
            kubelet.sink.container(uid).get("state", {}).get("waiting", {}).get("reason")
            == "CreateContainerConfigError"
        ),
        what="config error",
    )
    assert (
        kubelet.sink.container(uid)["state"]["waiting"]["message"]
        == 'configmap "greetings" not found'
    )
    await kubelet.core.sync_pod(
        pod, context_for(ip, config_maps={"greetings": {"GREETING": "hello"}})
    )
    await until(lambda: "running" in kubelet.sink.container(uid)["state"], what="started")
    log = container_log_path(kubelet.log_root, pod, "c")
    await until(lambda: log.read_text() == "hello\n", what="env reached the process")
    assert kubelet.sink.container(uid)["restartCount"] == 0


@pytest.mark.timeout(30)
async def test_changing_a_pods_image_restarts_its_container(kubelet: Kubelet) -> None:
    pod = make_pod("set-image", [netexec()])
    uid = pod["metadata"]["uid"]
    ip = pod_ip()
    worker = await kubelet.core.sync_pod(pod, context_for(ip))
    first_pid = await until(lambda: "app" in worker.processes and worker.processes["app"].pid)
    changed = {
        **pod,
        "spec": {**pod["spec"], "containers": [{**netexec(), "image": "localnlb/agnhost:2.0"}]},
    }
    await kubelet.core.sync_pod(changed, context_for(ip))
    status = await until(
        lambda: (
            (s := kubelet.sink.container(uid)).get("image") == "localnlb/agnhost:2.0"
            and "running" in s["state"]
            and s
        ),
        what="running the new image",
    )
    assert status["restartCount"] == 1
    assert worker.processes["app"].pid != first_pid
    assert (
        "set-image",
        "app",
        "Normal",
        "Killing",
        "Container app definition changed, will be restarted",
    ) in kubelet.events.recorded
