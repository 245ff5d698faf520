"""The ELBv2/EC2 control plane as one :class:`~localnlb.common.lifecycle.Service`.

:func:`start_elbv2` opens the store in the state dir (creating the default VPC of the address
plan), binds the HTTP server and starts the timer that makes time-driven changes visible (a load
balancer turning ``active``, a drain ending). It is the seam for the health checker:

* ``probed_health_factory(feed)`` returns the :class:`ProbedHealth` the API asks about
  registered, in-use targets. ``feed`` is the :class:`SnapshotPublisher`: ``feed.snapshot()``
  is the current :class:`RoutingSnapshot` (what to probe: target groups with their health-check
  settings and targets, load balancers with their node addresses), ``await
  feed.wait_newer(after, timeout)`` waits for a change, and ``feed.invalidate()`` must be called
  whenever a probe verdict changes so that the snapshot's version bumps and long polls wake.
* If the returned object also has ``async start()``/``async stop(grace)``, it is started after
  the server and stopped before it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from localnlb.common.addressing import DEFAULT_AZ_COUNT, build_address_plan
from localnlb.common.clock import Clock, SystemClock
from localnlb.common.http_serving import start_site
from localnlb.common.octet_claims import claim_vpc_octet
from localnlb.elbv2.api import server as api_server
from localnlb.elbv2.api.context import ApiContext, ApiSettings
from localnlb.elbv2.api.publisher import SnapshotPublisher
from localnlb.elbv2.api.routing import build_snapshot
from localnlb.elbv2.api.server import build_app
from localnlb.elbv2.model.target_health import NoProbes, ProbedHealth
from localnlb.elbv2.store.store import Store

LOG = logging.getLogger(__name__)
ProbedHealthFactory = Callable[[SnapshotPublisher], ProbedHealth]


@dataclass(frozen=True, slots=True)
class Elbv2Settings:
    state_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    az_count: int = DEFAULT_AZ_COUNT
    api: ApiSettings = field(default_factory=ApiSettings)


def _no_probes(feed: SnapshotPublisher) -> ProbedHealth:
    return NoProbes()


class Elbv2Server:
    def __init__(
        self,
        settings: Elbv2Settings,
        *,
        probed_health_factory: ProbedHealthFactory = _no_probes,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        # Held while this server lives: no other installation may take this VPC's addresses.
        self._octet_claim = claim_vpc_octet(settings.state_dir)
        plan = build_address_plan(
            vpc_octet=self._octet_claim.octet,
            region=settings.api.region,
            az_count=settings.az_count,
        )
        try:
            self.store = Store.open(settings.state_dir)
        except BaseException:
            self._octet_claim.release()
            raise
        self.store.ensure_default_vpc(plan, cluster_name=settings.api.cluster_name)
        self.context = ApiContext(
            self.store, self.clock, settings.api, plan, NoProbes(), self._changed
        )
        self.feed = SnapshotPublisher(lambda version: build_snapshot(self.context, version))
        self.context.probed = probed_health_factory(self.feed)
        self._wake = asyncio.Event()
        self.feed.on_invalidate(self._wake.set)
        self._runner: web.AppRunner | None = None
        self._timer: asyncio.Task[None] | None = None
        self._bound: tuple[str, int] = (settings.host, settings.port)

    def _changed(self) -> None:
        self.feed.invalidate()

    @property
    def bound_address(self) -> tuple[str, int]:
        return self._bound

    @property
    def url(self) -> str:
        host, port = self._bound
        return f"http://{host}:{port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(
            build_app(self.context, self.feed),
            access_log=None,
            shutdown_timeout=1.0,
            keepalive_timeout=api_server.HEADER_READ_SECONDS,  # the header read bound
        )
        await self._runner.setup()
        self._bound = await start_site(self._runner, self.settings.host, self.settings.port)
        self._timer = asyncio.create_task(self._run_timers(), name="elbv2-timers")
        starter = getattr(self.context.probed, "start", None)
        if starter is not None:
            await starter()

    async def stop(self, grace: float = 5.0) -> None:
        stopper = getattr(self.context.probed, "stop", None)
        if stopper is not None:
            await stopper(grace)
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        self.feed.close()  # long polls (the data plane's, the dashboard's) answer now
        if self._runner is not None:
            await self._runner.cleanup()
        self.store.close()
        self._octet_claim.release()

    def _next_deadline(self, now: float) -> float | None:
        deadlines = [
            lb.active_at for lb in self.store.load_balancers.values() if lb.active_at > now
        ]
        draining = self.store.registrations.next_draining_deadline()
        if draining is not None:
            deadlines.append(draining)
        return min(deadlines) if deadlines else None

    async def _run_timers(self) -> None:
        """Wake at the next time-driven change, apply it, bump the snapshot version."""
        while True:
            now = self.clock.wall()
            deadline = self._next_deadline(now)
            timeout = None if deadline is None else max(deadline - now, 0.0) + 0.01
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            now = self.clock.wall()
            if deadline is not None and now >= deadline:
                try:
                    with self.store.transaction():
                        self.store.registrations.purge_gone(now)
                except Exception:
                    LOG.exception("purging drained targets failed")
                self.feed.invalidate()


async def start_elbv2(
    settings: Elbv2Settings,
    *,
    probed_health_factory: ProbedHealthFactory = _no_probes,
    clock: Clock | None = None,
) -> Elbv2Server:
    server = Elbv2Server(settings, probed_health_factory=probed_health_factory, clock=clock)
    await server.start()
    return server
