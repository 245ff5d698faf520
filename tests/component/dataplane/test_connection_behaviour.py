"""Acceptance 4: PROXY v2, client IP preservation, half-close, refused targets, idle timeout,
and the LB's allowed source CIDRs, each checked by a real backend over loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from localnlb.common.proxyprotocol import Command, TlvType
from localnlb.dataplane.service import DataPlane
from tests.component.dataplane.backends import NameBackend
from tests.component.dataplane.client import LineClient
from tests.component.dataplane.conftest import free_port
from tests.unit.dataplane.builders import ZONES, load_balancer, snapshot, target, target_group

StartBackend = Callable[..., Awaitable[NameBackend]]


async def one_target(
    dataplane: DataPlane,
    backend: NameBackend,
    vpc: int,
    *,
    idle_timeout: int = 350,
    lb_extra: dict[str, Any] | None = None,
    **attributes: Any,
) -> tuple[str, int]:
    node = f"127.{vpc}.0.100"
    port = free_port(node)
    lb = load_balancer({ZONES[0]: node}, port=port, idle_timeout=idle_timeout, **(lb_extra or {}))
    group = target_group(target(backend.address, backend.port, ZONES[0]), **attributes)
    await dataplane.apply(snapshot(1, lb, group))
    return node, port


async def test_proxy_protocol_v2_header_as_aws_sends_it(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    backend = await backends("pp", f"127.{vpc}.1.1", proxy_protocol=True)
    node, port = await one_target(dataplane, backend, vpc, proxy_protocol_v2=True)
    client = await LineClient.connect(node, port, source=f"127.{vpc}.200.7")
    me = client.writer.get_extra_info("sockname")[:2]
    answer = await client.ask("hello")
    assert answer.split()[2] == f"{me[0]}:{me[1]}"
    header = backend.seen.headers[0]
    assert header.command is Command.PROXY
    assert header.source == me
    assert header.destination == (node, port)
    assert header.length == 100  # padded as an NLB pads it
    assert header.tlv(TlvType.CRC32C) is not None
    # Sent with the client's first payload, in the same segment, not on its own at connect.
    assert backend.seen.first_reads[0].endswith(b"hello\n")


@pytest.mark.parametrize("preserve", [True, False])
async def test_target_sees_client_ip_only_when_preserved(
    dataplane: DataPlane, backends: StartBackend, vpc: int, preserve: bool
) -> None:
    backend = await backends("peer", f"127.{vpc}.1.1")
    node, port = await one_target(dataplane, backend, vpc, preserve_client_ip=preserve)
    client_ip = f"127.{vpc}.200.9"
    client = await LineClient.connect(node, port, source=client_ip)
    seen_ip = (await client.ask()).split()[1]
    assert seen_ip == (client_ip if preserve else node)


async def test_half_close_reaches_the_target_and_the_answer_still_flows_back(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    backend = await backends("half", f"127.{vpc}.1.1")
    node, port = await one_target(dataplane, backend, vpc)
    reader, writer = await asyncio.open_connection(node, port)
    try:
        writer.write(b"one\ntwo\n" + b"z" * 100_000)
        writer.write_eof()  # shutdown(SHUT_WR): the target must see a FIN
        data = await asyncio.wait_for(reader.read(), 5)  # ...and still answer until its own FIN
    finally:
        writer.close()
    assert data == b"half 127.%d.0.100 -\nhalf 127.%d.0.100 -\nbye 100008\n" % (vpc, vpc)


async def test_refused_target_makes_the_client_see_a_reset(dataplane: DataPlane, vpc: int) -> None:
    node = f"127.{vpc}.0.100"
    port = free_port(node)
    dead = free_port(f"127.{vpc}.1.1")  # nothing listens there
    group = target_group(target(f"127.{vpc}.1.1", dead, ZONES[0]))
    await dataplane.apply(snapshot(1, load_balancer({ZONES[0]: node}, port=port), group))
    await expect_reset(node, port, source=None)


async def expect_reset(node: str, port: int, *, source: str | None) -> None:
    """The client sees a reset, never a hang: the user-space node accepts and then resets; the
    kernel passes the SYN through, as an NLB does, so the reset answers the SYN (refused)."""
    sock = socket.socket()
    sock.bind((source or "127.0.0.1", 0))
    sock.setblocking(False)
    try:
        try:
            await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, (node, port)), 5)
        except ConnectionRefusedError:
            return
        reader, writer = await asyncio.open_connection(sock=sock)
        writer.write(b"anyone?\n")
        with pytest.raises(ConnectionResetError):
            await asyncio.wait_for(reader.read(100), 5)
        writer.close()
    finally:
        sock.close()


@pytest.mark.timeout(20)
async def test_idle_flows_are_reset_after_the_listener_idle_timeout(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    backend = await backends("idle", f"127.{vpc}.1.1")
    node, port = await one_target(dataplane, backend, vpc, idle_timeout=1)
    idle = await LineClient.connect(node, port)
    busy = await LineClient.connect(node, port)
    assert await idle.name() == "idle"
    loop = asyncio.get_running_loop()
    started = loop.time()
    while loop.time() - started < 2.0:  # keep one flow busy past the timeout
        assert await busy.name() == "idle"
        await asyncio.sleep(0.2)
    # The user-space node resets the idle flow at once; the kernel forgets it, so the next
    # packet on it is answered with a reset. Either way the idle client cannot carry on.
    assert await idle.state() == "reset"
    assert await busy.name() == "idle"


async def test_sources_outside_the_allowed_cidrs_are_reset(
    dataplane: DataPlane, backends: StartBackend, vpc: int
) -> None:
    backend = await backends("sg", f"127.{vpc}.1.1")
    allowed = {"allowed_source_cidrs": (f"127.{vpc}.200.0/24",)}
    node, port = await one_target(dataplane, backend, vpc, lb_extra=allowed)
    inside = await LineClient.connect(node, port, source=f"127.{vpc}.200.1")
    assert await inside.name() == "sg"
    await expect_reset(node, port, source=f"127.{vpc}.201.1")
