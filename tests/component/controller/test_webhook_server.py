"""The controller's webhook server over real HTTPS on loopback: its certificate verifies
against the CA it publishes, the pod mutator reads bindings through its lookup, the service
mutator defaults the class, and bad input or a failing lookup get a 4xx/5xx, never a hang."""

from __future__ import annotations

import base64
import json
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from localnlb.controller.runtime.aws_calls import AwsUnavailableError
from localnlb.controller.runtime.webhook_server import WebhookServer
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.webhooks.binding_defaults import TargetGroupLookup
from tests.unit.controller.test_binding_defaults import ARN, GROUP, FakeTargetGroups

pytestmark = pytest.mark.timeout(20)


class UnreachableAws(FakeTargetGroups):
    async def by_name(self, name: str) -> list[dict[str, Any]]:
        if name == "unreachable":
            raise AwsUnavailableError("operation error describe_target_groups: refused")
        return await super().by_name(name)


TARGET_GROUPS = UnreachableAws(GROUP)


class FakeLookup:
    def __init__(self) -> None:
        self.bindings_by_namespace: dict[str, list[dict[str, Any]]] = {}
        self.selectors: dict[tuple[str, str], Mapping[str, str] | None] = {}
        self.broken = False

    async def bindings(self, namespace: str) -> list[dict[str, Any]]:
        if self.broken:
            raise OSError("connection refused")
        return self.bindings_by_namespace.get(namespace, [])

    async def service_selector(self, namespace: str, name: str) -> Mapping[str, str] | None:
        return self.selectors.get((namespace, name))

    async def all_bindings(self) -> list[dict[str, Any]]:
        if self.broken:
            raise OSError("connection refused")
        return [b for found in self.bindings_by_namespace.values() for b in found]


@asynccontextmanager
async def serving(
    lookup: FakeLookup, *, target_groups: TargetGroupLookup, vpc_id: str
) -> AsyncIterator[tuple[WebhookServer, aiohttp.ClientSession]]:
    """The webhook server, started, and a session that trusts its CA; both closed after."""
    server = WebhookServer(
        lookup=lookup,
        settings=ControllerSettings(cluster_name="c", vpc_id=vpc_id),
        target_groups=target_groups,
    )
    await server.start()
    context = ssl.create_default_context(cadata=server.ca_pem.decode())
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as session:
            yield server, session
    finally:
        await server.stop()


@pytest.fixture
async def served() -> AsyncIterator[tuple[WebhookServer, FakeLookup, aiohttp.ClientSession]]:
    lookup = FakeLookup()
    async with serving(lookup, target_groups=TARGET_GROUPS, vpc_id="v") as (server, session):
        yield server, lookup, session


def review(obj: dict[str, Any], namespace: str = "ui") -> dict[str, Any]:
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {"uid": "u-7", "operation": "CREATE", "namespace": namespace, "object": obj},
    }


async def post(session: aiohttp.ClientSession, url: str, body: Any) -> tuple[int, Any]:
    async with session.post(url, data=json.dumps(body)) as response:
        text = await response.text()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text


def patch_of(answer: dict[str, Any]) -> list[dict[str, Any]]:
    response = answer["response"]
    assert response["uid"] == "u-7"
    assert response["allowed"] is True
    if "patch" not in response:
        return []
    assert response["patchType"] == "JSONPatch"
    operations: list[dict[str, Any]] = json.loads(base64.b64decode(response["patch"]))
    return operations


POD = {"metadata": {"generateName": "web-", "labels": {"app": "web"}}, "spec": {"containers": []}}


async def test_pod_mutator_injects_the_gates_of_ip_bindings(
    served: tuple[WebhookServer, FakeLookup, aiohttp.ClientSession],
) -> None:
    server, lookup, session = served
    assert server.url.startswith("https://127.0.0.1:")
    lookup.bindings_by_namespace["ui"] = [
        {
            "metadata": {"name": "k8s-ui-web"},
            "spec": {"targetType": "ip", "serviceRef": {"name": "web"}},
        },
        {
            "metadata": {"name": "k8s-ui-inst"},
            "spec": {"targetType": "instance", "serviceRef": {"name": "web"}},
        },
        {
            "metadata": {"name": "k8s-ui-all"},
            "spec": {"targetType": "ip", "serviceRef": {"name": "all"}},
        },
    ]
    lookup.selectors[("ui", "web")] = {"app": "web"}
    lookup.selectors[("ui", "all")] = {}
    status, answer = await post(session, f"{server.url}/mutate-v1-pod", review(POD))
    assert status == 200
    assert patch_of(answer) == [
        {
            "op": "add",
            "path": "/spec/readinessGates",
            "value": [{"conditionType": "target-health.elbv2.k8s.aws/k8s-ui-web"}],
        }
    ]
    status, answer = await post(session, f"{server.url}/mutate-v1-pod", review(POD, "other"))
    assert patch_of(answer) == []


async def test_service_mutator_defaults_the_class(
    served: tuple[WebhookServer, FakeLookup, aiohttp.ClientSession],
) -> None:
    server, _, session = served
    service: dict[str, Any] = {
        "metadata": {"name": "web"},
        "spec": {"type": "LoadBalancer", "ports": []},
    }
    status, answer = await post(session, f"{server.url}/mutate-v1-service", review(service))
    assert status == 200
    assert patch_of(answer) == [
        {"op": "add", "path": "/spec/loadBalancerClass", "value": "service.k8s.aws/nlb"}
    ]
    service["spec"]["type"] = "ClusterIP"
    _, answer = await post(session, f"{server.url}/mutate-v1-service", review(service))
    assert patch_of(answer) == []


async def test_bad_input_and_failing_lookups(
    served: tuple[WebhookServer, FakeLookup, aiohttp.ClientSession],
) -> None:
    server, lookup, session = served
    status, _ = await post(session, f"{server.url}/mutate-v1-service", {"kind": "Pod"})
    assert status == 400
    async with session.post(f"{server.url}/mutate-v1-pod", data=b"{not json") as response:
        assert response.status == 400
    lookup.broken = True
    status, _ = await post(session, f"{server.url}/mutate-v1-pod", review(POD))
    assert status == 500
    async with session.get(f"{server.url}/mutate-v1-pod") as response:
        assert response.status == 405


async def test_certificate_is_checked(
    served: tuple[WebhookServer, FakeLookup, aiohttp.ClientSession],
) -> None:
    server, _, _ = served
    async with aiohttp.ClientSession() as plain:  # system roots: our CA is not among them
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await post(plain, f"{server.url}/mutate-v1-pod", review(POD))


async def test_binding_mutator_resolves_or_refuses(
    served: tuple[WebhookServer, FakeLookup, aiohttp.ClientSession],
) -> None:
    server, _, session = served
    url = f"{server.url}/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding"
    named = {"metadata": {"name": "b"}, "spec": {"targetGroupName": "by-name"}}
    status, answer = await post(session, url, review(named))
    assert status == 200
    assert patch_of(answer) == [
        {"op": "add", "path": "/spec/targetGroupARN", "value": ARN},
        {"op": "add", "path": "/spec/targetType", "value": "ip"},
    ]
    for name, message in [
        ("nope", "expecting a single targetGroup with query [nope] but got 0"),
        ("unreachable", "operation error describe_target_groups: refused"),
    ]:
        missing = {"metadata": {"name": "b"}, "spec": {"targetGroupName": name}}
        status, answer = await post(session, url, review(missing))
        assert status == 200
        assert answer["response"] == {
            "uid": "u-7",
            "allowed": False,
            "status": {"code": 400, "message": message},
        }
