"""The LB nodes of one worker: listening sockets, the current routing table, open flows.

:meth:`NodeEngine.apply` takes a snapshot and (1) compiles it and swaps the table in one
assignment, so a new flow sees either the old or the new table, never half of each; (2) opens
listening sockets for new LB node bindings and closes those that went away (accepted flows carry
on); (3) judges every pinned flow against the new table (:mod:`localnlb.dataplane.verdicts`):
keep, reset now, or reset when a deregistration delay ends (a timer, recomputed each snapshot).

Under the ``kernel`` engine these nodes listen only where the kernel cannot serve (PROXY protocol
v2 target groups); the kernel forwards everything else before a socket ever sees it.

Listening sockets use SO_REUSEPORT, so several workers each run a NodeEngine on the same
bindings. A binding that cannot be opened (address in use) is reported and skipped; the others
keep working.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from typing import Any

from localnlb.common.clock import Clock, SystemClock
from localnlb.common.forwarding.sockets import listening_socket
from localnlb.common.forwarding.tcp import TcpFlow
from localnlb.common.forwarding.udp import UdpFlow, UdpListener
from localnlb.common.snapshot import RoutingSnapshot
from localnlb.dataplane.metrics import Exported, FlowCounters, RejectedExport
from localnlb.dataplane.policies import FlowPin, TcpListenerPolicy, UdpListenerPolicy
from localnlb.dataplane.routing import TCP, Binding, PinKey, RoutingTable, compile_routing
from localnlb.dataplane.settings import DataPlaneSettings
from localnlb.dataplane.verdicts import Action, verdict_for

log = logging.getLogger(__name__)
Flow = TcpFlow | UdpFlow


class NodeEngine:
    def __init__(
        self,
        settings: DataPlaneSettings,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self._loop = loop or asyncio.get_running_loop()
        self._clock = clock or SystemClock()
        self.table = RoutingTable(version=-1)
        self.counters = FlowCounters()
        self._listening: dict[Binding, Any] = {}  # asyncio.Server or UdpListener
        self._pinned: dict[PinKey, set[Flow]] = {}
        self._timers: dict[PinKey, asyncio.TimerHandle] = {}
        self.binding_errors: dict[Binding, str] = {}
        self._drained: asyncio.Event | None = None

    # -- snapshots --------------------------------------------------------------------------

    async def apply(self, snapshot: RoutingSnapshot) -> None:
        table = compile_routing(snapshot)
        self.table = table
        await self._sync_bindings(table)
        self._judge_open_flows(table)

    async def _sync_bindings(self, table: RoutingTable) -> None:
        wanted = {
            binding
            for binding, plan in table.plans.items()
            # Under the kernel engine Linux forwards all but what must be written into the stream.
            if self.settings.engine != "kernel" or plan.writes_into_stream
        }
        for binding in [b for b in self._listening if b not in wanted]:
            self._close_binding(binding)
        for binding in sorted(wanted - set(self._listening)):
            try:
                self._listening[binding] = await self._open_binding(binding)
                self.binding_errors.pop(binding, None)
            except OSError as exc:
                if self.binding_errors.get(binding) != str(exc):
                    log.error("cannot listen on %s:%s/%s: %s", *binding, exc)
                self.binding_errors[binding] = str(exc)

    async def _open_binding(self, binding: Binding) -> Any:
        address, port, transport = binding
        if transport == TCP:
            sock = listening_socket((address, port), kind=socket.SOCK_STREAM)
            policy = TcpListenerPolicy(self, binding)
            loop, where = self._loop, (address, port)
            return await loop.create_server(
                lambda: TcpFlow(policy, loop, where), sock=sock, backlog=4096
            )
        sock = listening_socket((address, port), kind=socket.SOCK_DGRAM)
        listener = UdpListener(UdpListenerPolicy(self, binding), self._loop, (address, port))
        await self._loop.create_datagram_endpoint(lambda: listener, sock=sock)
        return listener

    def _close_binding(self, binding: Binding) -> None:
        # A TCP server stops accepting and its flows carry on; a UDP listener's flows live on
        # its socket, so they end with it.
        self._listening.pop(binding).close()

    # -- open flows -------------------------------------------------------------------------

    def pin(self, key: PinKey, flow: Flow) -> None:
        flows = self._pinned.get(key)
        if flows is None:
            flows = self._pinned[key] = set()
        flows.add(flow)

    def unpin(self, key: PinKey, flow: Flow) -> None:
        flows = self._pinned.get(key)
        if flows is not None:
            flows.discard(flow)
            if not flows:
                del self._pinned[key]
                if not self._pinned and self._drained is not None:
                    self._drained.set()

    def open_flows(self) -> Iterator[Flow]:
        for flows in self._pinned.values():
            yield from flows

    def _judge_open_flows(self, table: RoutingTable) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        now = self._clock.wall()
        for key in list(self._pinned):
            binding, tg_arn, target = key
            verdict = verdict_for(
                table, binding=binding, target_group_arn=tg_arn, target=target, now_wall=now
            )
            if verdict.action is Action.RESET:
                self._reset_pinned(key, verdict.why)
            elif verdict.action is Action.RESET_AT and verdict.at is not None:
                self._timers[key] = self._loop.call_later(
                    max(verdict.at - now, 0.0), self._reset_pinned, key, verdict.why
                )

    def _reset_pinned(self, key: PinKey, why: str) -> None:
        self._timers.pop(key, None)
        for flow in list(self._pinned.get(key, ())):
            flow.reset(why)

    # -- metrics and shutdown ---------------------------------------------------------------

    def export_counters(self) -> tuple[Exported, RejectedExport]:
        in_flight = []
        for flow in self.open_flows():
            pin: FlowPin = flow.tag
            in_flight.append((pin.slot, flow.bytes_up, flow.bytes_down, pin.cross))
        return self.counters.export(in_flight)

    async def close(self, grace: float = 5.0) -> None:
        """Stop accepting, let open flows finish for up to ``grace`` seconds, then reset them."""
        for timer in self._timers.values():
            timer.cancel()
        for binding in list(self._listening):
            self._close_binding(binding)
        if self._pinned:
            self._drained = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), grace)
        for flow in list(self.open_flows()):
            flow.reset("load balancer stopping")
