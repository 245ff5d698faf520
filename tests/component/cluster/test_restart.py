"""A killed API server process (SIGKILL, no shutdown) loses nothing it answered for, and comes
back on the same port with the same credentials, so clients and watches carry on."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest
from lightkube import Client, KubeConfig
from lightkube.resources.core_v1 import ConfigMap

from localnlb.cluster.apiserver.serving.server import ApiServer, StateDirBusy
from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import async_wait_until, wait_until

pytestmark = pytest.mark.timeout(60)


def _start(processes: ProcessGroup, state: Path) -> int:
    process = processes.start(
        [sys.executable, "-m", "localnlb", "apiserver", "--state-dir", str(state)], name="apiserver"
    )
    wait_until(
        lambda: (state / "apiserver.json").exists() and _answers(state),
        timeout=20,
        what="the API server answers",
    )
    return process.pid


def _answers(state: Path) -> bool:
    client = Client(KubeConfig.from_file(state / "kubeconfig"))
    try:
        return client.get(ConfigMap, "probe", namespace="kube-system") is not None
    except Exception as error:  # not up yet, or up and the probe object is missing
        return "not found" in str(error)
    finally:
        client.close()


def test_sigkill_loses_nothing(tmp_path: Path, processes: ProcessGroup) -> None:
    state = tmp_path / "state"
    pid = _start(processes, state)
    port = json.loads((state / "apiserver.json").read_text())["port"]
    client = Client(KubeConfig.from_file(state / "kubeconfig"), field_manager="tests")
    try:
        versions = []
        for index in range(20):
            created = client.create(
                ConfigMap.from_dict(
                    {  # type: ignore[call-overload]
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {"name": f"c{index}", "namespace": "default"},
                        "data": {"i": str(index)},
                    }
                )
            )
            versions.append(int(created.metadata.resourceVersion))
    finally:
        client.close()
    os.kill(pid, signal.SIGKILL)
    _start(processes, state)
    assert json.loads((state / "apiserver.json").read_text())["port"] == port
    client = Client(KubeConfig.from_file(state / "kubeconfig"), field_manager="tests")
    try:
        names = sorted(
            c.metadata.name
            for c in client.list(ConfigMap, namespace="default")
            if c.metadata is not None and c.metadata.name is not None
        )
        assert names == sorted(f"c{index}" for index in range(20))
        replay = []
        for kind, obj in client.watch(
            ConfigMap, namespace="default", resource_version=str(versions[9])
        ):
            replay.append((kind, obj.metadata.name if obj.metadata else None))
            if len(replay) == 10:
                break
        assert replay == [("ADDED", f"c{index}") for index in range(10, 20)]
    finally:
        client.close()


async def test_one_server_per_state_dir(tmp_path: Path) -> None:
    first = ApiServer(tmp_path / "state")
    await first.start()
    try:
        with pytest.raises(StateDirBusy):
            await ApiServer(tmp_path / "state").start()
    finally:
        await first.stop()
    again = ApiServer(tmp_path / "state")
    await again.start()
    await again.stop()


async def test_a_namespace_deletion_cut_short_by_a_stop_resumes(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = ApiServer(state)
    await first.start()
    registry = first.registry
    assert registry is not None
    namespaces = registry.resource("v1", "Namespace")
    configmaps = registry.resource("v1", "ConfigMap")
    registry.create(
        namespaces, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "going"}}
    )
    registry.create(
        configmaps, "going", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    )
    _, gone = registry.delete(namespaces, "", "going")
    assert not gone  # emptied a moment later, as by the namespace controller
    await first.stop()
    second = ApiServer(state)
    await second.start()
    try:
        resumed = second.registry
        assert resumed is not None

        async def namespace_gone() -> bool:
            return resumed.store.find("/namespaces", "", "going") is None

        await async_wait_until(namespace_gone, what="the namespace deletion finishes")
        assert resumed.store.list("/configmaps", "going")[0] == []
    finally:
        await second.stop()
