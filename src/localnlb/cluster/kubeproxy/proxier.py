"""One node's kube-proxy: real NodePort listeners that forward to pods, and its health servers.

:meth:`Proxier.apply` takes a :class:`~localnlb.cluster.kubeproxy.rules.ProxyTable` (built by
``build_proxy_table`` for this node) and reconciles the node to it:

1. the rules are swapped in one assignment, so the next connection on any NodePort sees the new
   endpoints (no rebinding; open flows carry on to the endpoint they already have);
2. a TCP listener (``TcpFlow`` relay) or UDP listener (``UdpListener``) is opened on
   ``(node_ip, nodePort)`` for every new rule and closed for every rule that went (accepted TCP
   flows live on; a UDP listener's flows end with its socket);
3. the healthCheckNodePort servers follow the table's health-check rules.

A port that cannot be bound (in use) is logged and recorded in :attr:`Proxier.binding_errors`;
the others keep working, and the next ``apply`` tries again.

``start()`` serves ``(node_ip, 10256)`` and opens the listeners of the table applied so far;
``stop(grace)`` closes every listener and server at once, lets open TCP flows finish for up to
``grace`` seconds and then resets them: afterwards nothing of this node is listening.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from typing import Any

from prometheus_client import CollectorRegistry

from localnlb.cluster.kubeproxy.health_server import (
    HttpPort,
    ProxyHealthHandler,
    ServiceHealthPorts,
)
from localnlb.cluster.kubeproxy.healthcheck import HEALTHZ_PORT
from localnlb.cluster.kubeproxy.metrics import ProxyMetrics
from localnlb.cluster.kubeproxy.policy import (
    NodePortForwarding,
    RuleKey,
    TcpNodePortPolicy,
    UdpNodePortPolicy,
    rule_key,
)
from localnlb.cluster.kubeproxy.rules import ProxyTable
from localnlb.common.clock import Clock, SystemClock
from localnlb.common.forwarding.sockets import listening_socket
from localnlb.common.forwarding.tcp import TcpFlow
from localnlb.common.forwarding.udp import UdpListener

log = logging.getLogger(__name__)
EMPTY_TABLE = ProxyTable((), ())
SUPPORTED_PROTOCOLS = frozenset({"TCP", "UDP"})  # no SCTP relay


class Proxier:
    def __init__(
        self,
        *,
        node_name: str,
        node_ip: str,
        metrics: ProxyMetrics | None = None,
        clock: Clock | None = None,
        healthz_port: int = HEALTHZ_PORT,
        rng: random.Random | None = None,
    ) -> None:
        self.node_name = node_name
        self.node_ip = node_ip
        self.metrics = metrics or ProxyMetrics(CollectorRegistry())
        self.table = EMPTY_TABLE
        self.binding_errors: dict[RuleKey, str] = {}
        self._forwarding = NodePortForwarding(
            node_name=node_name, node_ip=node_ip, metrics=self.metrics, rng=rng
        )
        self._listening: dict[RuleKey, Any] = {}  # asyncio.Server | UdpListener
        self._service_health = ServiceHealthPorts(node_ip)
        self._proxy_health = HttpPort(
            (node_ip, healthz_port), ProxyHealthHandler(clock or SystemClock())
        )
        self._lock = asyncio.Lock()
        self._running = False

    @property
    def bound_address(self) -> tuple[str, int]:
        """The ``/healthz`` server's address (port 10256 unless told otherwise)."""
        return self._proxy_health.bound_address

    @property
    def health_check_errors(self) -> dict[int, str]:
        return dict(self._service_health.errors)

    def listening(self) -> list[RuleKey]:
        """The (protocol, nodePort) pairs that have a listener now."""
        return sorted(self._listening)

    async def start(self) -> None:
        async with self._lock:
            await self._proxy_health.start()
            self._running = True
            await self._sync()

    async def apply(self, table: ProxyTable) -> None:
        async with self._lock:
            self.table = table
            self._forwarding.rules = {rule_key(rule): rule for rule in table.node_ports}
            if self._running:
                await self._sync()

    async def stop(self, grace: float = 5.0) -> None:
        async with self._lock:
            self._running = False
            for key in list(self._listening):
                self._close(key)
            await self._service_health.stop()
            await self._proxy_health.stop()
        await self._forwarding.drain(grace)

    # -- listeners --------------------------------------------------------------------------

    async def _sync(self) -> None:
        wanted = self._forwarding.rules
        for key in [k for k in self._listening if k not in wanted]:
            self._close(key)
        for key in [k for k in self.binding_errors if k not in wanted]:
            del self.binding_errors[key]
        for key in sorted(set(wanted) - set(self._listening)):
            if key[0] not in SUPPORTED_PROTOCOLS:
                self.binding_errors[key] = f"{key[0]} NodePorts are not supported here"
                continue
            try:
                self._listening[key] = await self._open(key)
            except OSError as exc:
                if self.binding_errors.get(key) != str(exc):
                    log.error("cannot listen on %s:%s/%s: %s", self.node_ip, key[1], key[0], exc)
                self.binding_errors[key] = str(exc)
            else:
                self.binding_errors.pop(key, None)
        await self._service_health.apply({hc.node_port: hc for hc in self.table.health_checks})

    async def _open(self, key: RuleKey) -> Any:
        protocol, port = key
        loop = asyncio.get_running_loop()
        where = (self.node_ip, port)
        if protocol == "UDP":
            sock = listening_socket(where, kind=socket.SOCK_DGRAM)
            listener = UdpListener(UdpNodePortPolicy(self._forwarding, key), loop, where)
            await loop.create_datagram_endpoint(lambda: listener, sock=sock)
            return listener
        sock = listening_socket(where, kind=socket.SOCK_STREAM)
        policy = TcpNodePortPolicy(self._forwarding, key)
        return await loop.create_server(lambda: TcpFlow(policy, loop, where), sock=sock)

    def _close(self, key: RuleKey) -> None:
        # A TCP server stops accepting (its flows carry on); a UDP listener ends its flows.
        self._listening.pop(key).close()
