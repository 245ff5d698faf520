"""Registration over the standard API against the embedded API server: create, then replace on
the next start, the dry-run probe that proves the API server calls the webhooks back, and
removal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from lightkube import AsyncClient, KubeConfig
from lightkube.resources.admissionregistration_v1 import (
    MutatingWebhookConfiguration,
    ValidatingWebhookConfiguration,
)
from lightkube.resources.core_v1 import Service

from localnlb.cluster.apiserver.serving.server import ApiServer
from localnlb.controller.runtime.webhook_registration import calls_back, deregister, register
from localnlb.controller.runtime.webhook_server import WebhookServer
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.webhooks.configuration import (
    CONFIGURATION_NAME,
    validating_configuration,
    webhook_configuration,
)
from tests.component.cluster.conftest import start_server
from tests.component.controller.test_webhook_server import FakeLookup

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncClient]:
    server: ApiServer = await start_server(tmp_path / "state")
    config = KubeConfig.from_file(str(server.kubeconfig_path))
    kube = AsyncClient(config=config, field_manager="test")
    try:
        yield kube
    finally:
        await kube.close()
        await server.stop()


async def test_register_probe_and_remove(client: AsyncClient) -> None:
    webhooks = WebhookServer(
        lookup=FakeLookup(), settings=ControllerSettings(cluster_name="c", vpc_id="v")
    )
    await webhooks.start()
    try:
        await register(client, webhook_configuration("https://127.0.0.1:1", webhooks.ca_pem))
        assert not await calls_back(client)  # nothing listens on port 1
        await register(client, webhook_configuration(webhooks.url, webhooks.ca_pem))  # replaced
        stored = await client.get(MutatingWebhookConfiguration, CONFIGURATION_NAME)
        assert stored.webhooks is not None
        assert [h.clientConfig.url for h in stored.webhooks] == [
            f"{webhooks.url}/mutate-v1-pod",
            f"{webhooks.url}/mutate-v1-service",
            f"{webhooks.url}/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding",
        ]
        assert await calls_back(client)
        # the probe was a dry run: nothing stored
        names = [
            s.metadata.name async for s in client.list(Service, namespace="default") if s.metadata
        ]
        assert names == ["kubernetes"]
    finally:
        await webhooks.stop()
    await deregister(client, CONFIGURATION_NAME)
    await deregister(client, CONFIGURATION_NAME)  # already gone: fine
    assert [c async for c in client.list(MutatingWebhookConfiguration)] == []


async def test_the_validating_configuration_is_registered_and_removed_alike(
    client: AsyncClient,
) -> None:
    pem = b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
    await register(client, webhook_configuration("https://127.0.0.1:1", pem))
    await register(client, validating_configuration("https://127.0.0.1:1", pem))
    await register(client, validating_configuration("https://127.0.0.1:2", pem))  # replaced
    stored = await client.get(ValidatingWebhookConfiguration, CONFIGURATION_NAME)
    assert stored.webhooks is not None
    [hook] = stored.webhooks
    assert hook.name == "vtargetgroupbinding.elbv2.k8s.aws"
    assert hook.clientConfig.url == (
        "https://127.0.0.1:2/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding"
    )
    assert hook.failurePolicy == "Fail"
    assert hook.rules is not None
    assert [(r.apiGroups, r.apiVersions, r.operations, r.resources) for r in hook.rules] == [
        (["elbv2.k8s.aws"], ["v1beta1"], ["CREATE", "UPDATE"], ["targetgroupbindings"])
    ]
    await deregister(client, CONFIGURATION_NAME)
    assert [c async for c in client.list(ValidatingWebhookConfiguration)] == []
    assert [c async for c in client.list(MutatingWebhookConfiguration)] == []
