"""kube-proxy's ClusterIP listeners: a real listener on every ``clusterIP:port`` that forwards each
new connection (or UDP flow) to one of the Service's endpoints.

On a real node, every kube-proxy programs every ClusterIP; here all nodes share one 127/8, where
one ``clusterIP:port`` can have one listener, so one :class:`ServiceIpProxy` serves the cluster's
ClusterIPs for every node. Like the NodePort proxier (:mod:`.proxier`):

- :meth:`ServiceIpProxy.apply` swaps the rules in one assignment (the next connection sees the
  new endpoints; open flows keep theirs, as conntrack keeps established connections) and opens
  or closes listeners to match; a port that cannot be bound is logged and kept in
  :attr:`ServiceIpProxy.binding_errors`, and the next ``apply`` tries again;
- a rule without endpoints refuses (the client is reset, as kube-proxy's REJECT rule does);
- the endpoint is random, each equally likely, unless ``sessionAffinity: ClientIP`` keeps the
  client on the one it had (:class:`~.service_ips.ClientAffinity`);
- the pod sees the client's own address (no SNAT for ClusterIP traffic).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
from collections.abc import Iterable
from typing import Any

from localnlb.cluster.kubeproxy.policy import CONNECT_TIMEOUT, UDP_IDLE_TIMEOUT
from localnlb.cluster.kubeproxy.rules import Endpoint
from localnlb.cluster.kubeproxy.service_ips import ClientAffinity, ServiceIpKey, ServiceIpRule
from localnlb.common.clock import Clock, SystemClock
from localnlb.common.forwarding.sockets import listening_socket
from localnlb.common.forwarding.tcp import TcpFlow, UpstreamPlan
from localnlb.common.forwarding.udp import UdpFlow, UdpListener, UdpUpstreamPlan

log = logging.getLogger(__name__)
SUPPORTED_PROTOCOLS = frozenset({"TCP", "UDP"})


class ServiceIpProxy:
    def __init__(self, *, clock: Clock | None = None, rng: random.Random | None = None) -> None:
        self.rules: dict[ServiceIpKey, ServiceIpRule] = {}
        self.binding_errors: dict[ServiceIpKey, str] = {}
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._affinity = ClientAffinity()
        self._listening: dict[ServiceIpKey, Any] = {}  # asyncio.Server | UdpListener
        self.open_tcp: set[TcpFlow] = set()
        self._drained = asyncio.Event()
        self._lock = asyncio.Lock()
        self._running = False

    def listening(self) -> list[ServiceIpKey]:
        return sorted(self._listening)

    async def start(self) -> None:
        async with self._lock:
            self._running = True
            await self._sync()

    async def apply(self, rules: Iterable[ServiceIpRule]) -> None:
        async with self._lock:
            self.rules = {rule.key: rule for rule in rules}
            self._affinity.forget_rules_except(self.rules)
            if self._running:
                await self._sync()

    async def stop(self, grace: float = 5.0) -> None:
        async with self._lock:
            self._running = False
            for key in list(self._listening):
                self._listening.pop(key).close()
        if self.open_tcp and grace > 0:
            self._drained.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), grace)
        for flow in list(self.open_tcp):
            flow.reset("kube-proxy stopping")

    def untrack(self, flow: TcpFlow) -> None:
        self.open_tcp.discard(flow)
        if not self.open_tcp:
            self._drained.set()

    # -- choosing ---------------------------------------------------------------------------

    def pick(self, key: ServiceIpKey, client_ip: str) -> Endpoint | None:
        rule = self.rules.get(key)
        if rule is None or not rule.endpoints:
            return None
        now = self._clock.monotonic()
        endpoint = self._affinity.recall(rule, client_ip, now) or self._rng.choice(rule.endpoints)
        self._affinity.remember(rule, client_ip, endpoint, now)
        return endpoint

    # -- listeners --------------------------------------------------------------------------

    async def _sync(self) -> None:
        for key in [k for k in self._listening if k not in self.rules]:
            self._listening.pop(key).close()
        for key in [k for k in self.binding_errors if k not in self.rules]:
            del self.binding_errors[key]
        for key in sorted(set(self.rules) - set(self._listening)):
            if key[0] not in SUPPORTED_PROTOCOLS:
                self.binding_errors[key] = f"{key[0]} Services are not supported here"
                continue
            try:
                self._listening[key] = await self._open(key)
            except OSError as exc:
                if self.binding_errors.get(key) != str(exc):
                    log.error("cannot listen on %s:%s/%s: %s", key[1], key[2], key[0], exc)
                self.binding_errors[key] = str(exc)
            else:
                self.binding_errors.pop(key, None)

    async def _open(self, key: ServiceIpKey) -> Any:
        protocol, address, port = key
        loop = asyncio.get_running_loop()
        where = (address, port)
        if protocol == "UDP":
            sock = listening_socket(where, kind=socket.SOCK_DGRAM)
            listener = UdpListener(_UdpPolicy(self, key), loop, where)
            await loop.create_datagram_endpoint(lambda: listener, sock=sock)
            return listener
        sock = listening_socket(where, kind=socket.SOCK_STREAM)
        policy = _TcpPolicy(self, key)
        return await loop.create_server(lambda: TcpFlow(policy, loop, where), sock=sock)


class _TcpPolicy:
    def __init__(self, proxy: ServiceIpProxy, key: ServiceIpKey) -> None:
        self._proxy = proxy
        self._key = key

    def open_flow(self, flow: TcpFlow) -> UpstreamPlan | None:
        endpoint = self._proxy.pick(self._key, flow.client[0])
        if endpoint is None:
            return None
        self._proxy.open_tcp.add(flow)
        return UpstreamPlan(
            address=(endpoint.address, endpoint.port),
            source_ip=flow.client[0],
            connect_timeout=CONNECT_TIMEOUT,
        )

    def flow_closed(self, flow: TcpFlow) -> None:
        self._proxy.untrack(flow)


class _UdpPolicy:
    def __init__(self, proxy: ServiceIpProxy, key: ServiceIpKey) -> None:
        self._proxy = proxy
        self._key = key

    def open_flow(self, flow: UdpFlow) -> UdpUpstreamPlan | None:
        endpoint = self._proxy.pick(self._key, flow.client[0])
        if endpoint is None:
            return None
        return UdpUpstreamPlan(
            address=(endpoint.address, endpoint.port),
            source_ip=flow.client[0],
            idle_timeout=UDP_IDLE_TIMEOUT,
        )

    def flow_closed(self, flow: UdpFlow) -> None:
        del flow
