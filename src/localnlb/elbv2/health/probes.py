"""Perform one health check on real sockets and say whether it passed. Nothing else.

As an NLB node does it (reference §3.5): the connection comes *from the LB node's address*
(``bind((node_ip, 0))`` before connecting; every 127/8 address is local), goes to the target's
address on the health-check port, and the whole check must finish within
HealthCheckTimeoutSeconds.

* TCP: the connect completing is a pass; the connection is closed right away.
* HTTP/HTTPS: ``GET <HealthCheckPath>`` with ``Host: <LB node IP>:<listener port>``; a pass when
  the status matches ``Matcher.HttpCode``. HTTPS verifies no certificate and offers at most
  TLS 1.2, so a TLS-1.3-only target fails, as it does against a real NLB.
* With ``proxy_protocol_v2.enabled`` every check connection starts with the PROXY v2 ``LOCAL``
  header AWS sends (ahead of the TLS handshake for HTTPS).

Raw asyncio streams rather than an HTTP client library: the PROXY header has to go on the wire
before the request (or the handshake), and only the status line matters.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from localnlb.common.proxyprotocol import encode_local
from localnlb.elbv2.health.plan import CheckProtocol, CheckSpec

USER_AGENT = "ELB-HealthChecker/2.0"
MAX_RESPONSE_HEAD = 16 * 1024
CLOSE_GRACE_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class ProbeResult:
    passed: bool
    detail: str  # for logs: what was seen


Prober = Callable[[CheckSpec], Awaitable[ProbeResult]]


def _tls_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    return context


_TLS = _tls_context()


async def probe(spec: CheckSpec) -> ProbeResult:
    """Run one check of ``spec``; never raises for anything the target does."""
    try:
        async with asyncio.timeout(spec.timeout):
            return await _check(spec)
    except TimeoutError:
        return ProbeResult(False, f"no answer within {spec.timeout:g}s")
    except (OSError, ssl.SSLError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        return ProbeResult(False, f"{type(exc).__name__}: {exc}")


async def _check(spec: CheckSpec) -> ProbeResult:
    reader, writer = await asyncio.open_connection(
        spec.address, spec.port, local_addr=(spec.source_address, 0), limit=MAX_RESPONSE_HEAD
    )
    try:
        if spec.proxy_protocol_v2:
            writer.write(encode_local())
            await writer.drain()
        if spec.protocol is CheckProtocol.TCP:
            return ProbeResult(True, "connected")
        if spec.protocol is CheckProtocol.HTTPS:
            await writer.start_tls(_TLS)
        return await _http_status(spec, reader, writer)
    finally:
        await _close(writer)


async def _close(writer: asyncio.StreamWriter) -> None:
    """Close politely (FIN, TLS close_notify) but never wait long: a check that timed out in a
    TLS handshake leaves a transport whose orderly close may never finish."""
    writer.close()
    try:
        async with asyncio.timeout(CLOSE_GRACE_SECONDS):
            await writer.wait_closed()
    except (TimeoutError, OSError, ssl.SSLError):
        writer.transport.abort()


async def _http_status(
    spec: CheckSpec, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> ProbeResult:
    request = (
        f"GET {spec.path} HTTP/1.1\r\n"
        f"Host: {spec.host}\r\n"
        f"User-Agent: {USER_AGENT}\r\n"
        "Accept: */*\r\n"
        "Connection: close\r\n\r\n"
    )
    writer.write(request.encode("utf-8"))
    await writer.drain()
    status_line = await reader.readuntil(b"\r\n")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        return ProbeResult(False, f"malformed status line {status_line[:80]!r}")
    status = int(parts[1])
    # Read the rest of the head so the target sees a polite client; the stream's limit bounds it.
    while await reader.readuntil(b"\r\n") != b"\r\n":
        pass
    if spec.matcher.matches(status):
        return ProbeResult(True, f"HTTP {status}")
    return ProbeResult(False, f"HTTP {status} does not match the success codes")
