"""Worker processes: each runs a :class:`~localnlb.dataplane.engine.NodeEngine` on its own uvloop.

All workers bind every LB node listener with SO_REUSEPORT, so the kernel spreads connections
(and UDP 4-tuples, consistently) over them. The parent talks to each worker over a pipe:

* parent -> worker: ``("snapshot", json)`` to apply, ``("stop", grace)`` to end;
* worker -> parent: ``("applied", version, binding_errors)`` after each snapshot, and
  ``("metrics", per_target, rejected)`` every export period.

Workers are started with ``spawn`` (never ``fork`` from a running event loop) and ignore SIGINT
and SIGTERM: the parent decides when they stop (and they stop when its pipe closes). A worker
that dies is started again with the current snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from localnlb.common.snapshot import RoutingSnapshot
from localnlb.dataplane.engine import NodeEngine
from localnlb.dataplane.settings import DataPlaneSettings

log = logging.getLogger(__name__)


def worker_main(conn: Connection, settings: DataPlaneSettings) -> None:
    # A Ctrl-C or a SIGTERM to the whole process group is the parent's to handle: it drains the
    # workers over their pipes. A worker whose parent is gone sees the pipe close and stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="localnlb worker: %(message)s")
    import uvloop

    uvloop.run(_serve(conn, settings))


async def _serve(conn: Connection, settings: DataPlaneSettings) -> None:
    loop = asyncio.get_running_loop()
    engine = NodeEngine(settings, loop=loop)
    inbox: asyncio.Queue[Any] = asyncio.Queue()

    def readable() -> None:
        try:
            inbox.put_nowait(conn.recv())
        except (EOFError, OSError):
            loop.remove_reader(conn.fileno())
            inbox.put_nowait(("stop", 0.0))

    def export() -> None:
        with contextlib.suppress(OSError):
            conn.send(("metrics", *engine.export_counters()))
        exporter[0] = loop.call_later(settings.metrics_export_seconds, export)

    loop.add_reader(conn.fileno(), readable)
    exporter = [loop.call_later(settings.metrics_export_seconds, export)]
    while True:
        message = await inbox.get()
        if message[0] == "snapshot":
            snapshot = RoutingSnapshot.from_json(message[1])
            await engine.apply(snapshot)
            conn.send(("applied", snapshot.version, dict(engine.binding_errors)))
        elif message[0] == "stop":
            exporter[0].cancel()
            await engine.close(float(message[1]))
            with contextlib.suppress(OSError):
                conn.send(("metrics", *engine.export_counters()))
            return


class WorkerHandle:
    """The parent's side of one worker process."""

    def __init__(
        self,
        index: int,
        settings: DataPlaneSettings,
        *,
        on_message: Callable[[WorkerHandle, Any], None],
        on_exit: Callable[[WorkerHandle], None],
    ) -> None:
        self.index = index
        self._settings = settings
        self._on_message = on_message
        self._on_exit = on_exit
        self._loop = asyncio.get_running_loop()
        self.applied_version = -1
        self.binding_errors: dict[Any, str] = {}
        self.metrics: tuple[Any, Any] = ({}, {})
        self.stopping = False
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=worker_main,
            args=(child, settings),
            name=f"localnlb-dataplane-{index}",
            daemon=True,
        )
        self.process.start()
        child.close()
        self._loop.add_reader(self._conn.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            message = self._conn.recv()
        except (EOFError, OSError):
            self._loop.remove_reader(self._conn.fileno())
            self._on_exit(self)
            return
        self._on_message(self, message)

    def send(self, message: tuple[Any, ...]) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(message)

    async def stop(self, grace: float) -> None:
        self.stopping = True
        self.send(("stop", grace))
        await asyncio.to_thread(self.process.join, grace + 2.0)
        if self.process.is_alive():
            self.process.kill()
            await asyncio.to_thread(self.process.join, 2.0)
        with contextlib.suppress(OSError, ValueError):
            self._loop.remove_reader(self._conn.fileno())
        self._conn.close()
