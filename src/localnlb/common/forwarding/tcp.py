"""The TCP relay: one accepted (downstream) connection spliced to one upstream connection.

Theory of operation. A listener creates one :class:`TcpFlow` per accepted connection; the flow
asks its :class:`TcpRelayPolicy` where to go (:meth:`TcpRelayPolicy.open_flow`). ``None`` means
"refuse": the client gets an RST. Otherwise the flow connects to the upstream from the planned
source address (within ``connect_timeout``); the client's first bytes, if they come sooner, are
held (up to ``EARLY_DATA_LIMIT``, then reading pauses) and sent with the preface once connected.
Then each side's ``data_received`` writes straight to the other side's transport, and
backpressure is symmetric (a side whose write buffer is full pauses reading on the other side).
No pause/resume per connection: that would cost two epoll changes on every accept.

Ends of a flow, and what each peer sees:

* half-close: a FIN from one side becomes ``write_eof`` (a FIN) on the other; the flow lives on
  until both directions have ended, then both sockets close cleanly;
* an error or RST on one side resets the other (SO_LINGER 0 then close);
* the upstream refuses or is unreachable: the client is reset, never accepted-then-closed cleanly;
* :meth:`TcpFlow.reset` (the policy's decision: idle timeout, unhealthy target, end of draining)
  resets both sides.

The policy hears :meth:`TcpRelayPolicy.flow_closed` exactly once per flow, with the final byte
counts: counting happens at flow start and end, never per packet.
"""

from __future__ import annotations

import asyncio
import enum
import errno
import os
from dataclasses import dataclass
from typing import Any, Protocol

from localnlb.common.forwarding.sockets import arm_reset, upstream_socket

# Bytes a client may send before its upstream is connected; beyond this, reading pauses.
EARLY_DATA_LIMIT = 256 * 1024


class FlowEnd(enum.Enum):
    CLOSED = "closed"  # both directions ended with FINs
    REJECTED = "rejected"  # the policy refused the flow
    UPSTREAM_FAILED = "upstream_failed"  # connect refused, unreachable or timed out
    DOWNSTREAM_RESET = "downstream_reset"  # the client reset or errored
    UPSTREAM_RESET = "upstream_reset"  # the upstream reset or errored
    RESET = "reset"  # the policy reset the flow (see TcpFlow.reset's ``why``)
    IDLE_TIMEOUT = "idle_timeout"


@dataclass(frozen=True, slots=True)
class UpstreamPlan:
    address: tuple[str, int]
    source_ip: str | None = None  # bind the upstream socket here (any port); None: the kernel's
    preface: bytes = b""  # sent together with the client's first payload (a PROXY header)
    idle_timeout: float | None = None  # reset both sides after this long without a byte
    connect_timeout: float = 10.0


class TcpRelayPolicy(Protocol):
    def open_flow(self, flow: TcpFlow) -> UpstreamPlan | None: ...

    def flow_closed(self, flow: TcpFlow) -> None: ...


class TcpFlow(asyncio.Protocol):
    """The downstream protocol of one flow; it owns the upstream side too."""

    __slots__ = (
        "_early",
        "_idle_handle",
        "_idle_step",
        "_loop",
        "_plan",
        "_policy",
        "_preface",
        "_seen_bytes",
        "_task",
        "_upstream_side",
        "bytes_down",
        "bytes_up",
        "client",
        "down",
        "down_eof",
        "end",
        "listener",
        "reset_reason",
        "tag",
        "up",
        "up_eof",
    )

    def __init__(
        self,
        policy: TcpRelayPolicy,
        loop: asyncio.AbstractEventLoop,
        listener: tuple[str, int] | None = None,
    ) -> None:
        self._policy = policy
        self._loop = loop
        self._plan: UpstreamPlan | None = None
        self._preface = b""
        self._early = bytearray()
        self._task: asyncio.Task[None] | None = None
        self._idle_handle: asyncio.TimerHandle | None = None
        self._seen_bytes = -1
        self._idle_step = 0.0
        self._upstream_side = _UpstreamSide(self)
        self.down: Any = None
        self.up: Any = None
        self.down_eof = False
        self.up_eof = False
        self.end: FlowEnd | None = None
        self.reset_reason = ""
        self.bytes_up = 0  # client -> upstream
        self.bytes_down = 0  # upstream -> client
        self.client: tuple[str, int] = ("", 0)
        self.listener: tuple[str, int] = listener or ("", 0)
        self.tag: Any = None  # the policy's own per-flow record

    # -- downstream events ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.down = transport
        self.client = transport.get_extra_info("peername")[:2]
        if not self.listener[0]:  # a listener that passes its address saves a syscall
            self.listener = transport.get_extra_info("sockname")[:2]
        plan = self._policy.open_flow(self)
        if plan is None:
            self._finish(FlowEnd.REJECTED, reset=True)
            return
        self._plan = plan
        self._preface = plan.preface
        self._task = self._loop.create_task(self._connect(plan))
        # Until connected, the idle timer's slot holds the connect deadline.
        self._idle_handle = self._loop.call_later(plan.connect_timeout, self._connect_timed_out)

    def _connect_timed_out(self) -> None:
        self.reset_reason = "upstream connect timed out"
        self._finish(FlowEnd.UPSTREAM_FAILED, reset=True)

    def data_received(self, data: bytes) -> None:
        self.bytes_up += len(data)
        if self.up is None:
            # uvloop may deliver the first bytes before the pause takes effect: hold them
            # (with the preface) until the upstream is there.
            self._early += data
            if len(self._early) > EARLY_DATA_LIMIT:
                self.down.pause_reading()
            return
        if self._preface:
            data, self._preface = self._preface + data, b""
        self.up.write(data)

    def eof_received(self) -> bool:
        self.down_eof = True
        if self.up_eof:
            self._finish(FlowEnd.CLOSED)
        elif self.up is not None and not self.up.is_closing():
            self.up.write_eof()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if self.end is None:
            self._finish(FlowEnd.DOWNSTREAM_RESET if exc else FlowEnd.CLOSED, reset=exc is not None)

    def pause_writing(self) -> None:
        if self.up is not None:
            self.up.pause_reading()

    def resume_writing(self) -> None:
        if self.up is not None:
            self.up.resume_reading()

    # -- upstream ---------------------------------------------------------------------------

    async def _connect(self, plan: UpstreamPlan) -> None:
        # The connect is started here, by hand, from a socket bound with
        # IP_BIND_ADDRESS_NO_PORT: uvloop's own ``local_addr`` binds a port first, and that
        # search grows with every socket in TIME_WAIT on the source address (measured: 30 us
        # per connection at first, 400 us after some thousands). The transport wraps the
        # socket at once; writes wait in libuv until the handshake completes, and a refusal
        # surfaces as a reset of the upstream side.
        sock = None
        try:
            sock = upstream_socket(plan.source_ip)
            error = sock.connect_ex(plan.address)
            if error not in (0, errno.EINPROGRESS):
                raise OSError(error, os.strerror(error))
            await self._loop.create_connection(self._upstream_factory, sock=sock)
        except OSError:
            if sock is not None:
                sock.close()
            self.reset_reason = "upstream unreachable"
            self._finish(FlowEnd.UPSTREAM_FAILED, reset=True)

    def _upstream_factory(self) -> _UpstreamSide:
        return self._upstream_side

    def upstream_made(self, transport: asyncio.BaseTransport) -> None:
        self.up = transport
        if self._idle_handle is not None:
            self._idle_handle.cancel()
            self._idle_handle = None
        if self.end is not None:  # the flow ended while connecting
            transport.abort()  # type: ignore[attr-defined]
            return
        if self._early:
            early, self._early = bytes(self._early), bytearray()
            self.bytes_up -= len(early)
            self.data_received(early)
            self.down.resume_reading()
        if self.down_eof:  # the client half-closed before the upstream was there
            transport.write_eof()  # type: ignore[attr-defined]
        if self._plan is not None and self._plan.idle_timeout:
            self._arm_idle(self._plan.idle_timeout)

    def upstream_eof(self) -> None:
        self.up_eof = True
        if self.down_eof:
            self._finish(FlowEnd.CLOSED)
        elif not self.down.is_closing():
            self.down.write_eof()

    def upstream_lost(self, exc: Exception | None) -> None:
        if self.end is None:
            self._finish(FlowEnd.UPSTREAM_RESET if exc else FlowEnd.CLOSED, reset=exc is not None)

    # -- ending -----------------------------------------------------------------------------

    def reset(self, why: str, end: FlowEnd = FlowEnd.RESET) -> None:
        """Reset both sides now (the peers see RSTs)."""
        if self.end is None:
            self.reset_reason = why
            self._finish(end, reset=True)

    def close(self) -> None:
        """End the flow gracefully: flush what is buffered, then FIN both sides."""
        if self.end is None:
            self._finish(FlowEnd.CLOSED)

    def _finish(self, end: FlowEnd, *, reset: bool = False) -> None:
        self.end = end
        if self._idle_handle is not None:
            self._idle_handle.cancel()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        for transport in (self.down, self.up):
            if transport is None or transport.is_closing():
                continue
            if reset:
                arm_reset(transport.get_extra_info("socket"))
                transport.abort()
            else:
                transport.close()
        self._policy.flow_closed(self)

    def _arm_idle(self, timeout: float) -> None:
        # Checked a few times per timeout, not per packet: the byte counters tell whether
        # anything moved since the last look.
        self._idle_step = max(timeout / 4, 0.05)
        self._seen_bytes = 0
        self._idle_handle = self._loop.call_later(self._idle_step, self._check_idle, timeout, 0.0)

    def _check_idle(self, timeout: float, idle_for: float) -> None:
        moved = self.bytes_up + self.bytes_down
        if moved != self._seen_bytes:
            self._seen_bytes, idle_for = moved, 0.0
        else:
            idle_for += self._idle_step
        if idle_for >= timeout:
            self.reset("idle timeout", FlowEnd.IDLE_TIMEOUT)
            return
        self._idle_handle = self._loop.call_later(
            self._idle_step, self._check_idle, timeout, idle_for
        )


class _UpstreamSide(asyncio.Protocol):
    __slots__ = ("_flow",)

    def __init__(self, flow: TcpFlow) -> None:
        self._flow = flow

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._flow.upstream_made(transport)

    def data_received(self, data: bytes) -> None:
        flow = self._flow
        flow.bytes_down += len(data)
        flow.down.write(data)

    def eof_received(self) -> bool:
        self._flow.upstream_eof()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._flow.upstream_lost(exc)

    def pause_writing(self) -> None:
        self._flow.down.pause_reading()

    def resume_writing(self) -> None:
        self._flow.down.resume_reading()
