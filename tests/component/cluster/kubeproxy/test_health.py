"""kube-proxy's health endpoints on real ports: healthCheckNodePort per Local Service, :10256."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

from localnlb.cluster.kubeproxy.healthcheck import HEALTHZ_PORT, proxy_healthz, proxy_livez
from localnlb.cluster.kubeproxy.proxier import Proxier
from localnlb.cluster.kubeproxy.rules import build_proxy_table
from localnlb.common.clock import FakeClock
from tests.component.cluster.kubeproxy.backends import PodServer
from tests.component.cluster.kubeproxy.conftest import (
    NODE_A,
    NODE_B,
    Net,
    endpoint_slices,
    free_port,
    service,
)

pytestmark = pytest.mark.timeout(30)

Pods = Callable[[str, str], Awaitable[PodServer]]
Proxiers = Callable[..., Awaitable[Proxier]]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, str, dict[str, str]]:
    async with http.get(url) as response:
        return response.status, await response.text(), dict(response.headers)


async def test_health_check_node_port_is_200_with_a_local_endpoint_and_503_without(
    net: Net, pods: Pods, proxiers: Proxiers, http: aiohttp.ClientSession
) -> None:
    pod = await pods("pod-a", net.pod_ip(NODE_A, 5))
    node_port, health_port = free_port(net.node_a), free_port(net.node_a)
    services = [
        service("ui", node_port=node_port, policy="Local", health_check_node_port=health_port)
    ]
    slices = endpoint_slices("ui", [(pod, NODE_A)])
    on_a = await proxiers(NODE_A, net.node_a)
    on_b = await proxiers(NODE_B, net.node_b)
    await on_a.apply(build_proxy_table(NODE_A, services, slices))
    await on_b.apply(build_proxy_table(NODE_B, services, slices))

    status, body, headers = await get(http, f"http://{net.node_a}:{health_port}/healthz")
    assert status == 200
    assert json.loads(body) == {
        "service": {"namespace": "shop", "name": "ui"},
        "localEndpoints": 1,
        "serviceProxyHealthy": True,
    }
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Load-Balancing-Endpoint-Weight"] == "1"

    status, body, headers = await get(http, f"http://{net.node_b}:{health_port}/any/path")
    assert status == 503
    assert json.loads(body)["localEndpoints"] == 0
    assert headers["X-Load-Balancing-Endpoint-Weight"] == "0"

    # The pod leaves node A: same server, new answer; then the Service goes: the port closes.
    await on_a.apply(build_proxy_table(NODE_A, services, []))
    assert (await get(http, f"http://{net.node_a}:{health_port}/"))[0] == 503
    await on_a.apply(build_proxy_table(NODE_A, [], []))
    with pytest.raises(aiohttp.ClientConnectorError):
        await get(http, f"http://{net.node_a}:{health_port}/")


async def test_proxy_healthz_and_livez_on_10256_answer_upstreams_json(
    net: Net, proxiers: Proxiers, http: aiohttp.ClientSession
) -> None:
    clock = FakeClock()
    proxier = await proxiers(NODE_A, net.node_a, clock=clock)
    assert proxier.bound_address == (net.node_a, HEALTHZ_PORT)
    clock.advance(2.5)
    base = f"http://{net.node_a}:{HEALTHZ_PORT}"

    status, body, headers = await get(http, f"{base}/healthz")
    assert status == 200
    assert body == proxy_healthz(wall=clock.wall(), monotonic=2.5).body
    assert json.loads(body)["nodeEligible"] is True
    assert json.loads(body)["currentTime"].endswith(" +0000 UTC m=+2.500000000")
    assert headers["Content-Type"] == "application/json"

    status, body, _ = await get(http, f"{base}/livez")
    assert (status, body) == (200, proxy_livez(wall=clock.wall(), monotonic=2.5).body)
    assert set(json.loads(body)) == {"lastUpdated", "currentTime"}

    assert (await get(http, f"{base}/metrics"))[:2] == (404, "404 page not found\n")
