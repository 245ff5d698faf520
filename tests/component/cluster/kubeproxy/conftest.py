"""Fixtures for kube-proxy component tests: a private address block, pods, clients, proxiers.

Every test gets its own VPC octet, so its node IPs (and their port 10256) are its own even when
tests run in parallel. Pods, clients and proxiers are stopped when the test ends, failed or not.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from localnlb.cluster.kubeproxy.metrics import ProxyMetrics
from localnlb.cluster.kubeproxy.proxier import Proxier
from localnlb.common.clock import Clock
from tests.component.cluster.kubeproxy.backends import PodServer, UdpPodServer
from tests.helpers.octets import random_octet

NODE_A, NODE_B = "node-a", "node-b"


@dataclass(frozen=True)
class Net:
    """Two nodes in two AZ subnets of ``127.V.0.0/16``, as the address plan lays them out."""

    vpc: int
    host: int  # the nodes' last octet, in the instances' range .0.10 - .0.99

    @property
    def node_a(self) -> str:
        return f"127.{self.vpc}.0.{self.host}"

    @property
    def node_b(self) -> str:
        return f"127.{self.vpc}.16.{self.host}"

    def pod_ip(self, node: str, index: int) -> str:
        return f"127.{self.vpc}.{1 if node == NODE_A else 17}.{index}"

    def node_ip(self, node: str) -> str:
        return self.node_a if node == NODE_A else self.node_b


@pytest.fixture
def net() -> Net:
    return Net(random_octet(), random.randint(10, 99))


def free_port(address: str, kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


# -- Kubernetes objects, as the API server would hand them to build_proxy_table ------------------


def service(
    name: str,
    *,
    node_port: int,
    policy: str = "Cluster",
    health_check_node_port: int | None = None,
    protocol: str = "TCP",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "LoadBalancer",
        "externalTrafficPolicy": policy,
        "ports": [{"name": "web", "port": 80, "nodePort": node_port, "protocol": protocol}],
    }
    if health_check_node_port is not None:
        spec["healthCheckNodePort"] = health_check_node_port
    return {"metadata": {"name": name, "namespace": "shop"}, "spec": spec}


def endpoint_slices(
    name: str, pods: Iterable[tuple[PodServer | UdpPodServer, str]], *, protocol: str = "TCP"
) -> list[dict[str, Any]]:
    """One slice per pod (each pod listens on its own port), as (pod, node name) pairs."""
    return [
        {
            "metadata": {"namespace": "shop", "labels": {"kubernetes.io/service-name": name}},
            "ports": [{"name": "web", "port": pod.port, "protocol": protocol}],
            "endpoints": [
                {"addresses": [pod.address], "nodeName": node, "conditions": {"ready": True}}
            ],
        }
        for pod, node in pods
    ]


# -- pods, clients, proxiers -------------------------------------------------------------------


@pytest.fixture
async def pods() -> AsyncIterator[Callable[[str, str], Awaitable[PodServer]]]:
    started: list[PodServer] = []

    async def start(name: str, address: str) -> PodServer:
        pod = await PodServer(name, address).start()
        started.append(pod)
        return pod

    try:
        yield start
    finally:
        await asyncio.gather(*(pod.stop() for pod in started))


class Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def ask(self, line: str = "who") -> tuple[str, str]:
        """(pod name, source address the pod saw)."""
        self.writer.write(f"{line}\n".encode())
        answer = await asyncio.wait_for(self.reader.readline(), 5)
        if not answer:
            raise ConnectionResetError("closed without an answer")
        name, peer, _ = answer.decode().split()
        return name, peer

    async def was_reset(self) -> bool:
        """True when the proxy reset the connection instead of relaying it."""
        try:
            self.writer.write(b"who\n")
            await asyncio.wait_for(self.reader.readline(), 5)
        except (ConnectionResetError, BrokenPipeError):
            return True
        return False

    async def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):
            self.writer.close()
            await self.writer.wait_closed()


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., Awaitable[Client]]]:
    opened: list[Client] = []

    async def open_client(address: str, port: int, *, source: str | None = None) -> Client:
        reader, writer = await asyncio.open_connection(
            address, port, local_addr=(source, 0) if source else None
        )
        client = Client(reader, writer)
        opened.append(client)
        return client

    try:
        yield open_client
    finally:
        for client in opened:
            await client.close()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def proxiers(
    registry: CollectorRegistry,
) -> AsyncIterator[Callable[..., Awaitable[Proxier]]]:
    metrics = ProxyMetrics(registry)
    started: list[Proxier] = []

    async def start(node: str, node_ip: str, *, clock: Clock | None = None) -> Proxier:
        proxier = Proxier(
            node_name=node, node_ip=node_ip, metrics=metrics, clock=clock, rng=random.Random(7)
        )
        started.append(proxier)
        await proxier.start()
        return proxier

    try:
        yield start
    finally:
        for proxier in started:
            await proxier.stop(grace=0.0)
