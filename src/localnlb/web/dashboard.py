"""The dashboard as one lifecycle Service: hub, HTTP server and the sources, for one state dir.

Where each source lives is read from ``DIR/env`` every time a source (re)connects:
``AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2`` (routing snapshot), ``KUBECONFIG``,
``LOCALNLB_DATAPLANE_METRICS_URL`` and ``LOCALNLB_CLUSTER_METRICS_URL`` (Prometheus text).
Settings can pin any of them instead (tests, or a data plane run by hand).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localnlb.common import statedir
from localnlb.common.clock import Clock
from localnlb.web.hub import SceneHub
from localnlb.web.kube_source import KubeWatcher
from localnlb.web.server import DashboardServer
from localnlb.web.sources import follow_snapshots, scrape_metrics

RESTART_SECONDS = 1.0

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DashboardSettings:
    state_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    # Twice a second, so a flow shows on the page about a second after it starts.
    scrape_interval: float = 0.5
    # How long one routing long poll may be held (the ELBv2 side caps it too).
    poll_seconds: float = 20.0
    # Pinned sources; None reads DIR/env.
    elbv2_url: str | None = None
    kubeconfig: Path | None = None
    dataplane_metrics_url: str | None = None
    cluster_metrics_url: str | None = None


class Dashboard:
    def __init__(self, settings: DashboardSettings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.hub = SceneHub(clock=clock)
        self.server = DashboardServer(self.hub, host=settings.host, port=settings.port)
        self._tasks: list[asyncio.Task[None]] = []

    def _env(self, variable: str, pinned: str | None) -> str | None:
        if pinned is not None:
            return pinned
        return statedir.read_env(self.settings.state_dir).get(variable) or None

    def _kubeconfig(self) -> Path | None:
        if self.settings.kubeconfig is not None:
            return self.settings.kubeconfig
        value = statedir.read_env(self.settings.state_dir).get("KUBECONFIG")
        return Path(value) if value else None

    async def start(self) -> None:
        await self.server.start()
        s = self.settings
        sources: dict[str, Callable[[], Coroutine[Any, Any, None]]] = {
            "elbv2": lambda: follow_snapshots(
                self.hub,
                lambda: self._env(statedir.ELBV2_ENDPOINT_VARIABLE, s.elbv2_url),
                poll_seconds=s.poll_seconds,
            ),
            "kubernetes": lambda: KubeWatcher(self.hub, self._kubeconfig).run(),
            "data plane metrics": lambda: scrape_metrics(
                self.hub,
                dataplane=lambda: self._env(
                    statedir.DATAPLANE_METRICS_VARIABLE, s.dataplane_metrics_url
                ),
                kubeproxy=lambda: self._env(
                    statedir.CLUSTER_METRICS_VARIABLE, s.cluster_metrics_url
                ),
                interval=s.scrape_interval,
            ),
        }
        self._tasks = [
            asyncio.create_task(self._keep_running(name, run), name=f"dashboard-{name}")
            for name, run in sources.items()
        ]

    async def _keep_running(self, name: str, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Sources handle the failures they expect; anything else is logged, said on the page
        and the source starts over, so one bug never silently freezes part of the picture."""
        while True:
            try:
                await run()
            except Exception as error:
                log.exception("dashboard source %s failed; starting it again", name)
                self.hub.set_source(name, ok=False, detail=f"internal error: {error!r}")
            await asyncio.sleep(RESTART_SECONDS)

    async def stop(self, grace: float = 1.0) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        await self.server.stop(grace)

    @property
    def bound_address(self) -> tuple[str, int]:
        return self.server.bound_address

    @property
    def url(self) -> str:
        return self.server.url
