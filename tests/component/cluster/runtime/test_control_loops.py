"""The control loops against the real registry, driven by the real kubectl.

The workshop's ui app is applied with ``kubectl apply -k``; the Deployment, ReplicaSet,
scheduler and endpoints loops must take it from there. No kubelet runs here: a stand-in marks
bound pods Running and Ready on an address from their node's subnet, so that what is tested is
the loops' reaction, not process start-up (the kubelet has its own tests).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from localnlb.cluster.apiserver.serving.server import ApiServer
from localnlb.cluster.controllers import objects
from localnlb.cluster.nodes.objects import NodeIdentity, build_node
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.runtime.manager import ControllerManager
from localnlb.common.clock import rfc3339
from tests.helpers.commands import kubectl_with
from tests.helpers.waiting import async_wait_until

pytestmark = pytest.mark.timeout(60)

ZONES = (
    ("us-west-2a", "usw2-az1", 0),
    ("us-west-2b", "usw2-az2", 16),
    ("us-west-2c", "usw2-az3", 32),
)


async def kubectl(server: ApiServer, *args: str) -> str:
    return await kubectl_with(server.kubeconfig_path, *args)


def add_nodes(server: ApiServer, kinds: Kinds) -> list[str]:
    registry = server.registry
    assert registry is not None
    now = rfc3339(registry.clock.wall())
    names = []
    for index, (zone, zone_id, third) in enumerate(ZONES):
        identity = NodeIdentity(
            f"i-0{index:016x}", f"127.42.{third}.10", zone, zone_id, "us-west-2"
        )
        node = registry.create(kinds.node, "", build_node(identity, now=now), manager="kubelet")
        names.append(objects.name_of(node))
        lease = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": identity.name, "namespace": "kube-node-lease"},
            "spec": {
                "holderIdentity": identity.name,
                "leaseDurationSeconds": 40,
                "renewTime": f"{now[:-1]}.000000Z",
            },
        }
        registry.create(kinds.lease, "kube-node-lease", lease, manager="kubelet")
    return names


async def stand_in_kubelet(server: ApiServer, kinds: Kinds) -> None:
    """Marks every bound, not-yet-running pod Running and Ready with an IP in its node's zone."""
    registry = server.registry
    assert registry is not None
    counter = 0
    while True:
        for pod in registry.list(kinds.pod, None)["items"]:
            node_name = objects.spec(pod).get("nodeName")
            if not node_name or objects.status(pod).get("phase") == "Running":
                continue
            counter += 1
            third = node_name.split("-")[3]  # ip-127-42-<third>-10...
            now = rfc3339(registry.clock.wall())
            status = {
                **pod.get("status", {}),
                "phase": "Running",
                "podIP": f"127.42.{int(third) + 1}.{counter}",
                "conditions": [
                    {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
                    {"type": "Ready", "status": "True", "lastTransitionTime": now},
                    {"type": "ContainersReady", "status": "True", "lastTransitionTime": now},
                ],
            }
            with contextlib.suppress(Exception):
                registry.update(
                    kinds.pod,
                    objects.namespace_of(pod),
                    objects.name_of(pod),
                    {**pod, "status": status},
                    subresource="status",
                )
        await asyncio.sleep(0.02)


@pytest.fixture
async def cluster(server: ApiServer) -> AsyncIterator[tuple[ApiServer, Kinds]]:
    assert server.registry is not None
    manager = ControllerManager(server.registry, node_period=0.2)
    await manager.start()
    kubelet = asyncio.create_task(stand_in_kubelet(server, manager.kinds))
    try:
        yield server, manager.kinds
    finally:
        kubelet.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await kubelet
        await manager.stop()


def ui_pods(server: ApiServer, kinds: Kinds) -> list[dict[str, Any]]:
    assert server.registry is not None
    items = server.registry.list(kinds.pod, "ui", label_selector="app.kubernetes.io/name=ui")
    return [p for p in items["items"] if not objects.is_terminating(p)]


def ready_endpoints(server: ApiServer, kinds: Kinds) -> list[dict[str, Any]]:
    assert server.registry is not None
    slices = server.registry.list(
        kinds.endpoint_slice, "ui", label_selector="kubernetes.io/service-name=ui"
    )["items"]
    return [e for s in slices for e in s.get("endpoints") or () if e["conditions"]["ready"]]


async def test_workshop_app_rolls_out_scales_spreads_and_heals(
    cluster: tuple[ApiServer, Kinds], workshop_dir: Path
) -> None:
    server, kinds = cluster
    nodes = add_nodes(server, kinds)
    await kubectl(server, "apply", "-k", str(workshop_dir / "manifests/base-application/ui"))
    await kubectl(
        server, "wait", "--for=condition=available", "deployment/ui", "-n", "ui", "--timeout=20s"
    )
    [pod] = ui_pods(server, kinds)
    assert objects.spec(pod)["nodeName"] in nodes
    [endpoint] = await async_wait_until(
        lambda: asyncio.sleep(0, ready_endpoints(server, kinds)), what="one ready endpoint"
    )
    assert endpoint["zone"].startswith("us-west-2")

    await kubectl(server, "scale", "-n", "ui", "deployment/ui", "--replicas=3")
    await kubectl(
        server,
        "wait",
        "--for=condition=Ready",
        "pod",
        "-n",
        "ui",
        "-l",
        "app.kubernetes.io/name=ui",
        "--timeout=20s",
    )
    await async_wait_until(
        lambda: asyncio.sleep(0, len(ready_endpoints(server, kinds)) == 3),
        what="three ready endpoints",
    )
    pods = ui_pods(server, kinds)
    assert sorted(objects.spec(p)["nodeName"] for p in pods) == sorted(nodes)
    assert {e["zone"] for e in ready_endpoints(server, kinds)} == {z for z, _, _ in ZONES}

    victim = objects.name_of(pods[0])
    await kubectl(server, "delete", "pod", "-n", "ui", victim, "--wait=false")
    await async_wait_until(
        lambda: asyncio.sleep(
            0, len([p for p in ui_pods(server, kinds) if objects.name_of(p) != victim]) == 3
        ),
        what="a replacement pod",
    )
    described = await kubectl(server, "describe", "deployment", "ui", "-n", "ui")
    assert "ScalingReplicaSet" in described
    assert "Scaled up replica set ui-" in described
    rollout = await kubectl(
        server, "rollout", "status", "deployment/ui", "-n", "ui", "--timeout=20s"
    )
    assert "successfully rolled out" in rollout
