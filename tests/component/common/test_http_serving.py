"""common/http_serving.py over loopback: port 0 comes back as the port really bound."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from localnlb.common.http_serving import bound_address, start_site


async def _here(_: web.Request) -> web.Response:
    return web.Response(text="here")


async def test_port_zero_is_reported_as_the_port_that_answers() -> None:
    app = web.Application()
    app.router.add_get("/", _here)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        assert bound_address(runner, fallback=("127.0.0.1", 0)) == ("127.0.0.1", 0)
        host, port = await start_site(runner, "127.0.0.1", 0)
        assert (host, port != 0) == ("127.0.0.1", True)
        async with aiohttp.ClientSession() as session, session.get(f"http://{host}:{port}/") as r:
            assert await r.text() == "here"
        assert bound_address(runner, fallback=("x", 1)) == (host, port)
    finally:
        await runner.cleanup()
