"""Every node's kube-proxy, kept in step with Services and EndpointSlices.

Any change to a Service or an EndpointSlice marks the proxy tables stale; one worker then
rebuilds each node's table with :func:`~localnlb.cluster.kubeproxy.rules.build_proxy_table`
and hands it to that node's :class:`~localnlb.cluster.kubeproxy.proxier.Proxier`, which opens
and closes NodePort listeners and health ports to match (existing flows are kept); one
:class:`~localnlb.cluster.kubeproxy.service_ip_proxy.ServiceIpProxy` does the same for every
ClusterIP. A burst of changes costs one rebuild. All proxiers share one metrics registry
(labelled by node).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

from prometheus_client import CollectorRegistry

from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.kubeproxy.metrics import ProxyMetrics
from localnlb.cluster.kubeproxy.proxier import Proxier
from localnlb.cluster.kubeproxy.rules import build_proxy_table
from localnlb.cluster.kubeproxy.service_ip_kernel import ServiceIpKernelProxy
from localnlb.cluster.kubeproxy.service_ip_proxy import ServiceIpProxy
from localnlb.cluster.kubeproxy.service_ips import build_service_ip_table
from localnlb.cluster.runtime.feed import ChangeFeed
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.store.events import Change
from localnlb.common.workqueue import LOCAL_MAX_DELAY_SECONDS, WorkQueue, run_worker

REBUILD = "rebuild"


class NodeProxies:
    def __init__(
        self,
        registry: Registry,
        node_ips: Mapping[str, str],
        *,
        metrics_registry: CollectorRegistry | None = None,
        service_ips: ServiceIpProxy | ServiceIpKernelProxy | None = None,
    ) -> None:
        self._registry = registry
        self._kinds = Kinds.resolve(registry)
        self.metrics = ProxyMetrics(metrics_registry or CollectorRegistry())
        self.proxiers = {
            name: Proxier(node_name=name, node_ip=ip, metrics=self.metrics, clock=registry.clock)
            for name, ip in node_ips.items()
        }
        # One engine serves every node's ClusterIPs (they all share 127/8): user-space
        # listeners, or the kernel's DNAT.
        self.service_ips = service_ips or ServiceIpProxy(clock=registry.clock)
        self._queue: WorkQueue[str] = WorkQueue("kube-proxy", max_delay=LOCAL_MAX_DELAY_SECONDS)
        self._feed = ChangeFeed(registry.store)
        self._feed.subscribe(self._kinds.service.store_key, self._stale)
        self._feed.subscribe(self._kinds.endpoint_slice.store_key, self._stale)
        self._worker: asyncio.Task[None] | None = None

    def _stale(self, change: Change) -> None:
        del change
        self._queue.add(REBUILD)

    async def _rebuild(self, key: str) -> None:
        del key
        services = self._registry.list(self._kinds.service, None)["items"]
        slices = self._registry.list(self._kinds.endpoint_slice, None)["items"]
        for name, proxier in self.proxiers.items():
            await proxier.apply(build_proxy_table(name, services, slices))
        await self.service_ips.apply(build_service_ip_table(services, slices))

    async def start(self) -> None:
        for proxier in self.proxiers.values():
            await proxier.start()
        await self.service_ips.start()
        self._feed.start()
        self._queue.add(REBUILD)
        self._worker = asyncio.create_task(run_worker(self._queue, self._rebuild))

    async def stop(self, grace: float = 5.0) -> None:
        await self._feed.stop()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        for proxier in self.proxiers.values():
            await proxier.stop(grace)
        await self.service_ips.stop(grace)
