"""ClusterIP forwarding over loopback, on both engines (user-space listeners and the kernel's
nftables DNAT): real clients dial a ClusterIP in the VPC's Service range and real pods answer;
affinity, refusal and clean stops as kube-proxy gives them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from localnlb.cluster.kubeproxy.service_ip_kernel import (
    ServiceIpKernelProxy,
    kernel_unavailable_reason,
)
from localnlb.cluster.kubeproxy.service_ip_proxy import ServiceIpProxy
from localnlb.cluster.kubeproxy.service_ips import build_service_ip_table
from tests.component.cluster.kubeproxy.backends import PodServer
from tests.component.cluster.kubeproxy.conftest import NODE_A, NODE_B, Client, Net, endpoint_slices
from tests.component.cluster.kubeproxy.test_forwarding import reach_all, refused

pytestmark = pytest.mark.timeout(30)

Pods = Callable[[str, str], Awaitable[PodServer]]
Connect = Callable[..., Awaitable[Client]]


def cluster_ip_service(net: Net, **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "ui", "namespace": "shop"},
        "spec": {
            "type": "ClusterIP",
            "clusterIP": f"127.{net.vpc}.200.7",
            "ports": [{"name": "web", "port": 80, "protocol": "TCP"}],
            **spec,
        },
    }


Proxy = ServiceIpProxy | ServiceIpKernelProxy


@pytest.fixture(params=["user", "kernel"])
async def proxy(request: pytest.FixtureRequest, net: Net) -> AsyncIterator[Proxy]:
    started: Proxy
    if request.param == "kernel":
        reason = kernel_unavailable_reason()
        if reason is not None:
            pytest.skip(reason)
        started = ServiceIpKernelProxy(owner=f"test-{net.vpc}-{id(request)}")
    else:
        started = ServiceIpProxy()
    await started.start()
    try:
        yield started
    finally:
        await started.stop(grace=0.0)


async def two_pods(net: Net, pods: Pods) -> list[tuple[PodServer, str]]:
    a = await pods("pod-a", net.pod_ip(NODE_A, 5))
    b = await pods("pod-b", net.pod_ip(NODE_B, 5))
    return [(a, NODE_A), (b, NODE_B)]


async def test_the_cluster_ip_reaches_every_pod_and_the_pod_sees_the_client(
    net: Net, pods: Pods, proxy: Proxy, connect: Connect
) -> None:
    backends = await two_pods(net, pods)
    service = cluster_ip_service(net)
    await proxy.apply(build_service_ip_table([service], endpoint_slices("ui", backends)))
    seen = await reach_all(connect, f"127.{net.vpc}.200.7", 80, {"pod-a", "pod-b"})
    assert set(seen.values()) == {"127.0.0.1"}  # no SNAT for ClusterIP traffic


async def test_client_ip_affinity_keeps_a_client_on_one_pod(
    net: Net, pods: Pods, proxy: Proxy, connect: Connect
) -> None:
    backends = await two_pods(net, pods)
    service = cluster_ip_service(net, sessionAffinity="ClientIP")
    await proxy.apply(build_service_ip_table([service], endpoint_slices("ui", backends)))
    answered = set()
    for _ in range(20):
        client = await connect(f"127.{net.vpc}.200.7", 80)
        answered.add((await client.ask())[0])
        await client.close()
    assert len(answered) == 1, answered


async def test_no_endpoint_refuses_and_a_removed_service_stops_listening(
    net: Net, proxy: Proxy, connect: Connect
) -> None:
    await proxy.apply(build_service_ip_table([cluster_ip_service(net)], []))
    # The kernel answers the SYN itself (connection refused, as kube-proxy's REJECT rule does);
    # the user-space listener accepts, then resets.
    if not await refused(f"127.{net.vpc}.200.7", 80):
        client = await connect(f"127.{net.vpc}.200.7", 80)
        assert await client.was_reset()
    await proxy.apply(())
    assert await refused(f"127.{net.vpc}.200.7", 80)


async def test_user_engine_stop_resets_open_flows_after_the_grace(
    net: Net, pods: Pods, connect: Connect
) -> None:
    backends = await two_pods(net, pods)
    proxy = ServiceIpProxy()
    await proxy.start()
    await proxy.apply(
        build_service_ip_table([cluster_ip_service(net)], endpoint_slices("ui", backends))
    )
    client = await connect(f"127.{net.vpc}.200.7", 80)
    await client.ask()
    await asyncio.wait_for(proxy.stop(grace=0.2), 5)
    assert await client.was_reset()
    assert await refused(f"127.{net.vpc}.200.7", 80)
