"""The controller registers its own Mutating- and ValidatingWebhookConfiguration (the real
controller's Helm chart installs them) and removes them on a clean stop, so that with the
controller stopped on purpose, Services can still be created (the service webhook's
failurePolicy is Fail) and bindings changed (the binding validator's is too).

Only the standard API is used (lightkube), so this works against any cluster whose API server
can reach the webhook's address. A remote API server cannot call back a loopback address:
:func:`reachable_from` tells the controller to leave webhooks out there, and once registered,
:func:`calls_back` proves the API server really reaches them (a kind or k3d API server in a
container has a loopback of its own) with a dry-run Service create, which runs admission and
stores nothing.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from lightkube import ApiError, AsyncClient
from lightkube.models.core_v1 import ServicePort, ServiceSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.admissionregistration_v1 import (
    MutatingWebhookConfiguration,
    ValidatingWebhookConfiguration,
)
from lightkube.resources.core_v1 import Service

from localnlb.common.addressing import is_loopback_host


def reachable_from(api_server_url: str, webhook_host: str) -> bool:
    """A loopback webhook address is reachable only from an API server on this machine's
    loopback too (the embedded cluster); any other address is taken as reachable."""
    if not is_loopback_host(webhook_host):
        return True
    return is_loopback_host(urlsplit(api_server_url).hostname or "")


WebhookConfiguration = MutatingWebhookConfiguration | ValidatingWebhookConfiguration
_KINDS: dict[str, type[WebhookConfiguration]] = {
    "MutatingWebhookConfiguration": MutatingWebhookConfiguration,
    "ValidatingWebhookConfiguration": ValidatingWebhookConfiguration,
}


async def register(client: AsyncClient, configuration: dict[str, Any]) -> None:
    """Create the configuration (mutating or validating, by its ``kind``), or replace the one
    a previous run left."""
    name = configuration["metadata"]["name"]
    kind = _KINDS[configuration["kind"]]
    try:
        existing = await client.get(kind, name)
    except ApiError as error:
        if error.status.code != 404:
            raise
        await client.create(_typed(configuration))
        return
    version = existing.metadata.resourceVersion if existing.metadata else None
    replacement = {**configuration, "metadata": {**configuration["metadata"]}}
    replacement["metadata"]["resourceVersion"] = version
    await client.replace(_typed(replacement))


def _typed(configuration: dict[str, Any]) -> WebhookConfiguration:
    kind = _KINDS[configuration["kind"]]
    return cast(WebhookConfiguration, kind.from_dict(configuration))


PROBE_NAME = "aws-load-balancer-webhook-probe"


async def calls_back(client: AsyncClient, namespace: str = "default") -> bool:
    """False when the API server could not call the webhooks (they must then go away: the
    service webhook's failurePolicy Fail would refuse every new Service)."""
    probe = Service(
        metadata=ObjectMeta(name=PROBE_NAME, namespace=namespace),
        spec=ServiceSpec(type="LoadBalancer", ports=[ServicePort(port=80)]),
    )
    try:
        await client.create(probe, dry_run=True)
    except ApiError as error:
        return "failed calling webhook" not in (error.status.message or "")
    return True


async def deregister(client: AsyncClient, name: str) -> None:
    """Remove both configurations of that name (either may already be gone)."""
    for kind in _KINDS.values():
        try:
            await client.delete(kind, name)
        except ApiError as error:
            if error.status.code != 404:
                raise
