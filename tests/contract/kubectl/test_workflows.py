"""Acceptance 3: kubectl scale, wait --for=condition, delete waiting on finalizers, get -w."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from typing import IO, cast

import pytest
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap, Pod

from tests.contract.kubectl.conftest import Cluster
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.timeout(90)


def _deployment() -> str:
    return json.dumps(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "ui", "namespace": "default"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "ui"}},
                "template": {
                    "metadata": {"labels": {"app": "ui"}},
                    "spec": {"containers": [{"name": "ui", "image": "ui:1"}]},
                },
            },
        }
    )


class LineReader:
    """Lines of a running process's stdout, read by a thread, taken with a deadline."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        stream = process.stdout
        assert stream is not None
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)

    def next(self, timeout: float) -> str:
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no output from kubectl in time") from None


def test_scale_and_wait_for_condition(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", "-", stdin=_deployment())
    scaled = cluster.kubectl("scale", "deployment/ui", "--replicas=3")
    assert scaled.stdout.strip() == "deployment.apps/ui scaled"
    deployment = cluster.client.get(Deployment, "ui", namespace="default")
    assert deployment.spec is not None
    assert deployment.spec.replicas == 3
    for index in range(2):
        cluster.kubectl("run", f"ui-{index}", "--image=ui:1", "--labels=app=ui")
    waiter = cluster.popen("wait", "--for=condition=Ready", "pod", "-l", "app=ui", "--timeout=30s")
    try:
        for index in range(2):
            cluster.client.patch(
                Pod.Status,
                f"ui-{index}",
                {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
                namespace="default",
            )
        out, err = waiter.communicate(timeout=30)
    finally:
        waiter.kill()
    assert waiter.returncode == 0, err
    assert sorted(out.splitlines()) == ["pod/ui-0 condition met", "pod/ui-1 condition met"]


def _deletion_timestamp(cluster: Cluster, name: str) -> object:
    metadata = cluster.client.get(ConfigMap, name, namespace="default").metadata
    return metadata.deletionTimestamp if metadata is not None else None


def test_delete_waits_for_finalizer(cluster: Cluster) -> None:
    cluster.client.create(
        cast(
            ConfigMap,
            ConfigMap.from_dict(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {
                        "name": "held",
                        "namespace": "default",
                        "finalizers": ["example.com/hold"],
                    },
                }
            ),
        )
    )
    rehearsal = cluster.kubectl("delete", "configmap", "held", "--dry-run=server")
    assert rehearsal.stdout.strip() == 'configmap "held" deleted (server dry run)'
    assert _deletion_timestamp(cluster, "held") is None
    deleting = cluster.popen("delete", "configmap", "held", "--timeout=30s")
    try:
        marked = wait_until(
            lambda: _deletion_timestamp(cluster, "held"), what="deletionTimestamp is set"
        )
        assert marked is not None
        assert deleting.poll() is None  # still waiting on the finalizer
        cluster.client.patch(
            ConfigMap, "held", {"metadata": {"finalizers": None}}, namespace="default"
        )
        out, err = deleting.communicate(timeout=20)
    finally:
        deleting.kill()
    assert deleting.returncode == 0, err
    assert out.strip() == 'configmap "held" deleted'
    missing = cluster.kubectl("get", "configmap", "held", check=False)
    assert missing.stderr.strip() == ('Error from server (NotFound): configmaps "held" not found')


def test_get_watch_prints_changes(cluster: Cluster) -> None:
    cluster.kubectl("run", "w-0", "--image=ui:1")
    watcher = cluster.popen("get", "pods", "-w")
    try:
        lines = LineReader(watcher)
        assert lines.next(10).split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        assert lines.next(10).split()[:3] == ["w-0", "0/1", "Pending"]
        started = time.monotonic()
        cluster.client.patch(
            Pod.Status, "w-0", {"status": {"phase": "Running"}}, namespace="default"
        )
        assert lines.next(10).split()[:3] == ["w-0", "0/1", "Running"]
        assert time.monotonic() - started < 5
    finally:
        watcher.kill()
        watcher.communicate()


def test_logs_from_the_kubelet_log_files(cluster: Cluster) -> None:
    cluster.kubectl("run", "logger", "--image=ui:1")
    waiting = cluster.kubectl("logs", "logger", check=False)
    assert waiting.returncode != 0
    assert waiting.stderr.strip() == (
        'Error from server (BadRequest): container "logger" in pod "logger" is waiting to'
        " start: ContainerCreating"
    )
    pod = cluster.client.get(Pod, "logger", namespace="default")
    assert pod.metadata is not None
    folder = cluster.state_dir / "pods" / f"default_logger_{pod.metadata.uid}"
    folder.mkdir(parents=True)
    (folder / "logger.log").write_text("started\nlistening on 8080\n")
    assert cluster.kubectl("logs", "logger").stdout == "started\nlistening on 8080\n"
    assert cluster.kubectl("logs", "logger", "--tail=1").stdout == "listening on 8080\n"
    previous = cluster.kubectl("logs", "logger", "--previous", check=False)
    assert previous.stderr.strip() == (
        'Error from server (BadRequest): previous terminated container "logger" in pod'
        ' "logger" not found'
    )


def test_auth_whoami_and_can_i(cluster: Cluster) -> None:
    whoami = cluster.kubectl("auth", "whoami").stdout
    assert "localnlb-admin" in whoami
    assert "system:masters" in whoami
    assert cluster.kubectl("auth", "can-i", "delete", "pods", "-n", "ui").stdout.strip() == "yes"


def test_drain_cordons_and_evicts(cluster: Cluster) -> None:
    cluster.kubectl(
        "apply",
        "-f",
        "-",
        stdin=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}}),
    )
    cluster.kubectl("run", "d1", "--image=ui:1", '--overrides={"spec":{"nodeName":"n1"}}')
    drained = cluster.kubectl("drain", "n1", "--force", "--grace-period=0", "--timeout=20s")
    assert drained.stdout.splitlines() == [
        "node/n1 cordoned",
        "evicting pod default/d1",
        "pod/d1 evicted",
        "node/n1 drained",
    ]
    assert "SchedulingDisabled" in cluster.kubectl("get", "node", "n1").stdout
