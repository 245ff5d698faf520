"""Pods for kube-proxy tests: real servers on pod IPs that say who they are and whom they saw.

:class:`PodServer` answers every line with ``<name> <peer ip>``, so a client learns on each line
which pod it reached and what source address that pod saw (the node's, after SNAT, or the
client's own). :class:`UdpPodServer` answers every datagram the same way.
"""

from __future__ import annotations

import asyncio
import contextlib


class PodServer:
    def __init__(self, name: str, address: str) -> None:
        self.name = name
        self.address = address
        self.port = 0
        self.peers: list[str] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> PodServer:
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
        peer = writer.get_extra_info("peername")[0]
        self.peers.append(peer)
        try:
            while line := await reader.readline():
                writer.write(f"{self.name} {peer} {len(line)}\n".encode())
                await writer.drain()
        except (ConnectionResetError, BrokenPipeError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(OSError):
                writer.close()


class UdpPodServer(asyncio.DatagramProtocol):
    def __init__(self, name: str, address: str) -> None:
        self.name = name
        self.address = address
        self.port = 0
        self.transport: asyncio.DatagramTransport | None = None

    async def start(self) -> UdpPodServer:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, local_addr=(self.address, 0))
        assert self.transport is not None
        self.port = self.transport.get_extra_info("sockname")[1]
        return self

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram endpoint's own

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        assert self.transport is not None
        self.transport.sendto(f"{self.name} {addr[0]}".encode(), addr)

    async def stop(self) -> None:
        if self.transport is not None:
            self.transport.close()
