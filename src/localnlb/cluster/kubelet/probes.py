"""Probe executors: perform one probe against a running container and say whether it passed.

- ``httpGet``: GET ``scheme://host:port/path`` (host defaults to the pod IP, port may be a named
  container port), headers from ``httpHeaders``, ``User-Agent: kube-probe/<version>``; a status
  from 200 to 399 passes. Redirects are not followed: a 3xx passes, as a redirect to another
  host does on a real kubelet.
- ``tcpSocket``: a TCP connection opens.
- ``exec``: the command (not ``$(VAR)``-expanded, as on a real node) exits 0, run with the
  container's environment and working directory.
- ``grpc``: not supported here; it fails, and says so.

Only loopback hosts are dialled (pods live on 127/8): a probe whose ``host`` names anything else
fails, saying so, instead of sending traffic off the machine.

Every probe is bounded by ``timeoutSeconds``; a timeout is a failure. A failure carries the
kubelet's wording (``HTTP probe failed with statuscode: 404``, ``Get "http://...": dial tcp
...: connect: connection refused``, an exec probe's output) for the ``Unhealthy`` event.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from localnlb.cluster.kubelet.podspec import PortSpec, ProbeAction, ProbeSpec, resolve_port
from localnlb.common.addressing import is_loopback_host

PROBE_USER_AGENT = "kube-probe/1.31"
EXEC_OUTPUT_LIMIT = 10 * 1024  # the kubelet keeps at most 10 KiB of an exec probe's output


@dataclass(frozen=True, slots=True)
class ProbeOutcome:
    ok: bool
    message: str = ""  # why it failed, worded as the kubelet words it in the Unhealthy event


async def run_probe(
    spec: ProbeSpec,
    *,
    pod_ip: str,
    ports: Sequence[PortSpec],
    env: Mapping[str, str],
    working_dir: str,
) -> ProbeOutcome:
    target = _Target(spec, pod_ip=pod_ip, ports=ports)
    try:
        return await asyncio.wait_for(
            _perform(spec, target, env=env, working_dir=working_dir), timeout=spec.timeout
        )
    except TimeoutError:
        return ProbeOutcome(False, target.timeout_message())
    except (OSError, aiohttp.ClientError) as exc:
        return ProbeOutcome(False, target.error_message(exc))
    except ValueError as exc:
        return ProbeOutcome(False, str(exc))


class _Target:
    """Where a probe goes, and how the kubelet (Go's net/http) words its failures."""

    def __init__(self, spec: ProbeSpec, *, pod_ip: str, ports: Sequence[PortSpec]) -> None:
        handler = spec.handler
        self.spec = spec
        self.host = str(handler.get("host") or pod_ip)
        self.port = resolve_port(handler.get("port", ""), ports)
        path = str(handler.get("path") or "/")
        self.path = path if path.startswith("/") else "/" + path
        self.scheme = str(handler.get("scheme") or "HTTP").lower()

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{self.path}"

    def _dial(self, exc: BaseException) -> str:
        reason = "connection refused" if isinstance(exc, ConnectionRefusedError) else str(exc)
        if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(
            exc.os_error, ConnectionRefusedError
        ):
            reason = "connection refused"
        return f"dial tcp {self.host}:{self.port}: connect: {reason}"

    def error_message(self, exc: BaseException) -> str:
        if self.spec.action is ProbeAction.TCP_SOCKET:
            return self._dial(exc)
        if self.spec.action is ProbeAction.HTTP_GET:
            return f'Get "{self.url}": {self._dial(exc)}'
        return str(exc)

    def timeout_message(self) -> str:
        if self.spec.action is ProbeAction.HTTP_GET:
            return (
                f'Get "{self.url}": context deadline exceeded '
                "(Client.Timeout exceeded while awaiting headers)"
            )
        if self.spec.action is ProbeAction.TCP_SOCKET:
            return f"dial tcp {self.host}:{self.port}: i/o timeout"
        command = " ".join(self.spec.handler.get("command") or [])
        return f"command {command!r} timed out"


async def _perform(
    spec: ProbeSpec, target: _Target, *, env: Mapping[str, str], working_dir: str
) -> ProbeOutcome:
    handler = spec.handler
    if spec.action is ProbeAction.EXEC:
        return await _exec(list(handler.get("command") or []), env=env, working_dir=working_dir)
    if spec.action is ProbeAction.GRPC:
        return ProbeOutcome(False, "grpc probes are not supported by localnlb")
    if target.port is None:
        raise ValueError(f"unknown port {handler.get('port')!r}")
    if not is_loopback_host(target.host):
        # Network safety: pods live on 127/8 and a probe never leaves it (a real kubelet would
        # dial the host the pod spec names).
        return ProbeOutcome(False, f"{target.url}: localnlb probes loopback addresses only")
    if spec.action is ProbeAction.TCP_SOCKET:
        _, writer = await asyncio.open_connection(target.host, target.port)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return ProbeOutcome(True)
    return await _http_get(handler, target)


async def _http_get(handler: Mapping[str, Any], target: _Target) -> ProbeOutcome:
    headers = {"User-Agent": PROBE_USER_AGENT, "Accept": "*/*"}
    for header in handler.get("httpHeaders") or []:
        headers[str(header.get("name"))] = str(header.get("value", ""))
    connector = aiohttp.TCPConnector(ssl=False, force_close=True)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.get(target.url, headers=headers, allow_redirects=False) as response,
    ):
        if 200 <= response.status < 400:
            return ProbeOutcome(True)
        return ProbeOutcome(False, f"HTTP probe failed with statuscode: {response.status}")


async def _exec(command: list[str], *, env: Mapping[str, str], working_dir: str) -> ProbeOutcome:
    if not command:
        return ProbeOutcome(False, "exec probe has no command")
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            env=dict(env),
            cwd=working_dir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    except FileNotFoundError:
        return ProbeOutcome(False, f'exec: "{command[0]}": executable file not found in $PATH')
    try:
        output, _ = await process.communicate()
    finally:
        if process.returncode is None:  # cancelled by the timeout: leave nothing running
            process.kill()
            await process.wait()
    text = output[:EXEC_OUTPUT_LIMIT].decode(errors="replace")
    return ProbeOutcome(process.returncode == 0, text)
