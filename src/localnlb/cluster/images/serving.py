"""What every built-in app shares: where to listen and how to say so in the container log.

The kubelet gives each container ``LOCALNLB_POD_IP`` (its pod's address on 127.0.0.0/8), so a
built-in app binds its pod IP even when the manifest, like the workshop's ui, says nothing about
addresses. Outside localnlb (running a module by hand) it falls back to ``POD_IP``, then loopback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

POD_IP_VARIABLE = "LOCALNLB_POD_IP"
ZONE_VARIABLE = "LOCALNLB_AVAILABILITY_ZONE"
NODE_VARIABLE = "LOCALNLB_NODE_NAME"


def bind_host(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get(POD_IP_VARIABLE) or env.get("POD_IP") or "127.0.0.1"


def port_from_env(default: int, *names: str, env: Mapping[str, str] | None = None) -> int:
    """The first of ``names`` set to a valid port number, else ``default``."""
    env = os.environ if env is None else env
    for name in names:
        value = env.get(name, "")
        if value.isdigit() and 0 < int(value) < 65536:
            return int(value)
    return default


def log(message: str) -> None:
    """One line on stdout (which the kubelet appends to the container's log), flushed at once."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    sys.stdout.write(f"{stamp}Z {message}\n")
    sys.stdout.flush()


def configure_access_log() -> logging.Logger:
    """aiohttp's access log, one line per request, on stdout (the container log)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("aiohttp.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger


async def serve_until_terminated(
    app: web.Application,
    *,
    host: str,
    port: int,
    name: str,
    started: float,
    also: Callable[[], Awaitable[Callable[[], None]]] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Listen, say so once listening, then run until SIGTERM/SIGINT (or ``stop``) and shut down.

    ``also`` starts extra listeners (UDP, raw TCP) and returns their closer.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(app, access_log=configure_access_log(), handle_signals=False)
    await runner.setup()
    close_extra: Callable[[], None] | None = None
    try:
        await web.TCPSite(runner, host, port).start()
        if also is not None:
            close_extra = await also()
        elapsed = time.perf_counter() - started
        log(f"{name}: listening on http://{host}:{port} (set up in {elapsed:.3f} s)")
        await stop.wait()
        log(f"{name}: terminating")
    finally:
        if close_extra is not None:
            close_extra()
        await runner.cleanup()
