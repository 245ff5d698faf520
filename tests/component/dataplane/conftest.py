"""Fixtures for data-plane component tests: a private VPC octet, backends, an in-loop DataPlane."""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from localnlb.dataplane.service import DataPlane
from localnlb.dataplane.settings import DataPlaneSettings
from tests.component.dataplane.backends import NameBackend
from tests.component.dataplane.client import LineClient


@pytest.fixture
def vpc() -> int:
    """A VPC octet of this test's own, so parallel tests never share addresses."""
    return random.randint(150, 250)


def free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    yield
    await LineClient.close_all()


@pytest.fixture
async def dataplane(tmp_path: Path) -> AsyncIterator[DataPlane]:
    settings = DataPlaneSettings(
        workers=0, hosts_path=tmp_path / "hosts", hosts_owner=str(tmp_path), connect_timeout=2.0
    )
    plane = DataPlane(settings)
    await plane.start()
    try:
        yield plane
    finally:
        await plane.stop(grace=0.0)


@pytest.fixture
async def backends() -> AsyncIterator[Callable[..., Awaitable[NameBackend]]]:
    started: list[NameBackend] = []

    async def start(name: str, address: str, **options: bool) -> NameBackend:
        backend = await NameBackend(name, address, **options).start()
        started.append(backend)
        return backend

    try:
        yield start
    finally:
        await asyncio.gather(*(b.stop() for b in started))
