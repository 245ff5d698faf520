"""A controller manager over an in-process API server, with nodes and a stand-in kubelet that
ends each bound pod as its command says (``true`` succeeds, ``false`` fails, anything else runs
and is Ready), so that what is tested is the batch and daemon loops, not process start-up."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from localnlb.cluster.apiserver.serving.server import ApiServer
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.controllers import objects
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.runtime.manager import ControllerManager
from localnlb.common.clock import rfc3339
from tests.component.cluster.conftest import start_server
from tests.component.cluster.runtime.test_control_loops import add_nodes


class ShiftedClock:
    """The system clock moved by a fixed offset: a test can stand just before a minute turns."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time() + self.offset


@dataclass
class Cluster:
    server: ApiServer
    registry: Registry
    kinds: Kinds
    manager: ControllerManager
    nodes: list[str]
    clock: ShiftedClock

    def shift_clock(self, offset: float) -> None:
        """Move the cluster's clock; the kubelets' leases follow at once (as renewed on time)."""
        self.clock.offset = offset
        _renew_leases(self.registry, self.kinds)

    def items(self, api_version: str, kind: str, namespace: str = "default") -> list[Any]:
        found = self.registry.list(self.registry.resource(api_version, kind), namespace)
        return list(found["items"])

    def create(self, body: dict[str, Any], namespace: str = "default") -> dict[str, Any]:
        rt = self.registry.resource(body["apiVersion"], body["kind"])
        return self.registry.create(rt, namespace, body)


def _ended(pod: dict[str, Any], phase: str, code: int, now: str) -> dict[str, Any]:
    container = objects.spec(pod)["containers"][0]
    return {
        **pod.get("status", {}),
        "phase": phase,
        "containerStatuses": [
            {
                "name": container["name"],
                "image": container["image"],
                "ready": False,
                "restartCount": 0,
                "state": {"terminated": {"exitCode": code, "finishedAt": now}},
            }
        ],
    }


def _running(pod: dict[str, Any], now: str) -> dict[str, Any]:
    return {
        **pod.get("status", {}),
        "phase": "Running",
        "conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": now},
            {"type": "ContainersReady", "status": "True", "lastTransitionTime": now},
        ],
    }


def _renew_leases(registry: Registry, kinds: Kinds) -> None:
    """As each node's kubelet does, on the (possibly shifted) cluster clock."""
    now = rfc3339(registry.clock.wall())
    for lease in registry.list(kinds.lease, "kube-node-lease")["items"]:
        lease["spec"]["renewTime"] = f"{now[:-1]}.000000Z"
        with contextlib.suppress(Exception):
            registry.update(kinds.lease, "kube-node-lease", objects.name_of(lease), lease)


async def stand_in_kubelet(registry: Registry, kinds: Kinds) -> None:
    rounds = 0
    while True:
        if rounds % 10 == 0:
            _renew_leases(registry, kinds)
        rounds += 1
        for pod in registry.list(kinds.pod, None)["items"]:
            if not objects.spec(pod).get("nodeName") or objects.status(pod).get("phase") not in (
                None,
                "Pending",
            ):
                continue
            now = rfc3339(registry.clock.wall())
            command = (objects.spec(pod)["containers"][0].get("command") or [""])[0]
            status = {
                "true": _ended(pod, "Succeeded", 0, now),
                "false": _ended(pod, "Failed", 1, now),
            }
            with contextlib.suppress(Exception):
                registry.update(
                    kinds.pod,
                    objects.namespace_of(pod),
                    objects.name_of(pod),
                    {**pod, "status": status.get(command) or _running(pod, now)},
                    subresource="status",
                )
        await asyncio.sleep(0.02)


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    clock = ShiftedClock()
    server = await start_server(tmp_path / "state", clock=clock)
    registry = server.registry
    assert registry is not None
    manager = ControllerManager(registry, node_period=0.2, job_pod_backoff=0.05)
    await manager.start()
    kubelet = asyncio.create_task(stand_in_kubelet(registry, manager.kinds))
    try:
        nodes = add_nodes(server, manager.kinds)
        yield Cluster(server, registry, manager.kinds, manager, nodes, clock)
    finally:
        kubelet.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await kubelet
        await manager.stop()
        await server.stop()
