"""The thin async shell that POSTs one AdmissionReview to one webhook over HTTPS.

The server certificate is verified against the webhook's ``caBundle`` (the system roots when it
is empty) and, for a Service reference, against the name ``<service>.<namespace>.svc`` as
kube-apiserver does. The call is bounded by the webhook's ``timeoutSeconds`` (also sent as the
``timeout`` query parameter). Every way the call can go wrong raises
:class:`~.webhook_review.WebhookCallFailed` with Kubernetes' wording.

Network safety: localnlb never sends traffic off this machine, so a webhook is only called on a
loopback address (an IP in 127.0.0.0/8 or ::1, or ``localhost``); any other destination fails
like an unreachable webhook, and its failurePolicy decides.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import urllib.parse
from dataclasses import dataclass
from typing import Any

import aiohttp

from localnlb.cluster.apiserver.admission.webhook_matching import Webhook
from localnlb.cluster.apiserver.admission.webhook_review import WebhookCallFailed
from localnlb.common.addressing import is_loopback_host


@dataclass(frozen=True, slots=True)
class Destination:
    url: str
    server_hostname: str | None = None  # the name to verify, when it is not the URL's host


def is_loopback_url(url: str) -> bool:
    return is_loopback_host(urllib.parse.urlsplit(url).hostname or "")


class WebhookClient:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._contexts: dict[bytes, ssl.SSLContext] = {}

    def _context(self, ca_bundle: bytes) -> ssl.SSLContext:
        context = self._contexts.get(ca_bundle)
        if context is None:
            if ca_bundle:
                try:
                    context = ssl.create_default_context(cadata=ca_bundle.decode("ascii"))
                except (ssl.SSLError, ValueError, UnicodeDecodeError) as error:
                    raise WebhookCallFailed(f"invalid caBundle: {error}") from None
            else:
                context = ssl.create_default_context()
            self._contexts[ca_bundle] = context
        return context

    async def call(self, hook: Webhook, destination: Destination, review: Any) -> Any:
        separator = "&" if "?" in destination.url else "?"
        url = f"{destination.url}{separator}timeout={hook.timeout_seconds}s"
        context = self._context(hook.ca_bundle)
        if self._session is None:
            self._session = aiohttp.ClientSession()
        failing = f'failed to call webhook: Post "{url}"'
        if not is_loopback_url(url):
            raise WebhookCallFailed(
                f"{failing}: localnlb calls admission webhooks on loopback addresses only"
            )
        try:
            async with asyncio.timeout(hook.timeout_seconds):
                async with self._session.post(
                    url,
                    data=json.dumps(review).encode(),
                    headers={"Content-Type": "application/json", "Accept": "application/json"},
                    ssl=context,
                    server_hostname=destination.server_hostname,
                ) as response:
                    body = await response.read()
                    if response.status != 200:
                        raise WebhookCallFailed(
                            f"{failing}: the server responded with status {response.status}"
                        )
        except TimeoutError:
            raise WebhookCallFailed(f"{failing}: context deadline exceeded") from None
        except (aiohttp.ClientError, OSError, ValueError) as error:
            raise WebhookCallFailed(f"{failing}: {error}") from None
        try:
            return json.loads(body)
        except ValueError:
            raise WebhookCallFailed("failed to decode the webhook's response") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
