"""The data plane as one lifecycle Service: LB nodes, the snapshot follower, DNS names, metrics.

``DataPlane(settings, routing_url=...)``: ``await start()`` starts the workers (or, with
``workers=0``, a :class:`~localnlb.dataplane.engine.NodeEngine` in this loop), the metrics
endpoint and, given a routing URL, the :class:`~localnlb.dataplane.snapshot_client.SnapshotClient`.
:meth:`DataPlane.apply` is how every snapshot arrives, from the client or straight from a caller
(tests, the benchmark); it returns once every worker has applied it. ``await stop(grace)`` stops
accepting, lets flows finish for ``grace`` seconds, and removes the hosts-file block.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from pathlib import Path
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Info, generate_latest

from localnlb.common.http_serving import start_site
from localnlb.common.snapshot import RoutingSnapshot
from localnlb.dataplane.engine import NodeEngine
from localnlb.dataplane.hostsfile import HostsFile
from localnlb.dataplane.kernel.engine import KernelEngine
from localnlb.dataplane.kernel.netfilter import (
    KernelPathError,
    kernel_table_name,
    unavailable_reason,
)
from localnlb.dataplane.metrics import ACTIVE, Exported, FlowMetricsCollector, RejectedExport
from localnlb.dataplane.routing import compile_routing
from localnlb.dataplane.settings import DataPlaneSettings
from localnlb.dataplane.snapshot_client import SnapshotClient
from localnlb.dataplane.workers import WorkerHandle

log = logging.getLogger(__name__)


class DataPlane:
    def __init__(self, settings: DataPlaneSettings, *, routing_url: str | None = None) -> None:
        self.settings = settings
        self._routing_url = routing_url
        self._engine: NodeEngine | None = None
        self._kernel: KernelEngine | None = None
        self._workers: list[WorkerHandle] = []
        self._snapshot: RoutingSnapshot | None = None
        self._applied = asyncio.Condition()
        self._client: SnapshotClient | None = None
        self._client_task: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._metrics_address: tuple[str, int] = ("", 0)
        self._stopping = False
        self._hosts = (
            HostsFile(settings.hosts_path, owner=settings.hosts_owner)
            if settings.hosts_path is not None
            else None
        )
        self.registry = CollectorRegistry()
        self.registry.register(FlowMetricsCollector(self._metric_sources))
        info = Info("localnlb_dataplane", "Which engine forwards", registry=self.registry)
        info.info(
            {"engine": settings.engine}
            | (
                {"nftables_table": kernel_table_name(settings.hosts_owner)}
                if settings.engine == "kernel"
                else {}
            )
        )

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the LB nodes; :class:`KernelPathError` when the kernel engine cannot run here."""
        if self.settings.engine == "kernel":
            reason = unavailable_reason()
            if reason is not None:
                raise KernelPathError(reason)
            self._kernel = KernelEngine(
                self.settings, table_name=kernel_table_name(self.settings.hosts_owner)
            )
            await self._kernel.start()
        if self.settings.workers <= 0:
            self._engine = NodeEngine(self.settings)
        else:
            self._workers = [self._spawn(i) for i in range(self.settings.workers)]
        if self.settings.metrics_address is not None:
            await self._start_metrics(self.settings.metrics_address)
        if self._routing_url is not None:
            self._client = SnapshotClient(
                self._routing_url,
                on_snapshot=self.apply,
                poll_timeout=self.settings.poll_timeout_seconds,
                retry_max=self.settings.retry_max_seconds,
            )
            self._client_task = asyncio.create_task(self._client.run())

    async def stop(self, grace: float = 5.0) -> None:
        self._stopping = True  # workers that die from here on (a group SIGTERM) stay dead
        if self._client_task is not None:
            self._client_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._client_task
        closing = [w.stop(grace) for w in self._workers]
        if self._engine is not None:
            closing.append(self._engine.close(grace))
        if self._kernel is not None:
            closing.append(self._kernel.close(grace))
        await asyncio.gather(*closing)
        self._workers = []
        if self._hosts is not None:
            self._hosts.remove()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def bound_address(self) -> tuple[str, int]:
        """The metrics endpoint's address."""
        return self._metrics_address

    @property
    def worker_pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    @property
    def metrics_url(self) -> str | None:
        host, port = self._metrics_address
        return f"http://{host}:{port}/metrics" if port else None

    @property
    def version(self) -> int:
        return -1 if self._snapshot is None else self._snapshot.version

    @property
    def applied_version(self) -> int:
        """The snapshot version every LB node runs on (-1 before the first)."""
        versions = [w.applied_version for w in self._workers]
        if self._engine is not None:
            versions.append(self._engine.table.version)
        if self._kernel is not None:
            versions.append(self._kernel.table.version)
        return min(versions, default=-1)

    @property
    def binding_errors(self) -> dict[Any, str]:
        errors: dict[Any, str] = {}
        for engine in (self._kernel, self._engine, *self._workers):
            if engine is not None:
                errors.update(engine.binding_errors)
        return errors

    # -- snapshots --------------------------------------------------------------------------

    async def apply(self, snapshot: RoutingSnapshot) -> None:
        """Hand ``snapshot`` to every LB node; returns once all workers run on it."""
        self._snapshot = snapshot
        if self._kernel is not None:
            await self._kernel.apply(snapshot)
        if self._engine is not None:
            await self._engine.apply(snapshot)
        else:
            text = snapshot.to_json()
            for worker in self._workers:
                worker.send(("snapshot", text))
            async with self._applied:
                await self._applied.wait_for(
                    lambda: (
                        all(w.applied_version == snapshot.version for w in self._workers)
                        or self._snapshot is not snapshot
                    )
                )
        if self._hosts is not None:
            self._hosts.publish(compile_routing(snapshot).dns)

    def _spawn(self, index: int) -> WorkerHandle:
        worker = WorkerHandle(
            index, self.settings, on_message=self._worker_message, on_exit=self._worker_exited
        )
        if self._snapshot is not None:
            worker.send(("snapshot", self._snapshot.to_json()))
        return worker

    def _worker_message(self, worker: WorkerHandle, message: Any) -> None:
        if message[0] == "applied":
            worker.applied_version, worker.binding_errors = message[1], message[2]
            asyncio.get_running_loop().create_task(self._notify_applied())
        elif message[0] == "metrics":
            worker.metrics = (message[1], message[2])

    async def _notify_applied(self) -> None:
        async with self._applied:
            self._applied.notify_all()

    def _worker_exited(self, worker: WorkerHandle) -> None:
        if worker.stopping or self._stopping or worker not in self._workers:
            return
        log.error("data-plane worker %s exited; starting it again", worker.index)
        self._workers[self._workers.index(worker)] = self._spawn(worker.index)

    # -- metrics ----------------------------------------------------------------------------

    def active_flows(self) -> int:
        """Flows open now, over all LB nodes (workers report once per export period)."""
        return sum(
            values[ACTIVE]
            for per_target, _ in self._metric_sources()
            for values in per_target.values()
        )

    def _metric_sources(self) -> list[tuple[Exported, RejectedExport]]:
        sources = [w.metrics for w in self._workers]
        if self._engine is not None:
            sources.append(self._engine.export_counters())
        if self._kernel is not None:
            sources.append(self._kernel.export_counters())
        return sources

    def kernel_counters(self) -> Exported:
        """The kernel engine's per-target counters as last read (empty without one)."""
        return {} if self._kernel is None else self._kernel.export_counters()[0]

    async def refresh_kernel_counters(self) -> None:
        """Read the kernel's counters now instead of at the next export period (tests)."""
        if self._kernel is not None:
            await self._kernel.refresh_counters()

    async def _start_metrics(self, address: tuple[str, int]) -> None:
        async def metrics(_: web.Request) -> web.Response:
            body = generate_latest(self.registry)
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

        app = web.Application()
        app.router.add_get("/metrics", metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        self._metrics_address = await start_site(self._runner, *address)


def resolve_engine(name: str) -> str:
    """``auto``: the kernel engine where it can run (root, nftables), else user space."""
    if name == "auto":
        return "kernel" if unavailable_reason() is None else "user"
    return name


async def start_dataplane(
    routing_url: str,
    *,
    state_dir: Path,
    hosts_path: Path | None = None,
    workers: int | None = None,
    engine: str | None = None,
    base: DataPlaneSettings | None = None,
) -> DataPlane:
    """Start the LB nodes of ``state_dir``'s load balancers, following the ELBv2 endpoint at
    ``routing_url`` (what ``localnlb elbv2`` and ``up`` run). Its metrics are at
    :attr:`DataPlane.metrics_url`; ``stop()`` it on the way out. :class:`KernelPathError` when
    the ``kernel`` engine is asked for and cannot run here. ``base``: the settings the rest is
    taken from (the defaults; the e2e tests shorten timings on it, and keep this topology)."""
    defaults = base or DataPlaneSettings()
    settings = dataclasses.replace(
        defaults,
        hosts_path=hosts_path or defaults.hosts_path,
        hosts_owner=str(state_dir),  # ``localnlb down`` removes the block by this owner
        workers=defaults.workers if workers is None else workers,
        engine=resolve_engine(engine or defaults.engine),
    )
    dataplane = DataPlane(settings, routing_url=routing_url)
    try:
        await dataplane.start()
    except KernelPathError:
        await dataplane.stop(grace=0.0)
        raise
    return dataplane
