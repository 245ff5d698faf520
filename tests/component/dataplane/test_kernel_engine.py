"""What only the kernel engine has: its counters read back from nftables and conntrack, its table
(made on start, replacing one a killed data plane left, removed on stop), and a clear error where
it cannot run. Forwarding behaviour is in the other modules, on both engines."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from localnlb.dataplane.kernel.netfilter import (
    KernelPathError,
    kernel_table_name,
    unavailable_reason,
)
from localnlb.dataplane.metrics import ACTIVE, NEW
from localnlb.dataplane.service import DataPlane
from localnlb.dataplane.settings import DataPlaneSettings
from tests.component.dataplane.backends import NameBackend, UdpNameBackend
from tests.component.dataplane.client import LineClient
from tests.component.dataplane.conftest import free_port
from tests.component.dataplane.test_udp_and_following import UdpClient
from tests.helpers.waiting import async_wait_until
from tests.unit.dataplane.builders import ZONES, load_balancer, snapshot, target, target_group

StartBackend = Callable[..., Awaitable[NameBackend]]
needs_kernel = pytest.mark.skipif(
    unavailable_reason() is not None, reason=str(unavailable_reason())
)


def _tables() -> str:
    return subprocess.run(["nft", "list", "tables", "ip"], capture_output=True, text=True).stdout


def _settings(tmp_path: Path) -> DataPlaneSettings:
    return DataPlaneSettings(
        workers=0,
        engine="kernel",
        hosts_path=None,
        hosts_owner=str(tmp_path),
        metrics_export_seconds=0.1,
    )


@needs_kernel
@pytest.mark.timeout(30)
async def test_kernel_counts_new_flows_bytes_each_way_open_flows_and_cross_zone(
    backends: StartBackend, vpc: int, tmp_path: Path
) -> None:
    here = await backends("here", f"127.{vpc}.1.1")
    there = await backends("there", f"127.{vpc}.17.1")
    node = f"127.{vpc}.0.100"
    port = free_port(node)
    lb = load_balancer({ZONES[0]: node, ZONES[1]: f"127.{vpc}.16.100"}, port=port, cross_zone=True)
    group = target_group(
        target(here.address, here.port, ZONES[0]), target(there.address, there.port, ZONES[1])
    )
    plane = DataPlane(dataclasses.replace(_settings(tmp_path), metrics_address=("127.0.0.1", 0)))
    await plane.start()
    try:
        await plane.apply(snapshot(1, lb, group))
        clients = [await LineClient.connect(node, port) for _ in range(20)]
        names = [await client.name() for client in clients]
        assert set(names) == {"here", "there"}
        await plane.refresh_kernel_counters()
        url = plane.metrics_url
        assert url is not None
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            text = await response.text()
        series = _series(text)
        new = {t: series[("localnlb_flows_new_total", t)] for t in ("here", "there")}
        assert new == {"here": names.count("here"), "there": names.count("there")}
        assert series[("localnlb_flows_active", "here")] == names.count("here")
        assert series[("localnlb_flows_cross_zone_total", "there")] == names.count("there")
        assert series[("localnlb_flows_cross_zone_total", "here")] == 0
        # "who\n" up, "<name> <peer> -\n" down, plus TCP/IP headers: counted by the kernel
        assert series[("localnlb_bytes_client_to_target_total", "here")] > 4 * new["here"]
        assert series[("localnlb_bytes_target_to_client_total", "there")] > 8 * new["there"]
    finally:
        await plane.stop(grace=0.0)


def _series(text: str) -> dict[tuple[str, str], float]:
    """(metric, target backend name) -> value summed over LB nodes; the backend named by its
    address's last octets."""
    names = {".1.1:": "here", ".17.1:": "there"}
    found: dict[tuple[str, str], float] = {}
    for line in text.splitlines():
        if line.startswith("#") or "{" not in line:
            continue
        metric, rest = line.split("{", 1)
        for fragment, name in names.items():
            if fragment in rest:
                key = (metric, name)
                found[key] = found.get(key, 0.0) + float(rest.rsplit(" ", 1)[1])
    return found


@needs_kernel
async def test_the_table_replaces_a_leftover_and_goes_away_on_stop(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    name = kernel_table_name(settings.hosts_owner)
    # What a data plane killed with SIGKILL leaves: its table, with a rule of its own.
    subprocess.run(["nft", "-f", "-"], input=f"add table ip {name}\n", text=True, check=True)
    plane = DataPlane(settings)
    await plane.start()
    try:
        assert f"table ip {name}" in _tables()
    finally:
        await plane.stop(grace=0.0)
    assert f"table ip {name}" not in _tables()


async def test_without_root_the_kernel_engine_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    plane = DataPlane(_settings(tmp_path))
    with pytest.raises(KernelPathError, match="needs root"):
        await plane.start()


@needs_kernel
@pytest.mark.timeout(30)
async def test_stop_lets_open_flows_finish_within_the_grace_then_resets_them(
    backends: StartBackend, vpc: int, tmp_path: Path
) -> None:
    backend = await backends("b", f"127.{vpc}.1.1")
    node = f"127.{vpc}.0.100"
    port = free_port(node)
    plane = DataPlane(_settings(tmp_path))
    await plane.start()
    await plane.apply(
        snapshot(1, load_balancer({ZONES[0]: node}, port=port), target_group(
            target(backend.address, backend.port)))
    )  # fmt: skip
    client = await LineClient.connect(node, port)
    assert await client.name() == "b"
    stopping = asyncio.create_task(plane.stop(grace=0.3))

    async def stopped() -> bool:
        return stopping.done()

    await async_wait_until(stopped, timeout=10, what="the stop")
    assert await client.state() == "reset"


@needs_kernel
@pytest.mark.timeout(30)
async def test_a_udp_flow_is_forgotten_after_its_idle_timeout_and_the_next_datagram_is_new(
    vpc: int, tmp_path: Path
) -> None:
    backend = await UdpNameBackend("u", f"127.{vpc}.1.1").start()
    plane = DataPlane(dataclasses.replace(_settings(tmp_path), udp_idle_timeout=1.0))
    await plane.start()
    loop = asyncio.get_running_loop()
    transport = None
    try:
        node = f"127.{vpc}.0.100"
        port = free_port(node)
        group = target_group(target(backend.address, backend.port), protocol="UDP")
        await plane.apply(
            snapshot(1, load_balancer({ZONES[0]: node}, port=port, protocol="UDP"), group)
        )
        transport, client = await loop.create_datagram_endpoint(
            UdpClient, local_addr=(f"127.{vpc}.200.1", 0), remote_addr=(node, port)
        )
        for payload in (b"one", b"two"):
            transport.sendto(payload)
            assert (await asyncio.wait_for(client.answers.get(), 5)).startswith("u ")
        # The target sees the client's own address and port (UDP always preserves it).
        assert set(backend.peers) == {transport.get_extra_info("sockname")[:2]}

        async def idled_out() -> bool:
            await plane.refresh_kernel_counters()
            values = next(iter(plane.kernel_counters().values()))
            return values[ACTIVE] == 0 and values[NEW] == 1

        await async_wait_until(idled_out, timeout=10, what="the UDP flow to idle out")
        transport.sendto(b"three")
        await asyncio.wait_for(client.answers.get(), 5)
        await plane.refresh_kernel_counters()
        assert next(iter(plane.kernel_counters().values()))[NEW] == 2  # a new flow
    finally:
        if transport is not None:
            transport.close()
        await backend.stop()
        await plane.stop(grace=0.0)
