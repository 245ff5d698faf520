"""An in-process API server on loopback (TLS, bearer token) and a plain HTTP client for it."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from localnlb.cluster.apiserver.serving import tls
from localnlb.cluster.apiserver.serving.server import ApiServer


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class Api:
    """Raw HTTP against the server: what any Kubernetes client sends, nothing hidden."""

    def __init__(self, server: ApiServer, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        token: str | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        sent.setdefault("Authorization", f"Bearer {self.server.token if token is None else token}")
        data = raw
        if data is None and body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            sent["Content-Type"] = content_type
        payload: Any = io.BytesIO(data) if data is not None and len(data) > 1 << 20 else data
        async with self.session.request(
            method, self.server.url + path, data=payload, headers=sent
        ) as response:
            text = await response.read()
            try:
                parsed: Any = json.loads(text) if text else None
            except ValueError:
                parsed = text.decode(errors="replace")
            return Reply(response.status, parsed, dict(response.headers))

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return await self.call("POST", path, body, **kwargs)

    async def put(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return await self.call("PUT", path, body, **kwargs)

    async def patch(self, path: str, body: Any, content_type: str, **kwargs: Any) -> Reply:
        return await self.call("PATCH", path, body, content_type=content_type, **kwargs)

    async def delete(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return await self.call("DELETE", path, body, **kwargs)


async def start_server(state_dir: Path, **kwargs: Any) -> ApiServer:
    server = ApiServer(state_dir, **kwargs)
    await server.start()
    return server


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[ApiServer]:
    started = await start_server(tmp_path / "state", bookmark_interval=0.2)
    try:
        yield started
    finally:
        await started.stop()


@pytest.fixture
async def api(server: ApiServer) -> AsyncIterator[Api]:
    connector = aiohttp.TCPConnector(ssl=tls.client_context(server.ca_path))
    async with aiohttp.ClientSession(connector=connector) as session:
        yield Api(server, session)


def pod(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}], **spec},
    }


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def example_crd(
    plural: str,
    kind: str,
    schema: dict[str, Any],
    *,
    short_names: tuple[str, ...] = (),
    **version: Any,
) -> dict[str, Any]:
    """A namespaced ``example.com/v1`` CustomResourceDefinition with one served version;
    ``version``: that version's other fields (subresources, additionalPrinterColumns)."""
    names: dict[str, Any] = {"plural": plural, "kind": kind}
    if short_names:
        names["shortNames"] = list(short_names)
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": names,
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    **version,
                    "schema": {"openAPIV3Schema": schema},
                }
            ],
        },
    }
