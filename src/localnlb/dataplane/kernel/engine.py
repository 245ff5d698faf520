"""The kernel engine: LB nodes whose flows Linux forwards, judged and counted from here.

:meth:`KernelEngine.apply` compiles a snapshot, renders it (:mod:`.ruleset`) and loads it in one
``nft`` transaction, so a new flow meets either the old or the new rules. Then it judges the flows
conntrack holds, as the user-space engine judges its own (:mod:`localnlb.dataplane.verdicts`):
keep, reset now, or reset when a deregistration delay ends. A flow's ct mark names the pin it was
sent by, and every pin ever rendered is remembered, so a flow outlives the rules that made it.

Counters: the kernel counts new flows and bytes per pin in named nft counters; a refresher reads
them (and the open flows, for the active gauge) every export period into the same per-target
shape the user-space workers export, so ``/metrics`` serves both the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from localnlb.common.clock import Clock, SystemClock
from localnlb.common.snapshot import RoutingSnapshot
from localnlb.dataplane.kernel.netfilter import (
    KernelFlow,
    KernelPathError,
    NftTable,
    kernel_flows,
    reset_flow,
)
from localnlb.dataplane.kernel.ruleset import OURS, KernelPin, Ruleset, render
from localnlb.dataplane.metrics import (
    ACTIVE,
    BYTES_IN,
    BYTES_OUT,
    CROSS_AZ_BYTES,
    CROSS_AZ_FLOWS,
    NEW,
    RESETS,
    Exported,
    FlowCounters,
    Labels,
    RejectedExport,
)
from localnlb.dataplane.routing import RoutingTable, compile_routing
from localnlb.dataplane.settings import DataPlaneSettings
from localnlb.dataplane.verdicts import Action, verdict_for

log = logging.getLogger(__name__)


class KernelEngine:
    def __init__(
        self, settings: DataPlaneSettings, *, table_name: str, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.nft = NftTable(table_name)
        self._clock = clock or SystemClock()
        self.table = RoutingTable(version=-1)
        self.binding_errors: dict[Any, str] = {}
        self._ruleset: Ruleset | None = None
        self._known: dict[int, KernelPin] = {}  # every pin ever rendered, by ct mark
        self._rejections: dict[str, tuple[str, str, str]] = {}
        self._resets: dict[Labels, int] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._exported: tuple[Exported, RejectedExport] = ({}, {})
        self._lock = asyncio.Lock()
        self._refresher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.nft.delete()  # a table a killed data plane of this state dir left behind
        await self.nft.apply(render(self.table, name=self.nft.name).script)
        self._refresher = asyncio.create_task(self._refresh_forever())

    async def apply(self, snapshot: RoutingSnapshot) -> None:
        table = compile_routing(snapshot)
        async with self._lock:
            previous = self._ruleset.chains if self._ruleset is not None else frozenset()
            ruleset = render(
                table,
                name=self.nft.name,
                previous_chains=previous,
                udp_idle_timeout=self.settings.udp_idle_timeout,
            )
            try:
                await self.nft.apply(ruleset.script)
            except KernelPathError as exc:
                log.error("kernel data path: %s", exc)
                self.binding_errors[("kernel", self.nft.name)] = str(exc)
                return
            self.binding_errors.pop(("kernel", self.nft.name), None)
            self.table, self._ruleset = table, ruleset
            self._known.update(ruleset.pins)
            self._rejections.update(ruleset.rejections)
            await self._judge(table)

    async def _judge(self, table: RoutingTable) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        now = self._clock.wall()
        for flow in await kernel_flows(OURS):
            pin = self._known.get(flow.mark)
            if pin is None or pin.mark in self._timers:
                continue
            binding, tg_arn, target = pin.key
            verdict = verdict_for(
                table, binding=binding, target_group_arn=tg_arn, target=target, now_wall=now
            )
            if verdict.action is Action.RESET:
                await self._reset(pin, [flow])
            elif verdict.action is Action.RESET_AT and verdict.at is not None:
                self._timers[pin.mark] = asyncio.get_running_loop().call_later(
                    max(verdict.at - now, 0.0), self._reset_later, pin
                )

    def _reset_later(self, pin: KernelPin) -> None:
        self._timers.pop(pin.mark, None)
        asyncio.get_running_loop().create_task(self._reset_pin(pin))

    async def _reset_pin(self, pin: KernelPin) -> None:
        flows = [f for f in await kernel_flows(OURS) if f.mark == pin.mark]
        await self._reset(pin, flows)

    async def _reset(self, pin: KernelPin, flows: list[KernelFlow]) -> None:
        for flow in flows:
            with contextlib.suppress(KernelPathError):
                await reset_flow(flow)
            self._resets[pin.labels] = self._resets.get(pin.labels, 0) + 1

    # -- metrics ----------------------------------------------------------------------------

    async def _refresh_forever(self) -> None:
        while True:
            with contextlib.suppress(KernelPathError):
                await self.refresh_counters()
            await asyncio.sleep(self.settings.metrics_export_seconds)

    async def refresh_counters(self) -> None:
        counters = await self.nft.counters()
        active: dict[int, int] = {}
        for flow in await kernel_flows(OURS):
            active[flow.mark] = active.get(flow.mark, 0) + 1
        tally = FlowCounters()  # the user-space workers' shape, so /metrics sums both alike
        for mark, pin in self._known.items():
            values = tally.slot(pin.labels)
            new = counters.get(f"n_{mark:08x}", (0, 0))[0]
            up = counters.get(f"u_{mark:08x}", (0, 0))[1]
            down = counters.get(f"d_{mark:08x}", (0, 0))[1]
            values[NEW] += new
            values[ACTIVE] += active.get(mark, 0)
            values[BYTES_IN] += up
            values[BYTES_OUT] += down
            if pin.cross_zone:
                values[CROSS_AZ_FLOWS] += new
                values[CROSS_AZ_BYTES] += up + down
        for labels, count in self._resets.items():
            tally.slot(labels)[RESETS] += count
        for name, key in self._rejections.items():
            if counters.get(name, (0, 0))[0]:
                tally.rejected[key] = counters[name][0]
        self._exported = tally.export()

    def export_counters(self) -> tuple[Exported, RejectedExport]:
        return self._exported

    # -- shutdown ---------------------------------------------------------------------------

    async def close(self, grace: float = 5.0) -> None:
        """Remove the rules (no new flows), let open flows finish for ``grace``, reset the rest."""
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
        for timer in self._timers.values():
            timer.cancel()
        with contextlib.suppress(KernelPathError):
            await self.nft.delete()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        with contextlib.suppress(KernelPathError):
            flows = await self._open_flows()
            while flows and loop.time() < deadline:
                await asyncio.sleep(0.1)
                flows = await self._open_flows()
            for flow in flows:
                if flow.transport == "tcp":
                    await reset_flow(flow)

    async def _open_flows(self) -> list[KernelFlow]:
        return [f for f in await kernel_flows(OURS) if f.mark in self._known]
