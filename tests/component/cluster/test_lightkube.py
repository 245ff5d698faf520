"""A standard client library (lightkube's AsyncClient) drives the server with its kubeconfig:
typed CRUD, status patches, server-side apply, watches and a 404 as ApiError."""

from __future__ import annotations

import asyncio

import pytest
from lightkube import ApiError, AsyncClient, KubeConfig
from lightkube.models.apps_v1 import DeploymentSpec
from lightkube.models.core_v1 import Container, PodSpec, PodTemplateSpec
from lightkube.models.meta_v1 import LabelSelector, ObjectMeta
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap, Service

from localnlb.cluster.apiserver.serving.server import ApiServer

pytestmark = pytest.mark.timeout(30)


async def test_lightkube_round_trip(server: ApiServer) -> None:
    client = AsyncClient(KubeConfig.from_file(server.kubeconfig_path), field_manager="tests")
    try:
        deployment = Deployment(
            metadata=ObjectMeta(name="ui", namespace="default"),
            spec=DeploymentSpec(
                selector=LabelSelector(matchLabels={"app": "ui"}),
                template=PodTemplateSpec(
                    metadata=ObjectMeta(labels={"app": "ui"}),
                    spec=PodSpec(containers=[Container(name="ui", image="ui:1")]),
                ),
            ),
        )
        created = await client.create(deployment)
        assert created.spec is not None
        assert created.spec.replicas == 1
        watched: list[tuple[str, int]] = []
        assert created.metadata is not None
        since = created.metadata.resourceVersion

        async def watch() -> None:
            async for kind, obj in client.watch(
                Deployment, namespace="default", resource_version=since
            ):
                assert obj.status is not None
                watched.append((kind, obj.status.readyReplicas or 0))
                if obj.status.readyReplicas == 1:
                    return

        watcher = asyncio.create_task(watch())
        await client.patch(
            Deployment.Status, "ui", {"status": {"readyReplicas": 1}}, namespace="default"
        )
        await asyncio.wait_for(watcher, 5)
        assert watched == [("MODIFIED", 1)]
        services = [
            s.metadata.name
            async for s in client.list(Service, namespace="*")
            if s.metadata is not None
        ]
        assert services == ["kubernetes", "kube-dns"]  # default, then kube-system
        applied = await client.apply(
            ConfigMap(metadata=ObjectMeta(name="cfg", namespace="default"), data={"a": "1"})
        )
        assert applied.data == {"a": "1"}
        await client.delete(ConfigMap, "cfg", namespace="default")
        with pytest.raises(ApiError) as raised:
            await client.get(ConfigMap, "cfg", namespace="default")
        assert raised.value.status.code == 404
        assert raised.value.status.reason == "NotFound"
    finally:
        await client.close()
