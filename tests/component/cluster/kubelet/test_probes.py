"""Probe executors against real sockets and processes, with the kubelet's failure wording."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from localnlb.cluster.kubelet.podspec import PortSpec, ProbeAction, ProbeKind, ProbeSpec
from localnlb.cluster.kubelet.probes import PROBE_USER_AGENT, ProbeOutcome, run_probe

HOST = "127.0.0.1"


@pytest.fixture
async def server() -> AsyncIterator[tuple[int, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append(dict(request.headers))
        status = int(request.match_info["status"])
        if status == 302:
            raise web.HTTPFound("http://elsewhere.invalid/")
        return web.Response(status=status)

    app = web.Application()
    app.router.add_get("/status/{status}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, HOST, 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield port, seen
    finally:
        await runner.cleanup()


def command_lines() -> list[bytes]:
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes())
        except OSError:  # it went away meanwhile
            continue
    return lines


def closed_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


async def probe(action: ProbeAction, handler: dict[str, Any], timeout: float = 1.0) -> ProbeOutcome:
    spec = ProbeSpec(kind=ProbeKind.LIVENESS, action=action, handler=handler, timeout=timeout)
    ports = (PortSpec(name="http", container_port=handler.get("port", 0) or 0, protocol="TCP"),)
    return await run_probe(
        spec, pod_ip=HOST, ports=ports, env={"PATH": "/usr/bin:/bin"}, working_dir="/"
    )


@pytest.mark.parametrize(
    ("status", "ok"), [(200, True), (302, True), (399, True), (404, False), (500, False)]
)
async def test_http_get_passes_on_200_to_399(
    server: tuple[int, list[dict[str, str]]], status: int, ok: bool
) -> None:
    port, seen = server
    outcome = await probe(ProbeAction.HTTP_GET, {"path": f"/status/{status}", "port": port})
    assert outcome.ok is ok
    if not ok:
        assert outcome.message == f"HTTP probe failed with statuscode: {status}"
    assert seen[-1]["User-Agent"] == PROBE_USER_AGENT


async def test_http_get_by_port_name_with_headers(server: tuple[int, list[dict[str, str]]]) -> None:
    port, seen = server
    spec = ProbeSpec(
        kind=ProbeKind.READINESS,
        action=ProbeAction.HTTP_GET,
        handler={
            "path": "status/200",
            "port": "web",
            "httpHeaders": [{"name": "X-Probe", "value": "1"}],
        },
    )
    outcome = await run_probe(
        spec, pod_ip=HOST, ports=(PortSpec("web", port, "TCP"),), env={}, working_dir="/"
    )
    assert outcome.ok
    assert seen[-1]["X-Probe"] == "1"


async def test_refused_connections_are_worded_as_go_dials() -> None:
    port = closed_port()
    http = await probe(ProbeAction.HTTP_GET, {"path": "/healthz", "port": port})
    assert http == ProbeOutcome(
        False,
        f'Get "http://{HOST}:{port}/healthz": dial tcp {HOST}:{port}: connect: connection refused',
    )
    tcp = await probe(ProbeAction.TCP_SOCKET, {"port": port})
    assert tcp == ProbeOutcome(False, f"dial tcp {HOST}:{port}: connect: connection refused")


@pytest.mark.parametrize("host", ["192.0.2.10", "example.com"])
async def test_probes_never_dial_off_this_machine(host: str) -> None:
    http = await probe(ProbeAction.HTTP_GET, {"host": host, "path": "/", "port": 80})
    assert http == ProbeOutcome(
        False, f"http://{host}:80/: localnlb probes loopback addresses only"
    )
    tcp = await probe(ProbeAction.TCP_SOCKET, {"host": host, "port": 80})
    assert not tcp.ok


async def test_tcp_socket_passes_when_something_listens(
    server: tuple[int, list[dict[str, str]]],
) -> None:
    assert (await probe(ProbeAction.TCP_SOCKET, {"port": server[0]})).ok


async def test_an_unknown_named_port_fails() -> None:
    outcome = await probe(ProbeAction.TCP_SOCKET, {"port": "nope"})
    assert outcome == ProbeOutcome(False, "unknown port 'nope'")


async def test_exec_passes_on_exit_0_and_reports_output() -> None:
    assert (await probe(ProbeAction.EXEC, {"command": ["true"]})).ok
    failed = await probe(ProbeAction.EXEC, {"command": ["sh", "-c", "echo not healthy; exit 1"]})
    assert failed == ProbeOutcome(False, "not healthy\n")
    missing = await probe(ProbeAction.EXEC, {"command": ["no-such-probe-binary"]})
    assert missing == ProbeOutcome(
        False, 'exec: "no-such-probe-binary": executable file not found in $PATH'
    )


@pytest.mark.timeout(10)
async def test_a_probe_that_outlives_its_timeout_fails_and_leaves_nothing_running() -> None:
    outcome = await probe(ProbeAction.EXEC, {"command": ["sleep", "29.4217"]}, timeout=0.2)
    assert outcome == ProbeOutcome(False, "command 'sleep 29.4217' timed out")
    assert not any(b"29.4217" in line for line in command_lines())


async def test_grpc_probes_are_reported_unsupported() -> None:
    outcome = await probe(ProbeAction.GRPC, {"port": 9000})
    assert outcome == ProbeOutcome(False, "grpc probes are not supported by localnlb")
