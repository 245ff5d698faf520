"""Writes that pass admission webhooks on their way to the registry: create, update and patch.

The registry stays the one door for storage and stays synchronous; calling webhooks is async,
so it happens here, around it: mutating webhooks change the object first, then, only when a
validating webhook matches, a dry run through the registry gives the final object they judge,
and the real write follows. With no webhook registered these are the plain registry calls.
In-process writers (the ReplicaSet loop creating pods) come through here too, as the real
controllers come through the API server.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web

from localnlb.cluster.apiserver.admission import intake
from localnlb.cluster.apiserver.admission.webhook_matching import AdmissionAttributes, Operation
from localnlb.cluster.apiserver.objects.meta import clone
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.apiserver.webhooks.dispatch import WebhookAdmission
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]
WEBHOOKS_KEY = web.AppKey("webhooks", WebhookAdmission)


def webhooks_of(request: web.Request) -> WebhookAdmission | None:
    return request.app.get(WEBHOOKS_KEY)


def _named(obj: JsonObject) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


async def create(
    webhooks: WebhookAdmission | None,
    registry: Registry,
    rt: ResourceType,
    namespace: str,
    body: Any,
    *,
    manager: str,
    dry_run: bool = False,
) -> JsonObject:
    if webhooks is None or not isinstance(body, dict) or not webhooks.registered():
        return registry.create(rt, namespace, body, manager=manager, dry_run=dry_run)
    intake.check_type(rt, body)  # a body of the wrong kind never reaches a webhook
    obj = clone(body)
    metadata = obj.setdefault("metadata", {})
    if rt.namespaced and isinstance(metadata, dict):
        metadata.setdefault("namespace", namespace)
    attributes = AdmissionAttributes(
        operation=Operation.CREATE,
        rt=rt,
        namespace=namespace,
        name=_named(obj),
        obj=obj,
        dry_run=dry_run,
    )
    mutated = await webhooks.mutate(attributes) or obj
    judged = _with_object(attributes, mutated)
    if webhooks.validating(judged):
        final = registry.create(rt, namespace, mutated, manager=manager, dry_run=True)
        await webhooks.validate(_with_object(judged, final))
        mutated.setdefault("metadata", {})["name"] = _named(final)  # keep a generated name
    return registry.create(rt, namespace, mutated, manager=manager, dry_run=dry_run)


async def update(
    webhooks: WebhookAdmission | None,
    registry: Registry,
    rt: ResourceType,
    namespace: str,
    name: str,
    body: Any,
    *,
    subresource: str,
    manager: str,
    dry_run: bool,
) -> JsonObject:
    def write(obj: Any, *, trial: bool = dry_run) -> JsonObject:
        return registry.update(
            rt, namespace, name, obj, subresource=subresource, manager=manager, dry_run=trial
        )

    if webhooks is None or not isinstance(body, dict) or not webhooks.registered():
        return write(body)
    old = registry.get(rt, namespace, name)
    attributes = AdmissionAttributes(
        operation=Operation.UPDATE,
        rt=rt,
        namespace=namespace,
        name=name,
        obj=clone(body),
        old=old,
        subresource=subresource,
        dry_run=dry_run,
    )
    mutated = await webhooks.mutate(attributes) or body
    judged = _with_object(attributes, mutated)
    if webhooks.validating(judged):
        await webhooks.validate(_with_object(judged, write(mutated, trial=True)))
    return write(mutated)


async def patch(
    webhooks: WebhookAdmission | None,
    registry: Registry,
    rt: ResourceType,
    namespace: str,
    name: str,
    body: Any,
    *,
    patch_type: str,
    subresource: str,
    manager: str,
    force: bool,
    dry_run: bool,
) -> tuple[JsonObject, bool]:
    """A patch is admitted as the create or update it amounts to: the patched object (a dry
    run) goes to the webhooks; a webhook's change is then written as an update (or create)."""

    def apply(*, trial: bool) -> tuple[JsonObject, bool]:
        return registry.patch(
            rt,
            namespace,
            name,
            body,
            patch_type=patch_type,
            subresource=subresource,
            manager=manager,
            force=force,
            dry_run=trial,
        )

    if webhooks is None or not webhooks.registered():
        return apply(trial=dry_run)
    try:
        current: JsonObject | None = registry.get(rt, namespace, name)
    except ApiError as error:
        if error.code != 404:
            raise
        current = None
    patched, created = apply(trial=True)
    attributes = AdmissionAttributes(
        operation=Operation.CREATE if created else Operation.UPDATE,
        rt=rt,
        namespace=namespace,
        name=name,
        obj=patched,
        old=current,
        subresource=subresource,
        dry_run=dry_run,
    )
    mutated = await webhooks.mutate(attributes) or patched
    await webhooks.validate(_with_object(attributes, mutated))
    if mutated == patched:
        return apply(trial=dry_run)
    if created:
        return registry.create(rt, namespace, mutated, manager=manager, dry_run=dry_run), True
    obj = registry.update(
        rt, namespace, name, mutated, subresource=subresource, manager=manager, dry_run=dry_run
    )
    return obj, False


def _with_object(attributes: AdmissionAttributes, obj: JsonObject) -> AdmissionAttributes:
    return dataclasses.replace(attributes, obj=obj, name=_named(obj) or attributes.name)
