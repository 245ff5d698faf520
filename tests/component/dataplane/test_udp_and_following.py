"""UDP flows; following the ELBv2 endpoint by long poll (within 1 s, and on through outages);
worker processes; the metrics endpoint; the hosts-file block."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from localnlb.common.snapshot import TargetState
from localnlb.dataplane.service import DataPlane
from localnlb.dataplane.settings import DataPlaneSettings
from tests.component.dataplane.backends import NameBackend, UdpNameBackend
from tests.component.dataplane.client import LineClient
from tests.component.dataplane.conftest import free_port
from tests.component.dataplane.snapshot_server import SnapshotServer
from tests.helpers.waiting import async_wait_until
from tests.unit.dataplane.builders import ZONES, load_balancer, snapshot, target, target_group

StartBackend = Callable[..., Awaitable[NameBackend]]


class UdpClient(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.answers: asyncio.Queue[str] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.answers.put_nowait(data.decode())


async def test_udp_flows_are_pinned_and_spread_and_keep_the_client_ip(
    dataplane: DataPlane, vpc: int
) -> None:
    node = f"127.{vpc}.0.100"
    udp_backends = [await UdpNameBackend(f"u{i}", f"127.{vpc}.1.{i + 1}").start() for i in range(2)]
    try:
        group = target_group(
            *(target(b.address, b.port, ZONES[0]) for b in udp_backends), protocol="UDP"
        )
        port = free_port(node)
        await dataplane.apply(
            snapshot(1, load_balancer({ZONES[0]: node}, port=port, protocol="UDP"), group)
        )
        loop = asyncio.get_running_loop()
        reached = set()
        for i in range(12):
            source = f"127.{vpc}.200.{i + 1}"
            transport, client = await loop.create_datagram_endpoint(
                UdpClient, local_addr=(source, 0), remote_addr=(node, port)
            )
            try:
                answers = set()
                for _ in range(3):
                    transport.sendto(b"who")
                    answers.add(await asyncio.wait_for(client.answers.get(), 5))
            finally:
                transport.close()
            assert len(answers) == 1  # one flow, one target
            name, seen_ip = answers.pop().split()
            assert seen_ip == source  # UDP always preserves the client IP
            reached.add(name)
        assert reached == {"u0", "u1"}
    finally:
        for b in udp_backends:
            await b.stop()


@pytest.mark.timeout(60)
async def test_follows_the_endpoint_within_a_second_with_worker_processes(
    backends: StartBackend, vpc: int, tmp_path: Path
) -> None:
    a = await backends("a", f"127.{vpc}.1.1")
    b = await backends("b", f"127.{vpc}.1.2")
    node = f"127.{vpc}.0.100"
    port = free_port(node)
    lb = load_balancer({ZONES[0]: node}, port=port)
    group = target_group(target(a.address, a.port), target(b.address, b.port, state="initial"))
    server = await SnapshotServer(snapshot(1, lb, group)).start()
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n")
    settings = DataPlaneSettings(
        workers=2, hosts_path=hosts, hosts_owner="test", poll_timeout_seconds=5
    )
    plane = DataPlane(settings, routing_url=server.url)
    await plane.start()
    try:
        await async_wait_until(_serves(node, port, {"a"}), timeout=15, what="first snapshot")

        async def published() -> bool:  # after every worker listens, then the name
            return f"{node} {lb.dns_name}" in hosts.read_text()

        await async_wait_until(published, timeout=5, what="the LB name in the hosts file")

        # An API change reaches every worker within a second.
        healthy = dataclasses.replace(
            group,
            targets=(
                group.targets[0],
                dataclasses.replace(group.targets[1], state=TargetState.HEALTHY),
            ),
        )
        changed_at = time.monotonic()
        await server.publish(snapshot(2, lb, healthy))

        async def applied() -> bool:
            return plane.applied_version == 2

        await async_wait_until(applied, timeout=5, interval=0.01, what="snapshot 2 applied")
        assert time.monotonic() - changed_at < 1.0
        assert await _serves(node, port, {"a", "b"})()

        # The control side goes away: forwarding carries on with the last snapshot.
        await server.stop()
        assert await _serves(node, port, {"a", "b"})()

        # A worker that dies is started again, on the snapshot the others run.
        dead = plane.worker_pids[0]
        os.kill(dead, signal.SIGKILL)

        async def replaced() -> bool:
            pids = plane.worker_pids
            return dead not in pids and len(pids) == 2 and plane.applied_version == 2

        await async_wait_until(replaced, timeout=15, what="the worker to be replaced")
        assert await _serves(node, port, {"a", "b"})()

        url = f"http://{plane.bound_address[0]}:{plane.bound_address[1]}/metrics"

        async def scraped() -> str | None:
            async with aiohttp.ClientSession() as session, session.get(url) as response:
                text = await response.text()
            return text if "localnlb_flows_new_total{" in text else None

        text = await async_wait_until(scraped, timeout=5, what="worker metrics")
        assert 'target_group="tg"' in text
    finally:
        await plane.stop(grace=0.5)
        await server.stop()
    assert hosts.read_text() == "127.0.0.1 localhost\n"


def _serves(node: str, port: int, names: set[str]) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        seen = set()
        for _ in range(30):
            client = await LineClient.connect(node, port)
            try:
                seen.add(await client.name())
            finally:
                client.close()
        return seen == names

    return probe


async def test_udp_flow_ends_after_its_idle_timeout_and_tcp_udp_serves_both(
    vpc: int, backends: StartBackend
) -> None:
    plane = DataPlane(DataPlaneSettings(workers=0, hosts_path=None, udp_idle_timeout=0.5))
    await plane.start()
    tcp_backend = await backends("t", f"127.{vpc}.1.1")
    # A TCP_UDP target: one address and port serving both transports.
    udp_backend = await UdpNameBackend("u", tcp_backend.address).start(port=tcp_backend.port)
    loop = asyncio.get_running_loop()
    try:
        node = f"127.{vpc}.0.100"
        port = free_port(node)
        group = target_group(target(tcp_backend.address, tcp_backend.port), protocol="TCP_UDP")
        lb = load_balancer({ZONES[0]: node}, port=port, protocol="TCP_UDP")
        await plane.apply(snapshot(1, lb, group))

        client = await LineClient.connect(node, port)
        assert await client.name() == "t"
        client.close()

        transport, udp_client = await loop.create_datagram_endpoint(
            UdpClient, local_addr=(f"127.{vpc}.200.1", 0), remote_addr=(node, port)
        )
        try:
            for payload in (b"one", b"two"):
                transport.sendto(payload)
                assert (await asyncio.wait_for(udp_client.answers.get(), 5)).startswith("u ")
            first_flow = set(udp_backend.peers)
            assert len(first_flow) == 1  # one flow: one upstream socket

            async def all_ended() -> bool:
                return plane.active_flows() == 0

            await async_wait_until(all_ended, timeout=5, what="the UDP flow to idle out")
            transport.sendto(b"three")
            await asyncio.wait_for(udp_client.answers.get(), 5)
            assert set(udp_backend.peers) - first_flow  # a new flow, from a new socket
        finally:
            transport.close()
    finally:
        await udp_backend.stop()
        await plane.stop(grace=0.0)
