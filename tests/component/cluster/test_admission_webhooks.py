"""The API server calling real HTTPS admission webhooks on loopback: patches applied on create,
update and patch; failurePolicy Fail and Ignore when the webhook is down, times out or has a
certificate the caBundle does not vouch for; denials as Kubernetes words them (also through
kubectl); validating webhooks judging the final object; the ReplicaSet loop's pods admitted.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import ssl
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from localnlb.cluster.apiserver.serving.server import ApiServer
from localnlb.cluster.runtime.manager import ControllerManager
from localnlb.common import certs
from tests.component.cluster.conftest import Api, namespace, pod
from tests.helpers.commands import kubectl_with
from tests.helpers.waiting import async_wait_until

pytestmark = pytest.mark.timeout(30)
MUTATING = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"
VALIDATING = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"
Answer = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class FakeWebhook:
    """An HTTPS server answering AdmissionReviews with whatever ``answer`` says; records the
    requests it saw."""

    def __init__(self) -> None:
        self.pair = certs.throwaway_serving_pair("webhook", ip_addresses=("127.0.0.1",))
        self.seen: list[dict[str, Any]] = []
        self.answer: Answer = allow_with()
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def ca_bundle(self) -> str:
        return base64.b64encode(self.pair.ca_pem).decode()

    async def _handle(self, request: web.Request) -> web.Response:
        review = await request.json()
        self.seen.append(review)
        return web.json_response(await self.answer(review))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        with tempfile.TemporaryDirectory() as directory:
            cert, key = os.path.join(directory, "c"), os.path.join(directory, "k")
            Path(cert).write_bytes(self.pair.cert_pem)
            Path(key).write_bytes(self.pair.key_pem)
            context.load_cert_chain(cert, key)
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"https://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def allow_with(*operations: dict[str, Any]) -> Answer:
    async def answer(review: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = {"uid": review["request"]["uid"], "allowed": True}
        if operations:
            response["patchType"] = "JSONPatch"
            response["patch"] = base64.b64encode(json.dumps(operations).encode()).decode()
        return {
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": response,
        }

    return answer


def deny_with(status: dict[str, Any]) -> Answer:
    async def answer(review: dict[str, Any]) -> dict[str, Any]:
        response = {"uid": review["request"]["uid"], "allowed": False, "status": status}
        return {
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": response,
        }

    return answer


async def hang(review: dict[str, Any]) -> dict[str, Any]:
    await asyncio.sleep(30)  # longer than any timeoutSeconds below: the caller gives up
    raise AssertionError("unreachable")


@pytest.fixture
async def webhook() -> AsyncIterator[FakeWebhook]:
    server = FakeWebhook()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def configuration(
    webhook: FakeWebhook,
    *,
    kind: str = "MutatingWebhookConfiguration",
    name: str = "test-hooks",
    policy: str = "Fail",
    resources: tuple[str, ...] = ("pods",),
    operations: tuple[str, ...] = ("CREATE",),
    url: str | None = None,
    ca_bundle: str | None = None,
    timeout: int = 2,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": kind,
        "metadata": {"name": name},
        "webhooks": [
            {
                "name": f"{name}.example.com",
                "clientConfig": {
                    "url": webhook.url if url is None else url,
                    "caBundle": webhook.ca_bundle if ca_bundle is None else ca_bundle,
                },
                "rules": [
                    {
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": list(operations),
                        "resources": list(resources),
                    }
                ],
                "failurePolicy": policy,
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "timeoutSeconds": timeout,
                **fields,
            }
        ],
    }


async def register(api: Api, config: dict[str, Any]) -> None:
    path = MUTATING if config["kind"] == "MutatingWebhookConfiguration" else VALIDATING
    reply = await api.post(path, config)
    assert reply.status == 201, reply.body


async def create_namespace(api: Api, name: str = "ns") -> None:
    assert (await api.post("/api/v1/namespaces", namespace(name))).status == 201


GATE = {"op": "add", "path": "/spec/readinessGates", "value": [{"conditionType": "x/y"}]}


async def test_mutating_webhook_patch_is_stored(api: Api, webhook: FakeWebhook) -> None:
    await create_namespace(api)
    await register(api, configuration(webhook))
    webhook.answer = allow_with(GATE)
    reply = await api.post("/api/v1/namespaces/ns/pods", pod("p"))
    assert reply.status == 201, reply.body
    assert reply.body["spec"]["readinessGates"] == [{"conditionType": "x/y"}]
    stored = await api.get("/api/v1/namespaces/ns/pods/p")
    assert stored.body["spec"]["readinessGates"] == [{"conditionType": "x/y"}]
    [review] = webhook.seen
    assert review["request"]["operation"] == "CREATE"
    assert review["request"]["namespace"] == "ns"
    assert review["request"]["object"]["metadata"]["name"] == "p"
    # not for Services (the rule names pods), nor for the configuration's own kind
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 80}]},
    }
    assert (await api.post("/api/v1/namespaces/ns/services", service)).status == 201
    assert len(webhook.seen) == 1


async def test_webhook_configurations_are_listed_and_defaulted(
    api: Api, webhook: FakeWebhook
) -> None:
    await register(api, configuration(webhook, policy="Ignore"))
    listed = await api.get(MUTATING)
    [stored] = listed.body["items"]
    assert stored["webhooks"][0]["matchPolicy"] == "Equivalent"
    assert stored["webhooks"][0]["failurePolicy"] == "Ignore"
    table = await api.get(
        MUTATING, headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}
    )
    assert [c["name"] for c in table.body["columnDefinitions"]] == ["Name", "Webhooks", "Age"]
    assert table.body["rows"][0]["cells"][:2] == ["test-hooks", 1]


@pytest.mark.parametrize("policy", ["Fail", "Ignore"])
async def test_webhook_down(api: Api, webhook: FakeWebhook, policy: str) -> None:
    await create_namespace(api)
    url = webhook.url
    await webhook.stop()  # nothing listens there any more
    await register(api, configuration(webhook, policy=policy, url=url))
    reply = await api.post("/api/v1/namespaces/ns/pods", pod("p"))
    if policy == "Ignore":
        assert reply.status == 201
        assert "readinessGates" not in reply.body["spec"]
        return
    assert reply.status == 500
    assert reply.body["reason"] == "InternalError"
    assert reply.body["message"].startswith(
        'Internal error occurred: failed calling webhook "test-hooks.example.com":'
        f' failed to call webhook: Post "{url}?timeout=2s": '
    )
    assert (await api.get("/api/v1/namespaces/ns/pods/p")).status == 404


@pytest.mark.parametrize(
    "url", ["https://192.0.2.10:9443/mutate", "https://webhooks.example.com/mutate"]
)
async def test_webhooks_off_this_machine_are_never_called(
    api: Api, webhook: FakeWebhook, url: str
) -> None:
    # Network safety: no traffic leaves loopback. The call fails before any connection, as an
    # unreachable webhook does, and failurePolicy Fail refuses the write.
    await create_namespace(api)
    await register(api, configuration(webhook, url=url))
    reply = await api.post("/api/v1/namespaces/ns/pods", pod("p"))
    assert reply.status == 500
    assert reply.body["message"].endswith(
        "localnlb calls admission webhooks on loopback addresses only"
    )
    assert webhook.seen == []


@pytest.mark.parametrize("policy", ["Fail", "Ignore"])
async def test_webhook_timeout(api: Api, webhook: FakeWebhook, policy: str) -> None:
    await create_namespace(api)
    await register(api, configuration(webhook, policy=policy, timeout=1))
    webhook.answer = hang
    started = asyncio.get_running_loop().time()
    reply = await api.post("/api/v1/namespaces/ns/pods", pod("p"))
    assert asyncio.get_running_loop().time() - started < 5
    if policy == "Ignore":
        assert reply.status == 201
        return
    assert reply.status == 500
    assert reply.body["message"].endswith("context deadline exceeded")


async def test_certificate_not_vouched_for_by_the_ca_bundle(api: Api, webhook: FakeWebhook) -> None:
    await create_namespace(api)
    other = certs.throwaway_serving_pair("other", ip_addresses=("127.0.0.1",))
    await register(api, configuration(webhook, ca_bundle=base64.b64encode(other.ca_pem).decode()))
    reply = await api.post("/api/v1/namespaces/ns/pods", pod("p"))
    assert reply.status == 500
    assert "certificate verify failed" in reply.body["message"]
    assert webhook.seen == []


async def test_denial_status(api: Api, webhook: FakeWebhook) -> None:
    await create_namespace(api)
    await register(api, configuration(webhook))
    webhook.answer = deny_with({"code": 403, "reason": "Forbidden", "message": "not today"})
    reply = await api.post("/api/v1/namespaces/ns/pods", pod("p"))
    assert reply.status == 403
    assert reply.body["reason"] == "Forbidden"
    assert reply.body["message"] == (
        'admission webhook "test-hooks.example.com" denied the request: not today'
    )
    assert (await api.get("/api/v1/namespaces/ns/pods/p")).status == 404


async def test_kubectl_prints_the_denial(
    api: Api, server: ApiServer, webhook: FakeWebhook, tmp_path: Path
) -> None:
    await create_namespace(api)
    await register(api, configuration(webhook))
    webhook.answer = deny_with({"message": "pods are closed"})
    process = await asyncio.create_subprocess_exec(
        "kubectl",
        "run",
        "p",
        "-n",
        "ns",
        "--image=nginx:1.27",
        env={**os.environ, "KUBECONFIG": str(server.kubeconfig_path), "HOME": str(tmp_path)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 1
    assert err.decode().strip() == (
        'Error from server: admission webhook "test-hooks.example.com" denied the request:'
        " pods are closed"
    )


async def test_namespace_selector_limits_the_webhook(api: Api, webhook: FakeWebhook) -> None:
    await create_namespace(api, "plain")
    labelled = namespace("gated")
    labelled["metadata"]["labels"] = {"inject": "enabled"}
    assert (await api.post("/api/v1/namespaces", labelled)).status == 201
    await register(
        api, configuration(webhook, namespaceSelector={"matchLabels": {"inject": "enabled"}})
    )
    webhook.answer = allow_with(GATE)
    plain = await api.post("/api/v1/namespaces/plain/pods", pod("p"))
    gated = await api.post("/api/v1/namespaces/gated/pods", pod("p"))
    assert "readinessGates" not in plain.body["spec"]
    assert gated.body["spec"]["readinessGates"] == [{"conditionType": "x/y"}]


async def test_update_and_patch_are_admitted(api: Api, webhook: FakeWebhook) -> None:
    await create_namespace(api)
    created = await api.post("/api/v1/namespaces/ns/pods", pod("p"))
    await register(api, configuration(webhook, operations=("UPDATE",)))
    label = {"op": "add", "path": "/metadata/labels/admitted", "value": "yes"}
    webhook.answer = allow_with(label)
    body = created.body
    body["metadata"]["labels"]["changed"] = "by-put"
    put = await api.put("/api/v1/namespaces/ns/pods/p", body)
    assert put.status == 200, put.body
    assert put.body["metadata"]["labels"] == {"app": "web", "changed": "by-put", "admitted": "yes"}
    assert webhook.seen[-1]["request"]["operation"] == "UPDATE"
    assert webhook.seen[-1]["request"]["oldObject"]["metadata"]["labels"] == {"app": "web"}
    webhook.answer = allow_with(
        {"op": "replace", "path": "/metadata/labels/admitted", "value": "again"}
    )
    patched = await api.patch(
        "/api/v1/namespaces/ns/pods/p",
        {"metadata": {"labels": {"changed": "by-patch"}}},
        "application/merge-patch+json",
    )
    assert patched.status == 200, patched.body
    assert patched.body["metadata"]["labels"]["changed"] == "by-patch"
    assert patched.body["metadata"]["labels"]["admitted"] == "again"
    # status writes (a subresource the rule does not name) are not sent
    seen = len(webhook.seen)
    status = await api.get("/api/v1/namespaces/ns/pods/p")
    reply = await api.put("/api/v1/namespaces/ns/pods/p/status", status.body)
    assert reply.status == 200
    assert len(webhook.seen) == seen


async def test_validating_webhook_judges_the_mutated_object(api: Api, webhook: FakeWebhook) -> None:
    await create_namespace(api)
    await register(api, configuration(webhook, name="a-mutate"))
    await register(api, configuration(webhook, kind="ValidatingWebhookConfiguration", name="b"))

    async def answer(review: dict[str, Any]) -> dict[str, Any]:
        if review["request"]["object"].get("spec", {}).get("readinessGates"):
            return await deny_with({"message": "gated pods refused"})(review)
        return await allow_with(GATE)(review)

    webhook.answer = answer
    reply = await api.post("/api/v1/namespaces/ns/pods", pod("p"))
    assert reply.status == 400
    assert reply.body["message"] == (
        'admission webhook "b.example.com" denied the request: gated pods refused'
    )
    assert len(webhook.seen) == 2
    # the validating webhook saw the stored form: defaults filled in, uid given
    judged = webhook.seen[1]["request"]["object"]
    assert judged["spec"]["restartPolicy"] == "Always"
    assert judged["metadata"]["uid"]
    assert (await api.get("/api/v1/namespaces/ns/pods/p")).status == 404


async def test_broken_webhook_can_still_be_removed(api: Api, webhook: FakeWebhook) -> None:
    url = webhook.url
    await webhook.stop()
    everything = configuration(webhook, url=url, resources=("*",), operations=("*",))
    everything["webhooks"][0]["rules"][0]["apiGroups"] = ["*"]
    await register(api, everything)
    reply = await api.delete(f"{MUTATING}/test-hooks")
    assert reply.status == 200
    await create_namespace(api)


async def test_replica_set_pods_pass_the_webhooks(
    api: Api, server: ApiServer, webhook: FakeWebhook
) -> None:
    """Pods the ReplicaSet loop makes are admitted, as a controller's writes through the API."""
    assert server.registry is not None
    await create_namespace(api)
    await register(api, configuration(webhook))
    webhook.answer = allow_with(GATE)
    manager = ControllerManager(server.registry, webhooks=server.webhooks)
    await manager.start()
    try:
        replica_set = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
                },
            },
        }
        assert (
            await api.post("/apis/apps/v1/namespaces/ns/replicasets", replica_set)
        ).status == 201

        async def pods() -> list[dict[str, Any]] | None:
            items = (await api.get("/api/v1/namespaces/ns/pods")).body["items"]
            return items if len(items) == 2 else None

        for made in await async_wait_until(pods, timeout=10, what="two pods"):
            assert made["spec"]["readinessGates"] == [{"conditionType": "x/y"}]
        # a generated name is not known yet when the webhook sees the pod (as in Kubernetes)
        assert {r["request"]["name"] for r in webhook.seen} == {""}
        assert {r["request"]["object"]["metadata"]["generateName"] for r in webhook.seen} == {
            "web-"
        }
    finally:
        await manager.stop()


async def test_kubectl_applies_and_gets_webhook_configurations(
    server: ApiServer, webhook: FakeWebhook
) -> None:
    config = configuration(webhook, policy="Ignore")
    applied = await kubectl_with(
        server.kubeconfig_path, "apply", "-f", "-", stdin=json.dumps(config)
    )
    assert applied.strip() == (
        "mutatingwebhookconfiguration.admissionregistration.k8s.io/test-hooks created"
    )
    config["webhooks"][0]["timeoutSeconds"] = 5
    applied = await kubectl_with(
        server.kubeconfig_path, "apply", "-f", "-", stdin=json.dumps(config)
    )
    assert applied.strip().endswith("test-hooks configured")
    table = await kubectl_with(server.kubeconfig_path, "get", "mutatingwebhookconfigurations")
    header, row = table.strip().splitlines()
    assert header.split() == ["NAME", "WEBHOOKS", "AGE"]
    assert row.split()[:2] == ["test-hooks", "1"]
    got = json.loads(
        await kubectl_with(
            server.kubeconfig_path,
            "get",
            "mutatingwebhookconfiguration",
            "test-hooks",
            "-o",
            "json",
        )
    )
    assert got["webhooks"][0]["timeoutSeconds"] == 5
    assert (
        await kubectl_with(server.kubeconfig_path, "get", "validatingwebhookconfigurations") == ""
    )


async def test_server_side_apply_create_is_admitted_as_create(
    api: Api, webhook: FakeWebhook
) -> None:
    await create_namespace(api)
    await register(api, configuration(webhook))
    webhook.answer = allow_with(GATE)
    applied = await api.patch(
        "/api/v1/namespaces/ns/pods/p?fieldManager=tester",
        pod("p"),
        "application/apply-patch+yaml",
    )
    assert applied.status == 201, applied.body
    assert applied.body["spec"]["readinessGates"] == [{"conditionType": "x/y"}]
    [review] = webhook.seen
    assert review["request"]["operation"] == "CREATE"
    assert review["request"]["oldObject"] is None
    # applying again is an update: the CREATE-only webhook is not called
    again = await api.patch(
        "/api/v1/namespaces/ns/pods/p?fieldManager=tester",
        pod("p"),
        "application/apply-patch+yaml",
    )
    assert again.status == 200
    assert len(webhook.seen) == 1


async def test_invalid_configuration_is_refused(api: Api, webhook: FakeWebhook) -> None:
    config = configuration(webhook, policy="Sometimes", url="http://127.0.0.1:1/hook")
    reply = await api.post(MUTATING, config)
    assert reply.status == 422
    assert reply.body["reason"] == "Invalid"
    assert [c["field"] for c in reply.body["details"]["causes"]] == [
        "webhooks[0].failurePolicy",
        "webhooks[0].clientConfig.url",
    ]
    assert (await api.get(MUTATING)).body["items"] == []
