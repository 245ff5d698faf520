"""Issue 21 item 12: a slowloris on the Kubernetes API server (headers byte by byte, a body that
never ends) is cut after a bound, as kube-apiserver's ReadHeaderTimeout and request timeout do."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from localnlb.cluster.apiserver.handlers import requests
from localnlb.cluster.apiserver.serving import server as serving
from localnlb.cluster.apiserver.serving import tls
from localnlb.cluster.apiserver.serving.server import ApiServer
from tests.component.cluster.conftest import start_server


@pytest.fixture
async def quick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ApiServer]:
    monkeypatch.setattr(serving, "HEADER_READ_SECONDS", 0.5)
    monkeypatch.setattr(requests, "BODY_READ_SECONDS", 0.5)
    started = await start_server(tmp_path / "state")
    try:
        yield started
    finally:
        await started.stop()


async def _connect(server: ApiServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = server.bound_address
    return await asyncio.open_connection(
        host, port, ssl=tls.client_context(server.ca_path), server_hostname=host
    )


async def test_headers_sent_byte_by_byte_are_cut_after_the_bound(quick: ApiServer) -> None:
    reader, writer = await _connect(quick)
    started = time.monotonic()
    try:
        request = b"GET /api HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
        for byte in request:
            if reader.at_eof():
                break
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the server waited 10 s for headers")
        async with asyncio.timeout(5.0):
            await reader.read()
        assert time.monotonic() - started < 5.0
    finally:
        writer.close()


async def test_a_body_that_never_ends_gets_a_timeout_status(quick: ApiServer) -> None:
    reader, writer = await _connect(quick)
    try:
        writer.write(
            b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
            + f"Authorization: Bearer {quick.token}\r\n".encode()
            + b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        await writer.drain()
        async with asyncio.timeout(5.0):
            answer = await reader.readuntil(b"}")
            answer += await reader.readuntil(b'"code":504}')
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 504")
    assert b'"reason":"Timeout"' in answer
    assert b"Connection: close" in answer
