"""The dashboard's HTTP server: the page, its static assets, the scene and its push stream.

``GET /`` is the page; ``/static/*`` its scripts and styles (package data, no CDN, so it works
offline); ``GET /api/scene`` the current scene as JSON; ``GET /api/stream`` Server-Sent Events:
one ``scene`` event at once, then one per change (a scene skipped while the page was slow is
replaced by the newest), and a comment line every few seconds so proxies keep it open.
"""

from __future__ import annotations

import asyncio
import contextlib
from importlib import resources
from pathlib import Path

from aiohttp import web

from localnlb.common.http_serving import start_site
from localnlb.web.hub import SceneHub

KEEPALIVE_SECONDS = 10.0
STATIC_DIR = Path(str(resources.files("localnlb.web") / "static"))


class DashboardServer:
    def __init__(self, hub: SceneHub, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._hub = hub
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._bound = (host, port)
        self._closing = asyncio.Event()
        self._streams: set[asyncio.Task[object]] = set()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self._index)
        app.router.add_get("/api/scene", self._scene)
        app.router.add_get("/api/stream", self._stream)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_static("/static/", STATIC_DIR, show_index=False)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        self._bound = await start_site(self._runner, self._host, self._port)

    async def stop(self, grace: float = 1.0) -> None:
        del grace
        self._closing.set()
        for stream in list(self._streams):  # open pages: end their streams now, not at timeout
            stream.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def bound_address(self) -> tuple[str, int]:
        return self._bound

    @property
    def url(self) -> str:
        host, port = self._bound
        return f"http://{host}:{port}"  # no trailing slash: "$URL/api/scene" composes

    async def _index(self, request: web.Request) -> web.FileResponse:
        del request
        return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def _healthz(self, request: web.Request) -> web.Response:
        del request
        return web.Response(text="ok\n")

    async def _scene(self, request: web.Request) -> web.Response:
        del request
        return web.Response(
            text=self._hub.scene_json()[1],
            content_type="application/json",
            headers={"Cache-Control": "no-store"},
        )

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        this = asyncio.current_task()
        if this is not None:
            self._streams.add(this)
        sent = -1
        try:
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                while not self._closing.is_set():
                    version, text = await self._hub.wait_newer(sent, KEEPALIVE_SECONDS)
                    if version == sent:
                        await response.write(b": keepalive\n\n")
                        continue
                    sent = version
                    await response.write(f"event: scene\ndata: {text}\n\n".encode())
        finally:
            if this is not None:
                self._streams.discard(this)
        return response
