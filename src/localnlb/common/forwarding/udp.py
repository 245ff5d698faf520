"""The UDP relay: a flow table keyed by client address, one connected upstream socket per flow.

A :class:`UdpListener` receives every datagram on a listening address. The first datagram from a
new client address opens a :class:`UdpFlow` (the policy picks the upstream and the source
address); later datagrams of that client go to the same upstream for the flow's life. Replies
from the upstream go back to the client from the listening address. A flow ends after
``idle_timeout`` seconds without a datagram either way (an NLB's fixed 120 s), or when the policy
drops it; the client's next datagram then opens a new flow (and may get another upstream).

Datagrams that arrive while the upstream socket is being set up are queued (bounded); beyond the
bound they are dropped, as UDP may. Per-datagram work is one dict lookup and one ``sendto``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

from localnlb.common.forwarding.sockets import upstream_datagram_socket

PENDING_DATAGRAM_LIMIT = 256


@dataclass(frozen=True, slots=True)
class UdpUpstreamPlan:
    address: tuple[str, int]
    source_ip: str | None = None
    idle_timeout: float = 120.0


class UdpRelayPolicy(Protocol):
    def open_flow(self, flow: UdpFlow) -> UdpUpstreamPlan | None: ...

    def flow_closed(self, flow: UdpFlow) -> None: ...


class UdpListener(asyncio.DatagramProtocol):
    def __init__(
        self,
        policy: UdpRelayPolicy,
        loop: asyncio.AbstractEventLoop,
        listener: tuple[str, int],
    ) -> None:
        self._policy = policy
        self._loop = loop
        self.listener = listener
        self.transport: Any = None
        self.flows: dict[tuple[str, int], UdpFlow] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        flow = self.flows.get(addr)
        if flow is None:
            flow = UdpFlow(self, addr)
            plan = self._policy.open_flow(flow)
            if plan is None:
                return  # dropped, as an NLB drops traffic it cannot route
            self.flows[addr] = flow
            flow.start(plan)
        flow.send(data)

    def reply(self, data: bytes, client: tuple[str, int]) -> None:
        if self.transport is not None:
            self.transport.sendto(data, client)

    def flow_ended(self, flow: UdpFlow) -> None:
        if self.flows.get(flow.client) is flow:
            del self.flows[flow.client]
        self._policy.flow_closed(flow)

    def close(self) -> None:
        for flow in list(self.flows.values()):
            flow.reset("listener closed")
        if self.transport is not None:
            self.transport.close()


class UdpFlow(asyncio.DatagramProtocol):
    def __init__(self, listener: UdpListener, client: tuple[str, int]) -> None:
        self._listener = listener
        self._loop = listener._loop
        self.client = client
        self.up: Any = None
        self.bytes_up = 0
        self.bytes_down = 0
        self.ended = False
        self.reset_reason = ""
        self.tag: Any = None
        self._pending: deque[bytes] = deque()
        self._task: asyncio.Future[Any] | None = None
        self._idle_handle: asyncio.TimerHandle | None = None
        self._seen = -1

    @property
    def listener(self) -> tuple[str, int]:
        return self._listener.listener

    def start(self, plan: UdpUpstreamPlan) -> None:
        self._task = asyncio.ensure_future(self._open(plan), loop=self._loop)
        self._arm_idle(plan.idle_timeout)

    async def _open(self, plan: UdpUpstreamPlan) -> None:
        sock = upstream_datagram_socket(plan.source_ip)
        try:
            sock.connect(plan.address)  # UDP: no handshake, just fixes the peer
            await self._loop.create_datagram_endpoint(lambda: self, sock=sock)
        except OSError:
            sock.close()
            self.reset("upstream unreachable")

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.up = transport
        if self.ended:
            transport.close()
            return
        while self._pending:
            transport.sendto(self._pending.popleft())  # type: ignore[attr-defined]

    def send(self, data: bytes) -> None:
        self.bytes_up += len(data)
        if self.up is not None:
            self.up.sendto(data)
        elif len(self._pending) < PENDING_DATAGRAM_LIMIT:
            self._pending.append(data)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.bytes_down += len(data)
        self._listener.reply(data, self.client)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable from the upstream and the like: UDP carries on regardless.
        pass

    def connection_lost(self, exc: Exception | None) -> None:
        self._end()

    def reset(self, why: str) -> None:
        """Drop the flow: the client's next datagram starts a new one."""
        if not self.ended:
            self.reset_reason = why
            self._end()

    def _end(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self._idle_handle is not None:
            self._idle_handle.cancel()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self.up is not None:
            self.up.close()
        self._listener.flow_ended(self)

    def _arm_idle(self, timeout: float) -> None:
        step = max(timeout / 4, 0.05)

        def check(idle_for: float) -> None:
            moved = self.bytes_up + self.bytes_down
            if moved != self._seen:
                self._seen, idle_for = moved, 0.0
            else:
                idle_for += step
            if idle_for >= timeout:
                self.reset("idle timeout")
                return
            self._idle_handle = self._loop.call_later(step, check, idle_for)

        self._idle_handle = self._loop.call_later(step, check, 0.0)
