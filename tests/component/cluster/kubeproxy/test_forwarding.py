"""NodePort forwarding over loopback: real clients, real pods on pod IPs, one proxier per node."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from functools import partial

import pytest

from localnlb.cluster.kubeproxy.proxier import Proxier
from localnlb.cluster.kubeproxy.rules import build_proxy_table
from tests.component.cluster.kubeproxy.backends import PodServer, UdpPodServer
from tests.component.cluster.kubeproxy.conftest import (
    NODE_A,
    NODE_B,
    Client,
    Net,
    endpoint_slices,
    free_port,
    service,
)
from tests.helpers.waiting import async_wait_until

pytestmark = pytest.mark.timeout(30)

Pods = Callable[[str, str], Awaitable[PodServer]]
Proxiers = Callable[..., Awaitable[Proxier]]
Connect = Callable[..., Awaitable[Client]]


async def refused(address: str, port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(address, port)
    except ConnectionRefusedError:
        return True
    writer.close()
    await writer.wait_closed()
    return False


async def reach_all(
    connect: Connect, address: str, port: int, names: set[str], *, source: str | None = None
) -> dict[str, str]:
    """Open new connections until every pod in ``names`` answered; pod -> source it saw."""
    seen: dict[str, str] = {}
    for _ in range(40):
        client = await connect(address, port, source=source)
        name, peer = await client.ask()
        seen[name] = peer
        await client.close()
        if set(seen) == names:
            return seen
    raise AssertionError(f"only {sorted(seen)} of {sorted(names)} answered in 40 connections")


async def test_cluster_policy_forwards_from_every_node_to_every_pod_with_snat(
    net: Net, pods: Pods, proxiers: Proxiers, connect: Connect
) -> None:
    pod_a = await pods("pod-a", net.pod_ip(NODE_A, 5))
    pod_b = await pods("pod-b", net.pod_ip(NODE_B, 5))
    node_port = free_port(net.node_a)
    services = [service("ui", node_port=node_port)]
    slices = endpoint_slices("ui", [(pod_a, NODE_A), (pod_b, NODE_B)])

    for node in (NODE_A, NODE_B):
        proxier = await proxiers(node, net.node_ip(node))
        await proxier.apply(build_proxy_table(node, services, slices))
        seen = await reach_all(connect, net.node_ip(node), node_port, {"pod-a", "pod-b"})
        # SNAT: whichever node the pod is on, it sees the address of the node that forwarded.
        assert seen == {"pod-a": net.node_ip(node), "pod-b": net.node_ip(node)}
    assert net.node_b in pod_a.peers  # node B's proxier really hopped to the pod on node A


async def test_local_policy_keeps_the_client_address_and_refuses_without_local_pods(
    net: Net, pods: Pods, proxiers: Proxiers, connect: Connect
) -> None:
    pod_a = await pods("pod-a", net.pod_ip(NODE_A, 6))
    node_port = free_port(net.node_a)
    services = [service("ui", node_port=node_port, policy="Local")]
    slices = endpoint_slices("ui", [(pod_a, NODE_A)])
    on_a = await proxiers(NODE_A, net.node_a)
    on_b = await proxiers(NODE_B, net.node_b)
    await on_a.apply(build_proxy_table(NODE_A, services, slices))
    await on_b.apply(build_proxy_table(NODE_B, services, slices))

    client = await connect(net.node_a, node_port, source="127.0.0.99")
    assert await client.ask() == ("pod-a", "127.0.0.99")

    refused = await connect(net.node_b, node_port, source="127.0.0.99")
    assert await refused.was_reset()
    assert pod_a.peers == ["127.0.0.99"]


async def test_new_endpoints_take_new_connections_while_open_ones_keep_working(
    net: Net, pods: Pods, proxiers: Proxiers, connect: Connect
) -> None:
    old = await pods("old", net.pod_ip(NODE_A, 7))
    new = await pods("new", net.pod_ip(NODE_B, 7))
    node_port = free_port(net.node_a)
    services = [service("ui", node_port=node_port)]
    proxier = await proxiers(NODE_A, net.node_a)
    await proxier.apply(build_proxy_table(NODE_A, services, endpoint_slices("ui", [(old, NODE_A)])))
    established = await connect(net.node_a, node_port)
    assert (await established.ask())[0] == "old"

    await proxier.apply(build_proxy_table(NODE_A, services, endpoint_slices("ui", [(new, NODE_B)])))
    for _ in range(5):
        fresh = await connect(net.node_a, node_port)
        assert (await fresh.ask())[0] == "new"
    assert (await established.ask())[0] == "old"  # same listener, same flow, still relaying
    assert proxier.listening() == [("TCP", node_port)]

    await proxier.apply(build_proxy_table(NODE_A, services, []))  # no endpoints: refuse
    assert await (await connect(net.node_a, node_port)).was_reset()
    assert (await established.ask())[0] == "old"


async def test_a_removed_rule_closes_its_listener_and_stop_leaves_nothing_listening(
    net: Net, pods: Pods, proxiers: Proxiers, connect: Connect
) -> None:
    pod = await pods("pod", net.pod_ip(NODE_A, 8))
    kept, removed = free_port(net.node_a), free_port(net.node_a)
    slices = endpoint_slices("ui", [(pod, NODE_A)]) + endpoint_slices("api", [(pod, NODE_A)])
    proxier = await proxiers(NODE_A, net.node_a)
    both = [service("ui", node_port=kept), service("api", node_port=removed)]
    await proxier.apply(build_proxy_table(NODE_A, both, slices))
    established = await connect(net.node_a, removed)
    assert (await established.ask())[0] == "pod"

    await proxier.apply(build_proxy_table(NODE_A, both[:1], slices))
    with pytest.raises(ConnectionRefusedError):
        await connect(net.node_a, removed)
    assert (await established.ask())[0] == "pod"  # accepted flows outlive their listener
    other = await connect(net.node_a, kept)
    assert (await other.ask())[0] == "pod"

    stopping = asyncio.ensure_future(proxier.stop(grace=5.0))
    try:
        for port in (kept, proxier.bound_address[1]):
            await async_wait_until(partial(refused, net.node_a, port), what=f"{port} closed")
        assert not stopping.done()  # it waits for the open flows
        await established.close()  # the last flows end: stop returns before its grace is up
        await other.close()
        await asyncio.wait_for(asyncio.shield(stopping), 4)
    finally:
        await stopping


async def test_stop_resets_flows_still_open_after_the_grace(
    net: Net, pods: Pods, proxiers: Proxiers, connect: Connect
) -> None:
    pod = await pods("pod", net.pod_ip(NODE_A, 9))
    node_port = free_port(net.node_a)
    proxier = await proxiers(NODE_A, net.node_a)
    services = [service("ui", node_port=node_port)]
    await proxier.apply(build_proxy_table(NODE_A, services, endpoint_slices("ui", [(pod, NODE_A)])))
    client = await connect(net.node_a, node_port)
    assert (await client.ask())[0] == "pod"
    await proxier.stop(grace=0.05)
    assert await client.was_reset()


async def test_udp_node_port_relays_datagrams_with_snat(net: Net, proxiers: Proxiers) -> None:
    pod = await UdpPodServer("dns-pod", net.pod_ip(NODE_B, 10)).start()
    loop = asyncio.get_running_loop()
    answers: asyncio.Queue[bytes] = asyncio.Queue()

    class Receiver(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            answers.put_nowait(data)

    node_port = free_port(net.node_a, kind=socket.SOCK_DGRAM)
    transport, _ = await loop.create_datagram_endpoint(
        Receiver, remote_addr=(net.node_a, node_port), local_addr=("127.0.0.99", 0)
    )
    try:
        services = [service("dns", node_port=node_port, protocol="UDP")]
        slices = endpoint_slices("dns", [(pod, NODE_B)], protocol="UDP")
        proxier = await proxiers(NODE_A, net.node_a)
        await proxier.apply(build_proxy_table(NODE_A, services, slices))
        assert proxier.listening() == [("UDP", node_port)]
        transport.sendto(b"who")
        assert await asyncio.wait_for(answers.get(), 5) == f"dns-pod {net.node_a}".encode()
    finally:
        transport.close()
        await pod.stop()
