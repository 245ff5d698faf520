"""A tiny routing-snapshot server for tests: the long-poll contract the ELBv2 API serves.

``GET /_localnlb/v1/routing?after=V`` answers at once with the snapshot when its version is not
V, else holds the request until :meth:`SnapshotServer.publish` or the ``timeout`` parameter, then
answers 204.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from localnlb.common.snapshot import SNAPSHOT_PATH, RoutingSnapshot


class SnapshotServer:
    def __init__(self, snapshot: RoutingSnapshot) -> None:
        self.snapshot = snapshot
        self.requests = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, address: str = "127.0.0.1") -> SnapshotServer:
        app = web.Application()
        app.router.add_get(SNAPSHOT_PATH, self._routing)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, address, 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{address}:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def publish(self, snapshot: RoutingSnapshot) -> None:
        async with self._changed:
            self.snapshot = snapshot
            self._changed.notify_all()

    async def _routing(self, request: web.Request) -> web.Response:
        self.requests += 1
        after = int(request.query.get("after", "-1"))
        timeout = float(request.query.get("timeout", "20"))
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.snapshot.version != after), timeout
                )
            except TimeoutError:
                return web.Response(status=204)
        return web.Response(text=self.snapshot.to_json(), content_type="application/json")
