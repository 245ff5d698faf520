"""Serving an aiohttp application on one address and learning the address it got.

Every HTTP endpoint of localnlb (the ELBv2 API, the Kubernetes API server, the metrics
endpoints, the dashboard, the controller's webhooks) binds a loopback address, usually port 0,
and must report the port the kernel chose. This is that, once, through aiohttp's public
``AppRunner.addresses`` rather than a site's private server.
"""

from __future__ import annotations

import ssl

from aiohttp import web


def bound_address(runner: web.BaseRunner, *, fallback: tuple[str, int]) -> tuple[str, int]:
    """The (host, port) ``runner``'s first site listens on; ``fallback`` before it listens."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return str(address[0]), int(address[1])
    return fallback


async def start_site(
    runner: web.BaseRunner, host: str, port: int, *, ssl_context: ssl.SSLContext | None = None
) -> tuple[str, int]:
    """Listen on ``host:port`` (port 0: any free one); the address actually bound."""
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
    await site.start()
    return bound_address(runner, fallback=(host, port))
