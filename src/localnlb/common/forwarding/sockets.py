"""Socket plumbing the relays share: listening sockets for several worker processes, upstream
sockets with a chosen source address, and resets that the peer sees as an RST.

Why these options:

* ``SO_REUSEPORT`` lets N worker processes bind the same address and port; the kernel spreads
  new connections (and UDP 4-tuples, consistently) across them.
* ``IP_BIND_ADDRESS_NO_PORT`` defers the choice of the source port to ``connect``, so binding a
  source IP (the LB node's, or a client's) does not reserve a port per source address and the
  kernel can reuse ports across different destinations.
* ``SO_LINGER`` with a zero timeout makes ``close`` send an RST instead of a FIN: the way an NLB
  tells a client that its flow is gone (target refused, idle timeout, unhealthy target).
"""

from __future__ import annotations

import contextlib
import socket
import struct
from typing import Any

IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)
_LINGER_RESET = struct.pack("ii", 1, 0)
LISTEN_BACKLOG = 4096


def listening_socket(address: tuple[str, int], *, kind: socket.SocketKind) -> socket.socket:
    """A non-blocking TCP (listening) or UDP socket on ``address`` shared by worker processes."""
    sock = socket.socket(socket.AF_INET, kind)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        if kind == socket.SOCK_STREAM:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.listen(LISTEN_BACKLOG)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def upstream_datagram_socket(source_ip: str | None) -> socket.socket:
    """A non-blocking UDP socket bound to ``source_ip`` (any free port), not yet connected."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        if source_ip is not None:
            sock.bind((source_ip, 0))
    except OSError:
        sock.close()
        raise
    return sock


def upstream_socket(source_ip: str | None) -> socket.socket:
    """A non-blocking TCP socket bound to ``source_ip`` with the port left to ``connect``.

    Non-blocking from creation (one syscall fewer); TCP_NODELAY is set by the transport that
    wraps it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
    if source_ip is not None:
        try:
            sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            sock.bind((source_ip, 0))
        except OSError:
            sock.close()
            raise
    return sock


def arm_reset(transport_socket: Any) -> None:
    """Make the next close of this (transport's) socket send an RST rather than a FIN."""
    if transport_socket is None:
        return
    with contextlib.suppress(OSError, ValueError):
        transport_socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
