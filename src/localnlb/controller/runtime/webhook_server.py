"""The controller's admission webhook server: HTTPS on loopback, serving the pod mutator
(``/mutate-v1-pod``), the service mutator (``/mutate-v1-service``) and, given an ELBv2 lookup,
the TargetGroupBinding mutator (``/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding``) and
validator (``/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding``, see binding_validator).

Its certificate is made fresh at each start by a throw-away CA whose certificate goes into the
registered configuration as the ``caBundle``. The pod mutator reads the namespace's
TargetGroupBindings and their Services live through the Kubernetes API (a :class:`BindingLookup`),
so a binding created a moment ago already counts. An answer that cannot be given (the API
unreachable) is a 500, which the API server treats by the webhook's failurePolicy.
"""

from __future__ import annotations

import json
import logging
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web
from lightkube import ALL_NS, ApiError, AsyncClient
from lightkube.resources.core_v1 import Service

from localnlb.common import certs
from localnlb.common.http_serving import start_site
from localnlb.controller.deploy.errors import DeployError
from localnlb.controller.runtime.binding_validator import BindingValidator
from localnlb.controller.runtime.informer import as_dict
from localnlb.controller.runtime.kube_bindings import TargetGroupBinding
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.webhooks.binding_defaults import Denied, TargetGroupLookup, binding_patch
from localnlb.controller.webhooks.configuration import (
    BINDING_PATH,
    BINDING_VALIDATOR_PATH,
    POD_PATH,
    SERVICE_PATH,
)
from localnlb.controller.webhooks.pod_readiness import (
    binding_target,
    readiness_gate_patch,
    wanted_gates,
)
from localnlb.controller.webhooks.review import (
    BadReview,
    ReviewRequest,
    allow,
    deny,
    parse_review,
)
from localnlb.controller.webhooks.service_class import service_class_patch

log = logging.getLogger(__name__)
Raw = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    enabled: bool = True  # --no-webhooks turns them off
    host: str = "127.0.0.1"
    port: int = 0  # --webhook-port; 0: any free port


def _server_context(pair: certs.ServingPair) -> ssl.SSLContext:
    """ssl loads a certificate chain only from files: a private temporary directory, gone
    once loaded."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory(prefix="localnlb-webhook-") as directory:
        cert_path, key_path = Path(directory, "tls.crt"), Path(directory, "tls.key")
        cert_path.write_bytes(pair.cert_pem)
        certs.write_private(key_path, pair.key_pem)
        context.load_cert_chain(cert_path, key_path)
    return context


class BindingLookup(Protocol):
    async def bindings(self, namespace: str) -> list[Raw]: ...

    async def service_selector(self, namespace: str, name: str) -> Mapping[str, str] | None: ...

    async def all_bindings(self) -> list[Raw]:
        """Every TargetGroupBinding of the cluster, all namespaces."""
        ...


class KubeBindingLookup:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def bindings(self, namespace: str) -> list[Raw]:
        found = []
        async for binding in self._client.list(TargetGroupBinding, namespace=namespace):
            found.append(as_dict(binding))
        return found

    async def all_bindings(self) -> list[Raw]:
        return await self.bindings(ALL_NS)

    async def service_selector(self, namespace: str, name: str) -> Mapping[str, str] | None:
        try:
            service = await self._client.get(Service, name, namespace=namespace)
        except ApiError as error:
            if error.status.code == 404:
                return None
            raise
        return dict(service.spec.selector or {}) if service.spec else None


class WebhookServer:
    def __init__(
        self,
        *,
        lookup: BindingLookup,
        settings: ControllerSettings,
        target_groups: TargetGroupLookup | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._lookup = lookup
        self._target_groups = target_groups
        self._settings = settings
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._bound: tuple[str, int] = (host, port)
        self.ca_pem = b""

    async def start(self) -> None:
        pair = certs.throwaway_serving_pair(
            "aws-load-balancer-webhook",
            dns_names=("localhost",),
            ip_addresses=("127.0.0.1", self._host),
        )
        self.ca_pem = pair.ca_pem
        context = _server_context(pair)
        app = web.Application()
        app.router.add_post(POD_PATH, self._mutate_pod)
        app.router.add_post(SERVICE_PATH, self._mutate_service)
        if self._target_groups is not None:
            app.router.add_post(BINDING_PATH, self._mutate_binding)
            app.router.add_post(BINDING_VALIDATOR_PATH, self._validate_binding)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        self._bound = await start_site(self._runner, self._host, self._port, ssl_context=context)
        log.info("admission webhooks serving on %s", self.url)

    @property
    def bound_address(self) -> tuple[str, int]:
        return self._bound

    @property
    def url(self) -> str:
        host, port = self._bound
        return f"https://{host}:{port}"

    async def stop(self, grace: float = 1.0) -> None:
        del grace
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _review(self, request: web.Request) -> ReviewRequest:
        try:
            return parse_review(json.loads(await request.read()))
        except (ValueError, BadReview) as error:
            raise web.HTTPBadRequest(text=str(error)) from None

    async def _mutate_service(self, request: web.Request) -> web.Response:
        review = await self._review(request)
        operations = service_class_patch(review.obj, self._settings, old=review.old)
        return web.json_response(allow(review, operations))

    async def _mutate_binding(self, request: web.Request) -> web.Response:
        review = await self._review(request)
        assert self._target_groups is not None
        try:
            operations = await binding_patch(review.obj, self._target_groups)
        except Denied as denied:
            return web.json_response(deny(review, str(denied)))
        except DeployError as error:  # AWS refused or unreachable: the real webhook's error
            return web.json_response(deny(review, str(error)))
        return web.json_response(allow(review, operations))

    async def _validate_binding(self, request: web.Request) -> web.Response:
        review = await self._review(request)
        assert self._target_groups is not None
        validator = BindingValidator(
            bindings=self._lookup,
            target_groups=self._target_groups,
            cluster_vpc_id=self._settings.vpc_id,
        )
        return web.json_response(await validator.answer(review))

    async def _mutate_pod(self, request: web.Request) -> web.Response:
        review = await self._review(request)
        labels = ((review.obj.get("metadata") or {}).get("labels")) or {}
        try:
            bindings = [binding_target(b) for b in await self._lookup.bindings(review.namespace)]
            selectors = {
                b.service_name: await self._lookup.service_selector(
                    review.namespace, b.service_name
                )
                for b in bindings
                if b.target_type == "ip"
            }
        except (ApiError, OSError) as error:
            log.warning("pod readiness gate injection: cannot read bindings: %s", error)
            raise web.HTTPInternalServerError(text=str(error)) from None
        gates = wanted_gates(labels, bindings, selectors)
        return web.json_response(allow(review, readiness_gate_patch(review.obj, gates)))
