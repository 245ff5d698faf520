"""The embedded API server as a :class:`localnlb.common.lifecycle.Service`: SQLite store under
the state dir, loopback HTTP, kubeconfig written on start.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import ipaddress
import json
import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import IO

from aiohttp import web

from localnlb.cluster.apiserver.serving import kubeconfig, tls
from localnlb.cluster.apiserver.serving.app import build_app
from localnlb.cluster.apiserver.storage.bootstrap import bootstrap, resume_namespace_deletions
from localnlb.cluster.apiserver.storage.default_storage_class import ensure_default_storage_class
from localnlb.cluster.apiserver.storage.event_ttl import expire_events
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.apiserver.webhooks.admitted_writes import WEBHOOKS_KEY
from localnlb.cluster.apiserver.webhooks.dispatch import WebhookAdmission
from localnlb.cluster.store import ObjectStore
from localnlb.common import statedir
from localnlb.common.addressing import build_address_plan
from localnlb.common.clock import Clock, SystemClock
from localnlb.common.http_serving import start_site

log = logging.getLogger(__name__)
STORE_FILE = "cluster.sqlite"
PORT_FILE = "apiserver.json"
LOCK_FILE = "apiserver.lock"
# About as long as a real namespace controller takes to start emptying a namespace.
DEFERRED_WORK_DELAY = 0.5
EVENT_SWEEP_PERIOD = 60.0
POD_LOG_DIR = "pods"
# kube-apiserver's ReadHeaderTimeout (slowloris): headers arrive within this of the connection
# opening or of the previous answer, else the connection is closed. aiohttp's keep-alive timer
# is that bound (it also closes connections idle as long, where Go's IdleTimeout is 90 s).
HEADER_READ_SECONDS = 32.0


class StateDirBusy(RuntimeError):
    """Another API server already serves this state dir (two writers would corrupt it)."""


def _lock_state_dir(state_dir: Path) -> IO[bytes]:
    handle = (state_dir / LOCK_FILE).open("a+b")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StateDirBusy(f"another localnlb API server is serving {state_dir}") from None
    return handle


def _state_dir_service_cidr(state_dir: Path) -> ipaddress.IPv4Network:
    """The Service CIDR of the state dir's own VPC, for an API server started on its own."""
    return build_address_plan(vpc_octet=statedir.vpc_octet_for(state_dir)).service_cidr


class ApiServer:
    def __init__(
        self,
        state_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        bookmark_interval: float = 60.0,
        history: int = 20_000,
        rng: random.Random | None = None,
        service_cidr: ipaddress.IPv4Network | None = None,
    ) -> None:
        self.state_dir = state_dir
        self._service_cidr = service_cidr
        self._host = host
        self._port = port
        self._clock = clock or SystemClock()
        self._bookmark_interval = bookmark_interval
        self._history = history
        self._rng = rng
        self._runner: web.AppRunner | None = None
        self._bound: tuple[str, int] = (host, port)
        self.registry: Registry | None = None
        self.webhooks: WebhookAdmission | None = None
        self.token = ""
        self._lock: IO[bytes] | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.ca_path = state_dir / tls.PKI_DIR / "ca.crt"

    async def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._lock = _lock_state_dir(self.state_dir)
        store = ObjectStore(self.state_dir / STORE_FILE, history=self._history)
        self.registry = Registry(
            store,
            service_cidr=self._service_cidr or _state_dir_service_cidr(self.state_dir),
            clock=self._clock,
            pod_log_dir=self.state_dir / POD_LOG_DIR,
            rng=self._rng,
        )
        bootstrap(self.registry)
        ensure_default_storage_class(self.registry)
        self.registry.defer = self._defer
        resume_namespace_deletions(self.registry)
        self._sweeper = asyncio.create_task(self._sweep_events(), name="event-ttl")
        self.token = kubeconfig.load_or_create_token(self.state_dir)
        app = build_app(self.registry, token=self.token, bookmark_interval=self._bookmark_interval)
        self.webhooks = WebhookAdmission(self.registry)
        app[WEBHOOKS_KEY] = self.webhooks
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=1.0,
            keepalive_timeout=HEADER_READ_SECONDS,
        )
        await self._runner.setup()
        ca, cert, key = tls.ensure_serving_certificate(self.state_dir, self._host)
        self.ca_path = ca
        context = tls.server_context(cert, key)
        port = self._port or self._previous_port()
        try:
            self._bound = await start_site(self._runner, self._host, port, ssl_context=context)
        except OSError:
            if self._port:
                raise
            # the old port is taken: any free one
            self._bound = await start_site(self._runner, self._host, 0, ssl_context=context)
        (self.state_dir / PORT_FILE).write_text(json.dumps({"port": self._bound[1]}) + "\n")
        kubeconfig.write(self.state_dir, self.url, self.token, ca.read_bytes())

    def _previous_port(self) -> int:
        """Serve on the port of the last run, so kubeconfigs and resumed watches stay valid."""
        try:
            return int(json.loads((self.state_dir / PORT_FILE).read_text())["port"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    async def _sweep_events(self) -> None:
        while self.registry is not None:
            try:
                expire_events(self.registry)
            except Exception:  # a sweep must never take the server down
                log.exception("expiring events failed")
            await asyncio.sleep(EVENT_SWEEP_PERIOD)

    def _defer(self, work: Callable[[], None]) -> None:
        def run() -> None:
            if self.registry is None:  # stopped meanwhile: the next start finishes the work
                return
            try:
                work()
            except Exception:  # deferred cluster work must never take the server down
                log.exception("deferred cluster work failed")

        asyncio.get_running_loop().call_later(DEFERRED_WORK_DELAY, run)

    async def stop(self, grace: float = 5.0) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        if self._runner is not None:
            await self._runner.shutdown()
            await self._runner.cleanup()
            self._runner = None
        if self.webhooks is not None:
            await self.webhooks.close()
            self.webhooks = None
        if self.registry is not None:
            self.registry.store.close()
            self.registry = None
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    @property
    def bound_address(self) -> tuple[str, int]:
        return self._bound

    @property
    def url(self) -> str:
        host, port = self._bound
        return f"https://{host}:{port}"

    @property
    def kubeconfig_path(self) -> Path:
        return self.state_dir / kubeconfig.KUBECONFIG_FILE
