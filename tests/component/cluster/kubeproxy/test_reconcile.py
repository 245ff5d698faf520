"""Reconciling a node to its table: before start, and around ports that cannot be bound."""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable

import pytest

from localnlb.cluster.kubeproxy.proxier import Proxier
from localnlb.cluster.kubeproxy.rules import build_proxy_table
from tests.component.cluster.kubeproxy.backends import PodServer
from tests.component.cluster.kubeproxy.conftest import (
    NODE_A,
    Client,
    Net,
    endpoint_slices,
    free_port,
    service,
)

pytestmark = pytest.mark.timeout(30)


async def test_a_table_applied_before_start_is_served_at_start(
    net: Net,
    pods: Callable[[str, str], Awaitable[PodServer]],
    connect: Callable[..., Awaitable[Client]],
) -> None:
    pod = await pods("pod", net.pod_ip(NODE_A, 5))
    node_port = free_port(net.node_a)
    proxier = Proxier(node_name=NODE_A, node_ip=net.node_a, healthz_port=0)
    try:
        table = build_proxy_table(
            NODE_A, [service("ui", node_port=node_port)], endpoint_slices("ui", [(pod, NODE_A)])
        )
        await proxier.apply(table)
        assert proxier.listening() == []
        await proxier.start()
        assert proxier.bound_address[1] != 0
        assert (await (await connect(net.node_a, node_port)).ask()) == ("pod", net.node_a)
    finally:
        await proxier.stop(grace=0.0)
    assert proxier.listening() == []


async def test_a_port_in_use_is_reported_and_retried_while_the_others_work(
    net: Net,
    pods: Callable[[str, str], Awaitable[PodServer]],
    proxiers: Callable[..., Awaitable[Proxier]],
    connect: Callable[..., Awaitable[Client]],
) -> None:
    pod = await pods("pod", net.pod_ip(NODE_A, 6))
    taken_port, free, health_port = (free_port(net.node_a) for _ in range(3))
    squatter = socket.create_server((net.node_a, taken_port))
    health_squatter = socket.create_server((net.node_a, health_port))
    try:
        services = [
            service("ui", node_port=taken_port),
            service("api", node_port=free, policy="Local", health_check_node_port=health_port),
        ]
        slices = endpoint_slices("ui", [(pod, NODE_A)]) + endpoint_slices("api", [(pod, NODE_A)])
        table = build_proxy_table(NODE_A, services, slices)
        proxier = await proxiers(NODE_A, net.node_a)
        await proxier.apply(table)
        assert list(proxier.binding_errors) == [("TCP", taken_port)]
        assert list(proxier.health_check_errors) == [health_port]
        assert proxier.listening() == [("TCP", free)]
        assert (await (await connect(net.node_a, free)).ask())[0] == "pod"
    finally:
        squatter.close()
        health_squatter.close()

    await proxier.apply(table)  # the next update tries again
    assert proxier.binding_errors == {}
    assert proxier.health_check_errors == {}
    assert (await (await connect(net.node_a, taken_port)).ask())[0] == "pod"
