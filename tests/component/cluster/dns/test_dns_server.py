"""The cluster DNS server over real sockets: UDP and TCP queries from dnspython's client, answers
that follow the API as objects change, and the kube-dns EndpointSlice it writes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import dns.asyncquery
import dns.message
import dns.rcode
import pytest

from localnlb.cluster.apiserver.serving.server import ApiServer
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.dns.component import ClusterDns
from localnlb.common import statedir
from localnlb.common.addressing import AddressPlan, build_address_plan
from tests.component.cluster.conftest import start_server
from tests.helpers.waiting import async_wait_until

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def plan(tmp_path: Path) -> AddressPlan:
    return build_address_plan(vpc_octet=statedir.vpc_octet_for(tmp_path))


@pytest.fixture
async def api_server(tmp_path: Path, plan: AddressPlan) -> AsyncIterator[ApiServer]:
    server = await start_server(tmp_path / "state", service_cidr=plan.service_cidr)
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def cluster_dns(api_server: ApiServer, plan: AddressPlan) -> AsyncIterator[ClusterDns]:
    assert api_server.registry is not None
    component = ClusterDns(api_server.registry, address=plan.cluster_dns_server, port=0)
    await component.start()
    try:
        yield component
    finally:
        await component.stop()


def create(registry: Registry, api_version: str, kind: str, namespace: str, body: Any) -> None:
    body = {"apiVersion": api_version, "kind": kind, **body}
    registry.create(registry.resource(api_version, kind), namespace, body, manager="test")


async def ask(
    server: ClusterDns, name: str, qtype: str = "A", *, tcp: bool = False
) -> dns.message.Message:
    query = dns.message.make_query(name, qtype)
    if tcp:
        return await dns.asyncquery.tcp(query, server.address, port=server.port, timeout=2)
    return await dns.asyncquery.udp(query, server.address, port=server.port, timeout=2)


def addresses(reply: dns.message.Message) -> list[str]:
    return sorted(r.to_text() for rrset in reply.answer for r in rrset)


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
async def test_service_names_answer_over_udp_and_tcp_as_the_api_changes(
    api_server: ApiServer, cluster_dns: ClusterDns, tcp: bool
) -> None:
    registry = api_server.registry
    assert registry is not None
    name = "ui.ui.svc.cluster.local"
    assert (await ask(cluster_dns, name, tcp=tcp)).rcode() == dns.rcode.NXDOMAIN
    create(registry, "v1", "Namespace", "", {"metadata": {"name": "ui"}})
    create(
        registry,
        "v1",
        "Service",
        "ui",
        {"metadata": {"name": "ui"}, "spec": {"ports": [{"name": "http", "port": 80}]}},
    )
    cluster_ip = registry.get(registry.resource("v1", "Service"), "ui", "ui")["spec"]["clusterIP"]

    async def resolved() -> list[str] | None:
        found = addresses(await ask(cluster_dns, name, tcp=tcp))
        return found or None

    assert await async_wait_until(resolved, timeout=5, what=name) == [cluster_ip]
    srv = await ask(cluster_dns, "_http._tcp." + name, "SRV", tcp=tcp)
    assert addresses(srv) == [f"0 100 80 {name}."]
    refused = await ask(cluster_dns, "example.com", tcp=tcp)
    assert refused.rcode() == dns.rcode.REFUSED
    assert not refused.answer


async def test_kube_dns_service_and_its_endpoint_slice(
    api_server: ApiServer, cluster_dns: ClusterDns, plan: AddressPlan
) -> None:
    registry = api_server.registry
    assert registry is not None
    service = registry.get(registry.resource("v1", "Service"), "kube-system", "kube-dns")
    assert service["spec"]["clusterIP"] == str(plan.service_cidr.network_address + 10)
    assert [(p["name"], p["port"], p["protocol"]) for p in service["spec"]["ports"]] == [
        ("dns", 53, "UDP"),
        ("dns-tcp", 53, "TCP"),
    ]
    slice_type = registry.resource("discovery.k8s.io/v1", "EndpointSlice")
    endpoint_slice = registry.get(slice_type, "kube-system", "kube-dns")
    assert endpoint_slice["metadata"]["labels"]["kubernetes.io/service-name"] == "kube-dns"
    assert endpoint_slice["endpoints"] == [
        {
            "addresses": [plan.cluster_dns_server],
            "conditions": {"ready": True, "serving": True, "terminating": False},
        }
    ]
    assert {p["port"] for p in endpoint_slice["ports"]} == {cluster_dns.port}
    # the server answers for itself
    reply = await ask(cluster_dns, "kube-dns.kube-system.svc.cluster.local")
    assert addresses(reply) == [service["spec"]["clusterIP"]]
    await cluster_dns.stop()
    stopped = registry.get(slice_type, "kube-system", "kube-dns")
    assert stopped["endpoints"][0]["conditions"]["ready"] is False


async def test_stop_closes_idle_tcp_connections(cluster_dns: ClusterDns) -> None:
    reader, writer = await asyncio.open_connection(cluster_dns.address, cluster_dns.port)
    try:
        query = dns.message.make_query("kube-dns.kube-system.svc.cluster.local", "A").to_wire()
        writer.write(len(query).to_bytes(2, "big") + query)
        size = int.from_bytes(await asyncio.wait_for(reader.readexactly(2), 2), "big")
        assert dns.message.from_wire(await reader.readexactly(size)).answer
        await cluster_dns.server.stop()  # the connection is idle, waiting for a next query
        assert await asyncio.wait_for(reader.read(), 2) == b""
    finally:
        writer.close()
