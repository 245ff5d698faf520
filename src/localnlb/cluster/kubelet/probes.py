"""Probe executors: perform one probe against a running container and say whether it passed.

- ``httpGet``: GET ``scheme://host:port/path`` (host defaults to the pod IP, port may be a named
  container port), headers from ``httpHeaders``, ``User-Agent: kube-probe/<version>``; a status
  from 200 to 399 passes. Redirects are not followed: a 3xx passes, as a redirect to another
  host does on a real kubelet.
- ``tcpSocket``: a TCP connection opens.
- ``exec``: the command (not ``$(VAR)``-expanded, as on a real node) exits 0, run with the
  container's environment and working directory.
- ``grpc``: not supported here; it fails, and says so in the kubelet's log.

Every probe is bounded by ``timeoutSeconds``; a timeout is a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence

import aiohttp

from localnlb.cluster.kubelet.podspec import PortSpec, ProbeAction, ProbeSpec, resolve_port

PROBE_USER_AGENT = "kube-probe/1.31"
_log = logging.getLogger(__name__)


async def run_probe(
    spec: ProbeSpec,
    *,
    pod_ip: str,
    ports: Sequence[PortSpec],
    env: Mapping[str, str],
    working_dir: str,
) -> bool:
    try:
        return await asyncio.wait_for(
            _perform(spec, pod_ip=pod_ip, ports=ports, env=env, working_dir=working_dir),
            timeout=spec.timeout,
        )
    except (TimeoutError, OSError, aiohttp.ClientError, ValueError) as exc:
        _log.debug("%s probe failed: %r", spec.kind.value, exc)
        return False


async def _perform(
    spec: ProbeSpec,
    *,
    pod_ip: str,
    ports: Sequence[PortSpec],
    env: Mapping[str, str],
    working_dir: str,
) -> bool:
    handler = spec.handler
    if spec.action is ProbeAction.EXEC:
        return await _exec(list(handler.get("command") or []), env=env, working_dir=working_dir)
    if spec.action is ProbeAction.GRPC:
        _log.warning("grpc probes are not supported by localnlb; counting it as failed")
        return False
    port = resolve_port(handler.get("port", ""), ports)
    if port is None:
        raise ValueError(f"unknown port {handler.get('port')!r}")
    host = handler.get("host") or pod_ip
    if spec.action is ProbeAction.TCP_SOCKET:
        _, writer = await asyncio.open_connection(host, port)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True
    return await _http_get(handler, host=host, port=port)


async def _http_get(handler: Mapping[str, object], *, host: str, port: int) -> bool:
    scheme = str(handler.get("scheme") or "HTTP").lower()
    path = str(handler.get("path") or "/")
    if not path.startswith("/"):
        path = "/" + path
    headers = {"User-Agent": PROBE_USER_AGENT, "Accept": "*/*"}
    for header in handler.get("httpHeaders") or []:  # type: ignore[attr-defined]
        headers[str(header.get("name"))] = str(header.get("value", ""))
    connector = aiohttp.TCPConnector(ssl=False, force_close=True)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.get(
            f"{scheme}://{host}:{port}{path}", headers=headers, allow_redirects=False
        ) as response,
    ):
        return 200 <= response.status < 400


async def _exec(command: list[str], *, env: Mapping[str, str], working_dir: str) -> bool:
    if not command:
        return False
    process = await asyncio.create_subprocess_exec(
        *command,
        env=dict(env),
        cwd=working_dir,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return await process.wait() == 0
    finally:
        if process.returncode is None:  # cancelled by the timeout: leave nothing running
            process.kill()
            await process.wait()
