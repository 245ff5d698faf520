"""Real backend servers for data-plane tests, each on its own 127.x address.

:class:`NameBackend` answers every line with ``<name> <peer ip seen> <PROXY source or ->``, so a
client learns on every line which backend it reached, what source address that backend saw, and
what PROXY v2 header (if any) opened the connection. It also answers ``EOF`` handling: after the
client half-closes it sends ``bye <bytes received>`` and closes. :class:`UdpNameBackend` answers
every datagram with its name.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from localnlb.common.proxyprotocol import ProxyHeader, decode


@dataclass
class Seen:
    peers: list[tuple[str, int]] = field(default_factory=list)
    headers: list[ProxyHeader] = field(default_factory=list)
    first_reads: list[bytes] = field(default_factory=list)
    resets: int = 0


class NameBackend:
    def __init__(self, name: str, address: str, *, proxy_protocol: bool = False) -> None:
        self.name = name
        self.address = address
        self.port = 0
        self.proxy_protocol = proxy_protocol
        self.seen = Seen()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> NameBackend:
        self._server = await asyncio.start_server(self._serve, self.address, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        peer = writer.get_extra_info("peername")[:2]
        self.seen.peers.append(peer)
        source = "-"
        try:
            buffer = await reader.read(65536)
            self.seen.first_reads.append(buffer)
            if self.proxy_protocol:
                header = None
                while header is None:
                    header = decode(buffer)
                    if header is None:
                        more = await reader.read(65536)
                        if not more:
                            return
                        buffer += more
                self.seen.headers.append(header)
                source = f"{header.source[0]}:{header.source[1]}" if header.source else "local"
                buffer = buffer[header.length :]
            received = len(buffer)
            while True:
                while b"\n" in buffer:
                    _, buffer = buffer.split(b"\n", 1)
                    writer.write(f"{self.name} {peer[0]} {source}\n".encode())
                chunk = await reader.read(65536)
                if not chunk:
                    break
                received += len(chunk)
                buffer += chunk
            writer.write(f"bye {received}\n".encode())
            await writer.drain()
        except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
            # Aborted: the kernel engine resets a flow by destroying the target's end of it.
            self.seen.resets += 1
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(OSError):
                writer.close()


class UdpNameBackend(asyncio.DatagramProtocol):
    def __init__(self, name: str, address: str) -> None:
        self.name = name
        self.address = address
        self.port = 0
        self.peers: list[tuple[str, int]] = []
        self.transport: asyncio.DatagramTransport | None = None

    async def start(self, port: int = 0) -> UdpNameBackend:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, local_addr=(self.address, port))
        assert self.transport is not None
        self.port = self.transport.get_extra_info("sockname")[1]
        return self

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.peers.append(addr)
        assert self.transport is not None
        self.transport.sendto(f"{self.name} {addr[0]}".encode(), addr)

    async def stop(self) -> None:
        if self.transport is not None:
            self.transport.close()
