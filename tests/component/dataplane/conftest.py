"""Fixtures for data-plane component tests: a private VPC octet, backends, an in-loop DataPlane."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from localnlb.dataplane.kernel.netfilter import unavailable_reason
from localnlb.dataplane.service import DataPlane
from localnlb.dataplane.settings import ENGINES, DataPlaneSettings
from tests.component.dataplane.backends import NameBackend
from tests.component.dataplane.client import LineClient
from tests.helpers.octets import random_octet


@pytest.fixture
def vpc() -> int:
    """A VPC octet of this test's own, so parallel tests never share addresses."""
    return random_octet()


def free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    yield
    await LineClient.close_all()


def _engine_param(engine: str) -> object:
    marks = []
    if engine == "kernel":
        reason = unavailable_reason()
        # Machines of this kind run as root with nftables (make install sees to it); a developer
        # box without them is told why rather than silently passing.
        marks.append(pytest.mark.skipif(reason is not None, reason=reason or ""))
    return pytest.param(engine, marks=marks, id=engine)


@pytest.fixture(params=[_engine_param(e) for e in ENGINES])
def engine(request: pytest.FixtureRequest) -> str:
    """Every data-plane behaviour test runs on both engines unless marked ``user_engine_only``."""
    marker = request.node.get_closest_marker("user_engine_only")
    if marker is not None and request.param != "user":
        pytest.skip(f"kernel engine: {marker.args[0]}")
    return str(request.param)


@pytest.fixture
async def dataplane(tmp_path: Path, engine: str) -> AsyncIterator[DataPlane]:
    settings = DataPlaneSettings(
        workers=0,
        engine=engine,
        hosts_path=tmp_path / "hosts",
        hosts_owner=str(tmp_path),
        connect_timeout=2.0,
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
