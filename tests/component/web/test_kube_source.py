"""The Kubernetes source against the real API server (lightkube, with its kubeconfig): nodes,
pods, Services and Events as the scene sees them, kept up to date by watches."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from lightkube import AsyncClient, KubeConfig
from lightkube.models.core_v1 import (
    Container,
    NodeSpec,
    ObjectReference,
    PodSpec,
    ServicePort,
    ServiceSpec,
)
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Event, Node, Pod, Service

from localnlb.cluster.apiserver.serving.server import ApiServer
from localnlb.web.hub import SceneHub
from localnlb.web.kube_source import KubeWatcher
from tests.helpers.waiting import async_wait_until

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[ApiServer]:
    api = ApiServer(tmp_path / "state")
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def client(server: ApiServer) -> AsyncIterator[AsyncClient]:
    lightkube = AsyncClient(KubeConfig.from_file(server.kubeconfig_path), field_manager="tests")
    try:
        yield lightkube
    finally:
        await lightkube.close()


@contextlib.asynccontextmanager
async def watching(hub: SceneHub, kubeconfig: Path | None) -> AsyncIterator[None]:
    task = asyncio.create_task(KubeWatcher(hub, lambda: kubeconfig).run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_the_cluster_as_the_scene_sees_it_and_its_changes(
    server: ApiServer, client: AsyncClient
) -> None:
    await client.create(
        Node(
            metadata=ObjectMeta(
                name="node-a", labels={"topology.kubernetes.io/zone": "us-west-2a"}
            ),
            spec=NodeSpec(providerID="aws:///us-west-2a/i-0123"),
        )
    )
    labels = {"app": "ui"}
    await client.create(
        Pod(
            metadata=ObjectMeta(name="ui-1", namespace="default", labels=labels),
            spec=PodSpec(nodeName="node-a", containers=[Container(name="ui", image="ui")]),
        )
    )
    await client.create(
        Service(
            metadata=ObjectMeta(name="ui-nlb", namespace="default"),
            spec=ServiceSpec(
                type="LoadBalancer", selector=labels, ports=[ServicePort(port=80, name="http")]
            ),
        )
    )
    hub = SceneHub()
    async with watching(hub, server.kubeconfig_path):

        async def seen() -> bool:
            nodes = hub.scene.nodes
            return len(nodes) == 1 and len(nodes[0].pods) == 1 and bool(nodes[0].node_ports)

        await async_wait_until(seen, timeout=10, what="node, pod and NodePort in the scene")
        [node] = hub.scene.nodes
        assert (node.zone, node.instance_id) == ("us-west-2a", "i-0123")
        assert node.pods[0].name == "ui-1"
        assert node.node_ports[0].service == "default/ui-nlb"
        assert hub.sources["kubernetes"].ok

        await client.create(
            Event(
                metadata=ObjectMeta(name="ui-nlb.1", namespace="default"),
                involvedObject=ObjectReference(kind="Service", name="ui-nlb", namespace="default"),
                reason="SuccessfullyReconciled",
                message="Successfully reconciled",
                type="Normal",
            )
        )
        await client.delete(Pod, "ui-1", namespace="default", grace_period=0)

        async def changed() -> bool:
            reconciled = any(e.kind == "reconcile" for e in hub.scene.timeline)
            return reconciled and not hub.scene.nodes[0].pods

        await async_wait_until(changed, timeout=10, what="the event and the deletion seen")


async def test_without_a_kubeconfig_the_source_says_so() -> None:
    hub = SceneHub()
    async with watching(hub, None):
        await async_wait_until(
            lambda: _async(hub.sources["kubernetes"].detail == "no kubeconfig in DIR/env yet"),
            timeout=5,
            what="the missing kubeconfig reported",
        )
    assert not hub.sources["kubernetes"].ok


async def _async(value: bool) -> bool:
    return value


async def test_an_api_server_that_goes_away_is_reported_and_found_again(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = ApiServer(state)
    await first.start()
    hub = SceneHub()
    try:
        async with watching(hub, first.kubeconfig_path):
            await async_wait_until(
                lambda: _async(hub.sources["kubernetes"].ok), timeout=10, what="watching"
            )
            await first.stop()
            await async_wait_until(
                lambda: _async(not hub.sources["kubernetes"].ok), timeout=10, what="outage seen"
            )
            second = ApiServer(state)  # a new port, written into the same kubeconfig
            await second.start()
            try:
                await async_wait_until(
                    lambda: _async(hub.sources["kubernetes"].ok), timeout=10, what="found again"
                )
            finally:
                await second.stop()
    finally:
        await first.stop()
