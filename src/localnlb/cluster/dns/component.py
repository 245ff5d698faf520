"""The cluster DNS server as a part of the embedded cluster: zone kept in step, endpoint written.

Any change to a Namespace, Service, EndpointSlice or Pod marks the zone stale; one worker then
rebuilds it (:func:`~localnlb.cluster.dns.zone.build_zone`) and swaps it into the server, so a
burst of changes costs one rebuild. Once listening, it writes the ``kube-dns`` EndpointSlice in
``kube-system`` naming where it listens (the address plan's ``cluster_dns_server``), ready; on
stop it marks it not ready, as a CoreDNS pod's endpoint goes when the pod stops. kube-proxy then
forwards kube-dns's ClusterIP:53 there, as in any cluster.

Port 53 needs root (CAP_NET_BIND_SERVICE); without it the server listens on
:data:`UNPRIVILEGED_PORT` and the EndpointSlice says so (kube-proxy cannot bind the ClusterIP's
port 53 either then: pods get no cluster DNS, but ``dig -p 1053 @127.V.128.53`` answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.controllers.endpointslices import MANAGED_BY_LABEL, SERVICE_NAME_LABEL
from localnlb.cluster.dns.server import DnsServer
from localnlb.cluster.dns.zone import ClusterZone, build_zone
from localnlb.cluster.runtime.feed import ChangeFeed
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.store.events import Change
from localnlb.common.workqueue import LOCAL_MAX_DELAY_SECONDS, WorkQueue, run_worker

_log = logging.getLogger(__name__)
DNS_PORT = 53
UNPRIVILEGED_PORT = 1053
NAMESPACE, SERVICE = "kube-system", "kube-dns"
MANAGER = "cluster-dns.localnlb.io"  # managed-by, as the slice controller's own label value
REBUILD = "rebuild"


def kube_dns_endpoint_slice(address: str, port: int, *, ready: bool) -> dict[str, Any]:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": SERVICE,
            "namespace": NAMESPACE,
            "labels": {SERVICE_NAME_LABEL: SERVICE, MANAGED_BY_LABEL: MANAGER},
        },
        "addressType": "IPv4",
        "endpoints": [
            {
                "addresses": [address],
                "conditions": {"ready": ready, "serving": ready, "terminating": not ready},
            }
        ],
        "ports": [
            {"name": "dns", "port": port, "protocol": "UDP"},
            {"name": "dns-tcp", "port": port, "protocol": "TCP"},
        ],
    }


class ClusterDns:
    def __init__(self, registry: Registry, *, address: str, port: int | None = None) -> None:
        """``port``: None tries 53, then :data:`UNPRIVILEGED_PORT`; 0 picks a free one."""
        self._registry = registry
        self._kinds = Kinds.resolve(registry)
        self.address = address
        self._port = port
        self.server = DnsServer(ClusterZone(), host=address, port=port or 0)
        self._rebuilds = 0
        self._queue: WorkQueue[str] = WorkQueue("cluster-dns", max_delay=LOCAL_MAX_DELAY_SECONDS)
        self._feed = ChangeFeed(registry.store)
        for kind in (
            self._kinds.namespace,
            self._kinds.service,
            self._kinds.endpoint_slice,
            self._kinds.pod,
        ):
            self._feed.subscribe(kind.store_key, self._stale)
        self._worker: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return self.server.port

    def _stale(self, change: Change) -> None:
        del change
        self._queue.add(REBUILD)

    async def _rebuild(self, key: str) -> None:
        del key
        self._rebuild_now()

    def _rebuild_now(self) -> None:
        self._rebuilds += 1
        listed = {
            kind: self._registry.list(rt, None)["items"]
            for kind, rt in (
                ("namespaces", self._kinds.namespace),
                ("services", self._kinds.service),
                ("slices", self._kinds.endpoint_slice),
                ("pods", self._kinds.pod),
            )
        }
        self.server.zone = build_zone(
            namespaces=listed["namespaces"],
            services=listed["services"],
            endpoint_slices=listed["slices"],
            pods=listed["pods"],
            serial=self._rebuilds,
        )

    async def start(self) -> None:
        self._rebuild_now()
        await self._listen()
        self._feed.start()
        self._worker = asyncio.create_task(run_worker(self._queue, self._rebuild))
        try:
            self._write_endpoint(ready=True)
        except BaseException:
            await self.stop()
            raise
        _log.info("cluster DNS on %s:%d (UDP and TCP)", self.address, self.port)

    async def _listen(self) -> None:
        if self._port is not None:
            await self.server.start()
            return
        for port in (DNS_PORT, UNPRIVILEGED_PORT):
            self.server.port = port
            try:
                await self.server.start()
                return
            except PermissionError:
                await self.server.stop()
                _log.info("cluster DNS: port %d needs root, trying the next", port)
        raise PermissionError(f"cluster DNS: cannot bind {self.address} on port 53 or 1053")

    def _write_endpoint(self, *, ready: bool) -> None:
        slice_type = self._kinds.endpoint_slice
        desired = kube_dns_endpoint_slice(self.address, self.port, ready=ready)
        try:
            current = self._registry.get(slice_type, NAMESPACE, SERVICE)
        except ApiError:
            self._registry.create(slice_type, NAMESPACE, desired, manager=MANAGER)
            return
        desired["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        self._registry.update(slice_type, NAMESPACE, SERVICE, desired, manager=MANAGER)

    async def stop(self) -> None:
        await self._feed.stop()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        with contextlib.suppress(ApiError):
            self._write_endpoint(ready=False)
        await self.server.stop()
