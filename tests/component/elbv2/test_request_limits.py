"""Issue 21 items 5 and 12 on the ELBv2/EC2 API: Query parsing linear in the key length, the
parameter, key and body limits answered with AWS errors, and slow clients cut after a bound."""

from __future__ import annotations

import asyncio
import io
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from localnlb.elbv2.api import server as api_server
from localnlb.elbv2.api.service_model import Dialect, operation
from localnlb.elbv2.api.wire import parse_params
from localnlb.elbv2.service import Elbv2Server, Elbv2Settings, start_elbv2

ELBV2 = "Action=DescribeLoadBalancers&Version=2015-12-01"


@pytest.fixture
async def quick_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Elbv2Server]:
    monkeypatch.setattr(api_server, "HEADER_READ_SECONDS", 0.5)
    monkeypatch.setattr(api_server, "BODY_READ_SECONDS", 0.5)
    running = await start_elbv2(Elbv2Settings(state_dir=tmp_path / "state"))
    try:
        yield running
    finally:
        await running.stop()


def test_a_key_of_many_dots_is_parsed_in_linear_time_and_memory() -> None:
    shape = operation(Dialect.QUERY, "RegisterTargets").input_shape
    costs = []
    for size in (40_000, 400_000):
        key = "Targets.member." + "1." * (size // 2)
        tracemalloc.start()
        started = time.perf_counter()
        parsed = parse_params({key: "x", "TargetGroupArn": "arn"}, shape, Dialect.QUERY)
        costs.append((time.perf_counter() - started, tracemalloc.get_traced_memory()[1]))
        tracemalloc.stop()
        assert parsed["TargetGroupArn"] == "arn"
    # quadratic: 40 KB took 1.5 s and 400 MB; linear: a few MB, 10x the key ~10x the memory
    assert costs[0][1] < 16 * 1024 * 1024, costs
    assert costs[1][1] < 15 * costs[0][1], costs


async def _post(server: Elbv2Server, body: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            server.url + "/",
            data=io.BytesIO(body.encode()),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ) as response,
    ):
        return response.status, await response.text()


async def test_too_many_parameters_is_a_validation_error(server: Elbv2Server) -> None:
    extra = "&".join(f"P{index}=x" for index in range(api_server.MAX_PARAMETERS))
    status, text = await _post(server, f"{ELBV2}&{extra}")
    assert status == 400
    assert "<Code>ValidationError</Code>" in text
    assert f"more than {api_server.MAX_PARAMETERS} parameters" in text


async def test_an_overlong_key_is_a_validation_error(server: Elbv2Server) -> None:
    status, text = await _post(server, f"{ELBV2}&{'Names.member.' + 'x' * 2000}=a")
    assert status == 400
    assert "<Code>ValidationError</Code>" in text


async def test_an_oversized_body_is_refused_with_aws_413(server: Elbv2Server) -> None:
    status, text = await _post(server, ELBV2 + "&Names.member.1=" + "a" * api_server.MAX_BODY_BYTES)
    assert status == 413
    assert "<Code>RequestEntityTooLargeException</Code>" in text


async def test_an_ordinary_request_still_succeeds(server: Elbv2Server) -> None:
    status, text = await _post(server, ELBV2)
    assert status == 200, text


async def _closed_within(reader: asyncio.StreamReader, deadline: float) -> bytes:
    """Everything the server sends until it closes the connection (failing after deadline)."""
    async with asyncio.timeout(deadline):
        return await reader.read()


async def test_headers_sent_byte_by_byte_are_cut_after_the_bound(quick_server: Elbv2Server) -> None:
    host, port = quick_server.bound_address
    reader, writer = await asyncio.open_connection(host, port)
    started = time.monotonic()
    try:
        request = b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
        for byte in request:  # a slowloris: never finishes its headers
            if reader.at_eof():
                break
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the server waited 10 s for headers")
        await _closed_within(reader, 5.0)
        assert time.monotonic() - started < 5.0
    finally:
        writer.close()


async def test_a_body_that_never_ends_gets_request_timeout(quick_server: Elbv2Server) -> None:
    host, port = quick_server.bound_address
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1000\r\n\r\nAction=Describe"
        )
        await writer.drain()
        async with asyncio.timeout(5.0):  # answered at once, then closed (after aiohttp's linger)
            answer = await reader.readuntil(b"</ErrorResponse>")
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"Connection: close" in answer
    assert b"<Code>RequestTimeout</Code>" in answer
