"""Real targets for health-check tests: small asyncio servers on 127.x addresses.

Each :class:`Backend` binds ``(address, 0)`` and records, per connection, the peer address, the
PROXY v2 header (when it expects one, it parses it strictly, as a PPv2-enabled server would) and
the HTTP request head it was sent. It can answer HTTP with a chosen status, speak TLS, or accept
and never answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
from dataclasses import dataclass, field

from localnlb.common.proxyprotocol import PREAMBLE_LENGTH, ProxyHeader, decode


@dataclass(slots=True)
class Seen:
    peer: tuple[str, int]
    proxy_header: ProxyHeader | None = None
    request_line: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Backend:
    def __init__(
        self,
        address: str,
        *,
        http_status: int | None = None,
        expect_proxy_protocol: bool = False,
        tls: ssl.SSLContext | None = None,
        silent: bool = False,
        port: int = 0,
    ) -> None:
        self.address = address
        self.port = port
        self.http_status = http_status
        self.expect_proxy_protocol = expect_proxy_protocol
        self.tls = tls
        self.silent = silent
        self.seen: list[Seen] = []
        self.errors: list[BaseException] = []
        self._listener: socket.socket | None = None
        self._accepting: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    async def start(self) -> Backend:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.address, self.port))
        listener.listen(64)
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._accepting = asyncio.create_task(self._accept(listener))
        return self

    async def stop(self) -> None:
        """Stop listening and drop open connections: from now on, checks fail."""
        if self._accepting is not None:
            self._accepting.cancel()
            await asyncio.gather(self._accepting, return_exceptions=True)
            self._accepting = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _accept(self, listener: socket.socket) -> None:
        # Accepting by hand (not asyncio.start_server) lets a connection's PROXY header be read
        # off the socket exactly, before any TLS handshake bytes get buffered by a stream.
        loop = asyncio.get_running_loop()
        while True:
            connection, peer = await loop.sock_accept(listener)
            task = asyncio.create_task(self._serve(connection, peer))
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)

    async def _serve(self, connection: socket.socket, peer: tuple[str, int]) -> None:
        loop = asyncio.get_running_loop()
        seen = Seen(peer=peer[:2])
        self.seen.append(seen)
        writer: asyncio.StreamWriter | None = None
        try:
            if self.expect_proxy_protocol:
                preamble = await _receive_exactly(connection, PREAMBLE_LENGTH)
                (length,) = struct.unpack_from("!H", preamble, 14)
                body = await _receive_exactly(connection, length)
                seen.proxy_header = decode(preamble + body)
            reader = asyncio.StreamReader()
            protocol = asyncio.StreamReaderProtocol(reader)
            transport, _ = await loop.connect_accepted_socket(
                lambda: protocol, connection, ssl=self.tls
            )
            writer = asyncio.StreamWriter(transport, protocol, reader, loop)
            await self._converse(seen, reader, writer)
        except (OSError, ssl.SSLError, asyncio.IncompleteReadError, ValueError) as exc:
            self.errors.append(exc)
        finally:
            if writer is None:
                connection.close()
            else:
                writer.close()
                with contextlib.suppress(OSError, ssl.SSLError):
                    async with asyncio.timeout(1):
                        await writer.wait_closed()

    async def _converse(
        self, seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if self.silent:
            await reader.read()  # never answer; wait for the checker to give up
            return
        if self.http_status is None:
            await reader.read()  # plain TCP: the checker closes right away
            return
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        seen.request_line = request_line
        for line in filter(None, header_lines):
            name, _, value = line.partition(":")
            seen.headers[name.strip().lower()] = value.strip()
        writer.write(
            f"HTTP/1.1 {self.http_status} Status\r\nContent-Length: 2\r\n"
            "Connection: close\r\n\r\nok".encode()
        )
        await writer.drain()


async def _receive_exactly(connection: socket.socket, count: int) -> bytes:
    loop = asyncio.get_running_loop()
    data = b""
    while len(data) < count:
        chunk = await loop.sock_recv(connection, count - len(data))
        if not chunk:
            raise asyncio.IncompleteReadError(data, count)
        data += chunk
    return data
