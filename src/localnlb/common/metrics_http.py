"""A Prometheus ``/metrics`` endpoint for one collector registry, as a lifecycle Service.

Components that count things (kube-proxy's hops in the cluster process, for instance) serve
their registry here on a loopback port, so the dashboard and any Prometheus can scrape them.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from localnlb.common.http_serving import start_site


class MetricsServer:
    def __init__(self, registry: CollectorRegistry, *, host: str = "127.0.0.1", port: int = 0):
        self._registry = registry
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._bound = (host, port)

    async def _metrics(self, request: web.Request) -> web.Response:
        del request
        body = generate_latest(self._registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        self._bound = await start_site(self._runner, self._host, self._port)

    async def stop(self, grace: float = 1.0) -> None:
        del grace
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def bound_address(self) -> tuple[str, int]:
        return self._bound

    @property
    def url(self) -> str:
        host, port = self._bound
        return f"http://{host}:{port}/metrics"
