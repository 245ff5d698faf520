"""The DNS server's sockets: UDP and TCP on one address and port, answering from a zone.

A thin shell over :func:`localnlb.cluster.dns.wire.respond`: UDP gets one datagram back per
query (truncated past 512 bytes or the client's EDNS size); TCP reads 2-byte length-prefixed
queries, several per connection, as RFC 7766 allows. The zone is read anew for every query
(:attr:`DnsServer.zone` is swapped whole by its owner), so answers follow the API at once.
It never sends a query anywhere: it only answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import cast

from localnlb.cluster.dns.wire import respond
from localnlb.cluster.dns.zone import ClusterZone

_log = logging.getLogger(__name__)
TCP_IDLE_SECONDS = 10.0  # how long a TCP client may keep a connection without a query


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: DnsServer) -> None:
        self._server = server
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = self._server.reply(data, udp=True)
        if reply is not None and self._transport is not None:
            self._transport.sendto(reply, addr)


class DnsServer:
    def __init__(self, zone: ClusterZone, *, host: str, port: int = 53) -> None:
        self.zone = zone
        self.host, self.port = host, port
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    def reply(self, query: bytes, *, udp: bool) -> bytes | None:
        try:
            return respond(self.zone, query, udp=udp)
        except Exception:  # a bad query never stops the server; the client times out
            _log.exception("cluster DNS: answering a query failed")
            return None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tcp = await asyncio.start_server(self._serve_tcp, self.host, self.port)
        if self.port == 0:  # tests: one free port for both protocols
            self.port = self._tcp.sockets[0].getsockname()[1]
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self), local_addr=(self.host, self.port)
        )
        self._udp = transport

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_SECONDS)
                query = await reader.readexactly(int.from_bytes(header, "big"))
                reply = self.reply(query, udp=False)
                if reply is None:
                    break
                writer.write(len(reply).to_bytes(2, "big") + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        except asyncio.CancelledError:
            pass  # the server stops: end this connection quietly (nothing awaits its result)
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
            for connection in list(self._connections):  # Server.close leaves open ones be
                connection.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await self._tcp.wait_closed()
            self._tcp = None
