"""Admission webhooks in the write path: the stored Mutating- and ValidatingWebhookConfigurations
called for a create or update before the registry stores it.

Mutating webhooks run first, one after another in configuration-name order, each seeing the
object as the one before left it; validating webhooks then see the final object. A webhook that
cannot be called (refused, timed out, a bad answer) fails the request with an InternalError
Status under failurePolicy Fail and is skipped under Ignore; a webhook that says no fails it
with its own denial. As in Kubernetes, writes to the webhook configurations themselves are never
sent to webhooks, so a broken webhook can always be removed.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from localnlb.cluster.apiserver.admission.webhook_matching import (
    AdmissionAttributes,
    FailurePolicy,
    ServiceRef,
    Webhook,
    applies,
    ordered_webhooks,
)
from localnlb.cluster.apiserver.admission.webhook_review import (
    WebhookCallFailed,
    answer_to_object,
    build_review,
)
from localnlb.cluster.apiserver.objects import meta, status
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.apiserver.webhooks.client import Destination, WebhookClient
from localnlb.cluster.controllers.objects import labels_of

log = logging.getLogger(__name__)
JsonObject = dict[str, Any]
ADMISSION_GROUP = "admissionregistration.k8s.io"
MUTATING_KEY = f"{ADMISSION_GROUP}/mutatingwebhookconfigurations"
VALIDATING_KEY = f"{ADMISSION_GROUP}/validatingwebhookconfigurations"


class WebhookAdmission:
    def __init__(self, registry: Registry, client: WebhookClient | None = None) -> None:
        self._registry = registry
        self._client = client or WebhookClient()

    def _matching(self, key: str, attributes: AdmissionAttributes) -> list[Webhook]:
        if attributes.rt.group == ADMISSION_GROUP:
            return []
        configurations, _ = self._registry.store.list(key)
        if not configurations:
            return []
        labels: dict[str, str] = {}
        if attributes.rt.namespaced:
            namespace = self._registry.store.find("/namespaces", "", attributes.namespace)
            labels = labels_of(namespace or {})
        return [h for h in ordered_webhooks(configurations) if applies(h, attributes, labels)]

    def registered(self) -> bool:
        """Whether any webhook configuration exists at all (the cheap common case: none)."""
        store = self._registry.store
        return bool(store.count(MUTATING_KEY) or store.count(VALIDATING_KEY))

    def validating(self, attributes: AdmissionAttributes) -> bool:
        """Whether any validating webhook would see this request (the caller then builds the
        final object with a dry run first)."""
        return bool(self._matching(VALIDATING_KEY, attributes))

    async def mutate(self, attributes: AdmissionAttributes) -> JsonObject | None:
        """The object after every matching mutating webhook."""
        obj = attributes.obj
        for hook in self._matching(MUTATING_KEY, attributes):
            obj = await self._call(hook, dataclasses.replace(attributes, obj=obj), mutating=True)
        return obj

    async def validate(self, attributes: AdmissionAttributes) -> None:
        for hook in self._matching(VALIDATING_KEY, attributes):
            await self._call(hook, attributes, mutating=False)

    async def _call(
        self, hook: Webhook, attributes: AdmissionAttributes, *, mutating: bool
    ) -> JsonObject | None:
        uid = meta.new_uid()
        try:
            destination = self._destination(hook)
            review = build_review(hook, attributes, uid=uid)
            answer = await self._client.call(hook, destination, review)
            return answer_to_object(hook, answer, uid=uid, obj=attributes.obj, mutating=mutating)
        except WebhookCallFailed as failure:
            if hook.failure_policy is FailurePolicy.IGNORE:
                log.warning('failed calling webhook "%s" (ignored): %s', hook.name, failure)
                return attributes.obj
            raise status.internal(f'failed calling webhook "{hook.name}": {failure}') from None

    def _destination(self, hook: Webhook) -> Destination:
        if hook.url:
            return Destination(hook.url)
        if hook.service is None:
            raise WebhookCallFailed("webhook has neither a url nor a service in its clientConfig")
        return self._service_destination(hook.service)

    def _service_destination(self, ref: ServiceRef) -> Destination:
        """A ready endpoint of the referenced Service (the API server reaches Services through
        their endpoints), verified as ``<name>.<namespace>.svc``."""
        store = self._registry.store
        service = store.find("/services", ref.namespace, ref.name)
        if service is None:
            raise WebhookCallFailed(f'service "{ref.name}" not found')
        ports = (service.get("spec") or {}).get("ports") or []
        port = next((p for p in ports if int(p.get("port", 0)) == ref.port), None)
        if port is None:
            raise WebhookCallFailed(f'service "{ref.name}" has no port {ref.port}')
        slices, _ = store.list("discovery.k8s.io/endpointslices", ref.namespace)
        for endpoint_slice in slices:
            labels = (endpoint_slice.get("metadata") or {}).get("labels") or {}
            if labels.get("kubernetes.io/service-name") != ref.name:
                continue
            numbers = [
                p.get("port")
                for p in endpoint_slice.get("ports") or []
                if (p.get("name") or "") == (port.get("name") or "")
            ]
            for endpoint in endpoint_slice.get("endpoints") or []:
                ready = (endpoint.get("conditions") or {}).get("ready")
                if numbers and ready is not False and endpoint.get("addresses"):
                    address = endpoint["addresses"][0]
                    return Destination(
                        f"https://{address}:{numbers[0]}{ref.path or '/'}",
                        server_hostname=f"{ref.name}.{ref.namespace}.svc",
                    )
        raise WebhookCallFailed(f'no endpoints available for service "{ref.name}"')

    async def close(self) -> None:
        await self._client.close()
