"""Pod volumes as the containers see them: configMap and secret files at their mountPaths, kept
in step with their sources, refused until they exist, and gone with the pod."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from localnlb.cluster.kubelet.core import KubeletCore
from localnlb.cluster.kubelet.logs import container_log_path
from localnlb.cluster.kubelet.runner import ProcessRunner
from localnlb.cluster.kubelet.volume_files import pod_volumes_root
from localnlb.cluster.kubelet.worker import KubeletConfig
from tests.component.cluster.kubelet.conftest import (
    TEST_SETTINGS,
    Kubelet,
    RecordingEvents,
    RecordingSink,
    context_for,
    make_pod,
    pod_ip,
    until,
)

AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.47"


@pytest.fixture(params=["namespaces", "path-map"])
async def any_kubelet(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Kubelet]:
    """As root each container gets its own mounts; the other run is what a non-root user gets."""
    namespaces = request.param == "namespaces"
    if namespaces and os.geteuid() != 0:
        pytest.skip("mount namespaces need root")
    sink, events = RecordingSink(), RecordingEvents()
    core = KubeletCore(
        config=KubeletConfig(log_root=tmp_path / "pods", settings=TEST_SETTINGS),
        sink=sink,
        events=events,
        runner=ProcessRunner(mount_namespaces=namespaces),
    )
    try:
        yield Kubelet(core, sink, events, tmp_path / "pods")
    finally:
        await core.stop(grace=1.0)


def reading_pod(name: str) -> dict[str, Any]:
    return make_pod(
        name,
        [
            {
                "name": "config",
                "image": AGNHOST,
                "args": [
                    "mounttest",
                    "--file_content_in_loop=/etc/config/greeting",
                    "--retry_time=60",
                ],
                "volumeMounts": [{"name": "config", "mountPath": "/etc/config"}],
            },
            {
                "name": "secret",
                "image": AGNHOST,
                "command": ["/agnhost"],
                "args": [
                    "mounttest",
                    "--file_content=/etc/secret-volume/password",
                    "--file_mode=/etc/secret-volume/password",
                ],
                "volumeMounts": [{"name": "creds", "mountPath": "/etc/secret-volume"}],
            },
        ],
        restartPolicy="Never",
        volumes=[
            {"name": "config", "configMap": {"name": "greetings"}},
            {"name": "creds", "secret": {"secretName": "db", "defaultMode": 0o400}},
        ],
    )


def log_of(kubelet: Kubelet, pod: dict[str, Any], container: str) -> str:
    path = container_log_path(kubelet.log_root, pod, container)
    return path.read_text() if path.exists() else ""


@pytest.mark.timeout(60)
async def test_configmap_and_secret_are_read_at_their_mount_paths_and_follow_updates(
    any_kubelet: Kubelet,
) -> None:
    kubelet = any_kubelet
    pod = reading_pod("reader")
    uid = pod["metadata"]["uid"]
    ip = pod_ip()

    def context(greeting: bytes) -> Any:
        return context_for(
            ip,
            config_map_files={"greetings": {"greeting": greeting}},
            secret_files={"db": {"password": b"s3cret"}},
        )

    await kubelet.core.sync_pod(pod, context(b"hello"))
    await until(
        lambda: 'content of file "/etc/config/greeting": hello' in log_of(kubelet, pod, "config"),
        what="the configMap's file at its mountPath",
    )
    await until(lambda: log_of(kubelet, pod, "secret"), what="the secret reader's output")
    assert log_of(kubelet, pod, "secret").splitlines() == [
        'content of file "/etc/secret-volume/password": s3cret',
        'mode of file "/etc/secret-volume/password": -r--------',
    ]

    await kubelet.core.sync_pod(pod, context(b"updated"))  # the ConfigMap changed
    await until(
        lambda: 'content of file "/etc/config/greeting": updated' in log_of(kubelet, pod, "config"),
        what="the update reaching the mounted file",
    )

    volumes = pod_volumes_root(kubelet.log_root, uid)
    assert (volumes / "config" / "greeting").read_bytes() == b"updated"
    await kubelet.core.remove_pod(uid, grace=1.0)
    assert not volumes.parent.exists()


@pytest.mark.timeout(30)
async def test_a_missing_configmap_is_failed_mount_until_it_exists(kubelet: Kubelet) -> None:
    pod = reading_pod("waits")
    uid = pod["metadata"]["uid"]
    ip = pod_ip()
    only_secret = context_for(ip, secret_files={"db": {"password": b"x"}})
    await kubelet.core.sync_pod(pod, only_secret)
    await until(lambda: "FailedMount" in kubelet.events.reasons("waits"), what="FailedMount")
    failed = [m for _, _, _, r, m in kubelet.events.recorded if r == "FailedMount"]
    assert failed == [
        'MountVolume.SetUp failed for volume "config" : configmap "greetings" not found'
    ]
    waiting = kubelet.sink.container(uid, "config").get("state", {}).get("waiting", {})
    assert waiting.get("reason") == "ContainerCreating"
    assert not container_log_path(kubelet.log_root, pod, "config").exists()

    both = context_for(
        ip,
        config_map_files={"greetings": {"greeting": b"at last"}},
        secret_files={"db": {"password": b"x"}},
    )
    await kubelet.core.sync_pod(pod, both)
    await until(
        lambda: "at last" in log_of(kubelet, pod, "config"), what="the pod started once mounted"
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="a tmpfs needs root")
@pytest.mark.timeout(30)
async def test_a_memory_empty_dir_is_a_tmpfs_both_containers_share_and_goes_with_the_pod(
    kubelet: Kubelet,
) -> None:
    writes = "echo shared > /cache/note; grep -w /cache /proc/self/mounts; exec sleep 60"
    pod = make_pod(
        "memory",
        [
            {
                "name": "writer",
                "image": "busybox",
                "command": ["sh", "-c", writes],
                "volumeMounts": [{"name": "cache", "mountPath": "/cache"}],
            },
            {
                "name": "reader",
                "image": "busybox",
                "command": ["sh", "-c", "until cat /data/note; do sleep 0.1; done; exec sleep 60"],
                "volumeMounts": [{"name": "cache", "mountPath": "/data"}],
            },
        ],
        volumes=[{"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "8Mi"}}],
    )
    uid = pod["metadata"]["uid"]
    await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    await until(lambda: "shared" in log_of(kubelet, pod, "reader"), what="the reader sees it")
    mounted = log_of(kubelet, pod, "writer").split()
    assert mounted[:3] == ["tmpfs", "/cache", "tmpfs"]
    assert "size=8192k" in mounted[3]
    volume = pod_volumes_root(kubelet.log_root, uid) / "cache"
    assert str(volume) in Path("/proc/self/mountinfo").read_text()  # the kubelet's own mount
    await kubelet.core.remove_pod(uid, grace=1.0)
    assert str(volume) not in Path("/proc/self/mountinfo").read_text()
    assert not volume.exists()
