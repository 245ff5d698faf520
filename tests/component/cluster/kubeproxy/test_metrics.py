"""The extra hop is real and counted: connections, bytes and cross-node flows per node."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from prometheus_client import CollectorRegistry

from localnlb.cluster.kubeproxy.proxier import Proxier
from localnlb.cluster.kubeproxy.rules import build_proxy_table
from tests.component.cluster.kubeproxy.backends import PodServer
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


def sample(registry: CollectorRegistry, name: str, node: str, **labels: str) -> float:
    wanted = {"node": node, "namespace": "shop", "service": "ui", "port": "web", "protocol": "TCP"}
    return registry.get_sample_value(name, {**wanted, **labels}) or 0.0


async def test_connections_bytes_and_cross_node_hops_are_counted_per_node(
    net: Net,
    pods: Callable[[str, str], Awaitable[PodServer]],
    proxiers: Callable[..., Awaitable[Proxier]],
    connect: Callable[..., Awaitable[Client]],
    registry: CollectorRegistry,
) -> None:
    pod_a = await pods("pod-a", net.pod_ip(NODE_A, 5))
    pod_b = await pods("pod-b", net.pod_ip(NODE_B, 5))
    node_port = free_port(net.node_b)
    services = [service("ui", node_port=node_port)]
    slices = endpoint_slices("ui", [(pod_a, NODE_A), (pod_b, NODE_B)])
    on_b = await proxiers(NODE_B, net.node_b)
    await on_b.apply(build_proxy_table(NODE_B, services, slices))

    hops = {"pod-a": 0, "pod-b": 0}
    sent = received = 0
    for _ in range(12):
        client = await connect(net.node_b, node_port)
        name, peer = await client.ask("hello")
        hops[name] += 1
        sent += len("hello\n")
        received += len(f"{name} {peer} 6\n")
        await client.close()
    assert all(hops.values()), hops  # both pods reached from node B

    def connections(cross: str) -> float:
        return sample(registry, "localnlb_kubeproxy_connections_total", NODE_B, cross_node=cross)

    assert connections("true") == hops["pod-a"]  # pod-a sits on node A: each one an extra hop
    assert connections("false") == hops["pod-b"]

    def bytes_total(direction: str) -> float:
        return sum(
            sample(
                registry,
                "localnlb_kubeproxy_bytes_total",
                NODE_B,
                cross_node=cross,
                direction=direction,
            )
            for cross in ("true", "false")
        )

    async def all_ended() -> bool:  # counted when each flow has ended on the proxy's side too
        return (bytes_total("to_endpoint"), bytes_total("to_client")) == (sent, received)

    await async_wait_until(all_ended, what="bytes of ended flows counted")
    active = sample(registry, "localnlb_kubeproxy_connections_active", NODE_B, cross_node="true")
    assert active == 0
    assert sample(registry, "localnlb_kubeproxy_connections_total", NODE_A, cross_node="true") == 0


async def test_refused_connections_are_counted(
    net: Net,
    proxiers: Callable[..., Awaitable[Proxier]],
    connect: Callable[..., Awaitable[Client]],
    registry: CollectorRegistry,
) -> None:
    node_port = free_port(net.node_a)
    proxier = await proxiers(NODE_A, net.node_a)
    await proxier.apply(build_proxy_table(NODE_A, [service("ui", node_port=node_port)], []))
    assert await (await connect(net.node_a, node_port)).was_reset()
    assert sample(registry, "localnlb_kubeproxy_connections_refused_total", NODE_A) == 1
