"""One worker node: registers its Node, renews its Lease, and runs the pods bound to it.

The agent is the kubelet's API side. It reacts to the pods whose ``spec.nodeName`` is this node
(through a keyed work queue, one pod at a time): gives a new pod an address from the node's AZ
subnet (VPC-CNI style), gathers the ConfigMaps and Secrets its environment refers to, and hands
it to :class:`~localnlb.cluster.kubelet.core.KubeletCore`. A pod being deleted is stopped with
its grace period and then removed from the API with grace 0, as the real kubelet confirms a
deletion. The Lease is renewed every ``lease_period`` seconds.

Readiness can be taken away on purpose (to rehearse a failing node): the annotation
``localnlb.dev/kubelet-ready: "false"`` on the Node makes the agent report ``Ready=False``; the
node lifecycle controller then takes the node's pods out of service.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.controllers import objects
from localnlb.cluster.kubelet.claim_mounts import claim_directories, claim_names
from localnlb.cluster.kubelet.core import KubeletCore
from localnlb.cluster.kubelet.environment import PodContext, decode_secret_data, object_files
from localnlb.cluster.kubelet.serviceenv import service_environment
from localnlb.cluster.kubelet.volumes import referenced_objects
from localnlb.cluster.nodeagent.ipam import PodAddressPool
from localnlb.cluster.nodeagent.status_sink import RegistryStatusSink
from localnlb.cluster.nodes.objects import NodeIdentity, build_node, ready_condition
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.store.events import Change
from localnlb.common.clock import rfc3339
from localnlb.common.workqueue import LOCAL_MAX_DELAY_SECONDS, WorkQueue, run_worker

Key = tuple[str, str]
READY_ANNOTATION = "localnlb.dev/kubelet-ready"
LEASE_NAMESPACE = "kube-node-lease"


def micro_time(moment: float) -> str:
    return rfc3339(moment)[:-1] + f".{int(moment % 1 * 1_000_000):06d}Z"


def referenced_names(pod: dict[str, Any], kind: str) -> set[str]:
    """Names of the ConfigMaps (kind ``configMap``) or Secrets (``secret``) a pod's env and
    volumes use."""
    names: set[str] = referenced_objects(pod, kind)
    for container in objects.spec(pod).get("containers") or ():
        for source in container.get("envFrom") or ():
            ref = source.get(f"{kind}Ref") or {}
            if ref.get("name"):
                names.add(ref["name"])
        for variable in container.get("env") or ():
            ref = (variable.get("valueFrom") or {}).get(f"{kind}KeyRef") or {}
            if ref.get("name"):
                names.add(ref["name"])
    return names


class NodeAgent:
    def __init__(
        self,
        *,
        access: Access,
        kinds: Kinds,
        identity: NodeIdentity,
        pool: PodAddressPool,
        kubelet: KubeletCore,
        sink: RegistryStatusSink,
        lease_period: float = 10.0,
    ) -> None:
        self.identity = identity
        self._access = access
        self._kinds = kinds
        self._pool = pool
        self._kubelet = kubelet
        self._sink = sink
        self._lease_period = lease_period
        self._queue: WorkQueue[Key] = WorkQueue(
            f"kubelet/{identity.name}", max_delay=LOCAL_MAX_DELAY_SECONDS
        )
        self._uids: dict[Key, str] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._ready = True

    @property
    def name(self) -> str:
        return self.identity.name

    def _now(self) -> float:
        return self._access.registry.clock.wall()

    async def start(self) -> None:
        self._register()
        self._renew_lease()
        for pod in self._access.items(self._kinds.pod):
            if objects.spec(pod).get("nodeName") == self.name:
                ip = objects.status(pod).get("podIP")
                if ip:
                    self._pool.claim(objects.uid_of(pod), ip)
                self._queue.add((objects.namespace_of(pod), objects.name_of(pod)))
        self._tasks.append(asyncio.create_task(run_worker(self._queue, self._sync)))
        self._tasks.append(asyncio.create_task(self._heartbeat()))

    def on_pod(self, change: Change) -> None:
        now_here = objects.spec(change.object).get("nodeName") == self.name
        key = (change.namespace, change.name)
        if now_here or key in self._uids:
            self._queue.add(key)

    def on_node(self, node: dict[str, Any]) -> None:
        wanted = (objects.meta(node).get("annotations") or {}).get(READY_ANNOTATION) != "false"
        if wanted != self._ready:
            self._ready = wanted
            self._write_ready(node)
            if wanted:
                for key in self._uids:
                    self._queue.add(key)

    def _register(self) -> None:
        now = rfc3339(self._now())
        current = self._access.find(self._kinds.node, "", self.name)
        if current is None:
            self._access.create(self._kinds.node, "", build_node(self.identity, now=now))
            return
        self._ready = (objects.meta(current).get("annotations") or {}).get(
            READY_ANNOTATION
        ) != "false"
        self._write_ready(current)

    def _write_ready(self, node: dict[str, Any]) -> None:
        now = rfc3339(self._now())
        status = dict(node.get("status") or {})
        others = [c for c in status.get("conditions") or () if c.get("type") != "Ready"]
        status["conditions"] = [*others, ready_condition(ready=self._ready, now=now)]
        with contextlib.suppress(ApiError):
            self._access.write_status(self._kinds.node, node, status)

    def _renew_lease(self) -> None:
        lease = self._access.find(self._kinds.lease, LEASE_NAMESPACE, self.name)
        renew = micro_time(self._now())
        if lease is None:
            self._access.create(
                self._kinds.lease,
                LEASE_NAMESPACE,
                {
                    "apiVersion": "coordination.k8s.io/v1",
                    "kind": "Lease",
                    "metadata": {"name": self.name, "namespace": LEASE_NAMESPACE},
                    "spec": {
                        "holderIdentity": self.name,
                        "leaseDurationSeconds": 40,
                        "renewTime": renew,
                    },
                },
            )
            return
        lease["spec"]["renewTime"] = renew
        self._access.update(self._kinds.lease, lease)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self._lease_period)
            with contextlib.suppress(ApiError):
                self._renew_lease()

    async def _sync(self, key: Key) -> None:
        pod = self._access.find(self._kinds.pod, *key)
        known = self._uids.get(key)
        if (
            pod is None
            or objects.spec(pod).get("nodeName") != self.name
            or (known and known != objects.uid_of(pod))
        ):
            if known:
                self._uids.pop(key, None)
                await self._kubelet.remove_pod(known, 0)
                self._pool.release(known)
                self._sink.forget(known)
            if pod is None or objects.spec(pod).get("nodeName") != self.name:
                return
        uid = objects.uid_of(pod)
        self._uids[key] = uid
        self._sink.track(uid, *key)
        address = objects.status(pod).get("podIP") or self._pool.allocate(uid)
        context = PodContext(
            node_name=self.name,
            host_ip=self.identity.private_ip,
            pod_ip=address,
            availability_zone=self.identity.zone,
            config_maps=self._data(pod, "configMap"),
            secrets=self._data(pod, "secret"),
            config_map_files=self._files(pod, "configMap"),
            secret_files=self._files(pod, "secret"),
            service_env=service_environment(pod, self._access.items(self._kinds.service)),
            node_allocatable=self._allocatable(),
            claim_directories=self._claim_directories(pod),
        )
        worker = await self._kubelet.sync_pod(pod, context)
        if self._ready and worker.status is not None and not objects.is_terminating(pod):
            await self._sink.report(uid, worker.status)  # re-assert after a NotReady spell
        if objects.is_terminating(pod):
            self._tasks.append(asyncio.create_task(self._finish_deletion(key, uid)))

    def _claim_directories(self, pod: dict[str, Any]) -> dict[str, str]:
        if not claim_names(pod):
            return {}
        claims = self._access.items(self._kinds.claim, objects.namespace_of(pod))
        return claim_directories(pod, claims, self._access.items(self._kinds.volume))

    def _allocatable(self) -> dict[str, str]:
        node = self._access.find(self._kinds.node, "", self.name)
        return dict(objects.status(node or {}).get("allocatable") or {})

    def _referenced(self, pod: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
        rt = self._kinds.config_map if kind == "configMap" else self._kinds.secret
        found = {
            name: self._access.find(rt, objects.namespace_of(pod), name)
            for name in referenced_names(pod, kind)
        }
        return {name: obj for name, obj in found.items() if obj is not None}

    def _data(self, pod: dict[str, Any], kind: str) -> dict[str, dict[str, str]]:
        return {
            name: dict(obj.get("data") or {}) if kind == "configMap" else decode_secret_data(obj)
            for name, obj in self._referenced(pod, kind).items()
        }

    def _files(self, pod: dict[str, Any], kind: str) -> dict[str, dict[str, bytes]]:
        return {name: object_files(obj, kind) for name, obj in self._referenced(pod, kind).items()}

    def on_referenced(self, kind: str, change: Change) -> None:
        """A ConfigMap (``configMap``) or Secret (``secret``) changed: resync this node's pods
        that use it, so their volumes follow (and a waiting container finds it)."""
        for key in list(self._uids):
            if key[0] != change.namespace:
                continue
            pod = self._access.find(self._kinds.pod, *key)
            if pod is not None and change.name in referenced_names(pod, kind):
                self._queue.add(key)

    async def _finish_deletion(self, key: Key, uid: str) -> None:
        # Shielded: cancelling this waiter (agent stop) must not cancel the pod's own stop,
        # which the kubelet still awaits when it stops every pod.
        await asyncio.shield(self._kubelet.wait_stopped(uid))
        self._access.delete(
            self._kinds.pod,
            key[0],
            key[1],
            {"gracePeriodSeconds": 0, "preconditions": {"uid": uid}},
        )

    async def stop(self, grace: float = 5.0) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, ApiError):
                await task
        self._tasks.clear()
        await self._kubelet.stop(grace)
