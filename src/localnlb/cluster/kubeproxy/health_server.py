"""kube-proxy's HTTP health endpoints on one node: small aiohttp low-level servers, one per port.

- ``(node_ip, 10256)``: ``/healthz`` and ``/livez`` (the proxier's own health, what a load
  balancer in instance mode with ``externalTrafficPolicy: Cluster`` probes); any other path gets
  Go's ``404 page not found``;
- ``(node_ip, healthCheckNodePort)`` per Service with ``externalTrafficPolicy: Local``: any path
  and method answers 200 when this node has a local endpoint, else 503 (the load balancer's
  health check for Local Services).

The bodies come from the pure :mod:`localnlb.cluster.kubeproxy.healthcheck`. A Service's rule is
looked up per request, so a changed endpoint count needs no rebinding; only a port that comes or
goes opens or closes a server.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from localnlb.cluster.kubeproxy.healthcheck import (
    HealthResponse,
    proxy_healthz,
    proxy_livez,
    service_health,
)
from localnlb.cluster.kubeproxy.rules import HealthCheckRule
from localnlb.common.clock import Clock

log = logging.getLogger(__name__)

Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]
NOT_FOUND = HealthResponse(
    404,
    "404 page not found\n",
    (("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")),
)


def _response(answer: HealthResponse) -> web.Response:
    # body, not text: aiohttp would append "; charset=utf-8" to upstream's Content-Type.
    return web.Response(
        status=answer.status, body=answer.body.encode(), headers=dict(answer.headers)
    )


class HttpPort:
    """One small HTTP server on one address, started and stopped as a unit."""

    def __init__(self, address: tuple[str, int], handler: Handler) -> None:
        self._address = address
        self._handler = handler
        self._runner: web.ServerRunner | None = None
        self.bound_address = address

    async def start(self) -> None:
        sock = socket.create_server(self._address)  # SO_REUSEADDR, no SO_REUSEPORT
        sock.setblocking(False)
        runner = web.ServerRunner(web.Server(self._handler), shutdown_timeout=1.0)
        try:
            await runner.setup()
            await web.SockSite(runner, sock).start()
        except BaseException:
            await runner.cleanup()
            sock.close()
            raise
        self._runner = runner
        self.bound_address = sock.getsockname()[:2]

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


class ProxyHealthHandler:
    """``:10256``: the proxier's health, stamped with the clock's wall and monotonic time."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._started = clock.monotonic()  # Go prints m=+ as time since the process began

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        wall, monotonic = self._clock.wall(), self._clock.monotonic() - self._started
        if request.path == "/healthz":
            return _response(proxy_healthz(wall=wall, monotonic=monotonic))
        if request.path == "/livez":
            return _response(proxy_livez(wall=wall, monotonic=monotonic))
        return _response(NOT_FOUND)


class ServiceHealthPorts:
    """The healthCheckNodePort servers of one node, reconciled to the current rules."""

    def __init__(self, node_ip: str) -> None:
        self._node_ip = node_ip
        self.rules: dict[int, HealthCheckRule] = {}
        self._servers: dict[int, HttpPort] = {}
        self.errors: dict[int, str] = {}

    async def apply(self, rules: Mapping[int, HealthCheckRule]) -> None:
        self.rules = dict(rules)  # seen by the next request at once
        for port in [p for p in self._servers if p not in rules]:
            await self._servers.pop(port).stop()
            self.errors.pop(port, None)
        for port in sorted(set(rules) - set(self._servers)):
            server = HttpPort((self._node_ip, port), self._handler_for(port))
            try:
                await server.start()
            except OSError as exc:
                if self.errors.get(port) != str(exc):
                    log.error("cannot serve health checks on %s:%s: %s", self._node_ip, port, exc)
                self.errors[port] = str(exc)
                continue
            self.errors.pop(port, None)
            self._servers[port] = server

    async def stop(self) -> None:
        await self.apply({})

    def _handler_for(self, port: int) -> Handler:
        async def answer(request: web.BaseRequest) -> web.StreamResponse:
            rule = self.rules.get(port)
            return _response(service_health(rule) if rule is not None else NOT_FOUND)

        return answer
