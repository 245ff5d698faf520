"""The node fleet: one :class:`NodeAgent` per worker node, fed from one change feed.

Pod changes go to the agent of the pod's node (and to the agent that ran it before, if the pod
moved or went); Node changes go to that node's agent. Address pools are per AZ and shared by
the agents of that AZ, as VPC-CNI draws every node's pod addresses from its subnet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.dns.resolv_conf import ClusterDnsConfig
from localnlb.cluster.kubelet.core import KubeletCore
from localnlb.cluster.kubelet.events import WARNING, KubeletEvent
from localnlb.cluster.kubelet.settings import KubeletSettings
from localnlb.cluster.kubelet.worker import KubeletConfig
from localnlb.cluster.nodeagent.agent import NodeAgent
from localnlb.cluster.nodeagent.ipam import PodAddressPool
from localnlb.cluster.nodeagent.status_sink import RegistryStatusSink
from localnlb.cluster.nodes.objects import NodeIdentity
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.feed import ChangeFeed
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.store.events import Change
from localnlb.common.addressing import AddressPlan


class NodeFleet:
    def __init__(
        self,
        registry: Registry,
        *,
        plan: AddressPlan,
        identities: Sequence[NodeIdentity],
        log_root: Path,
        kubelet_settings: KubeletSettings | None = None,
        lease_period: float = 10.0,
    ) -> None:
        self._registry = registry
        kinds = Kinds.resolve(registry)
        self._kinds = kinds
        self._access = Access(registry, "kubelet")
        self._sink = RegistryStatusSink(self._access, kinds)
        self.pools = {s.zone_name: PodAddressPool(s.pods) for s in plan.subnets}
        self._config = KubeletConfig(
            log_root=log_root,
            settings=kubelet_settings or KubeletSettings(),
            cluster_dns=ClusterDnsConfig(plan.kube_dns_ip),  # kube-dns, as EKS's kubelet has it
        )
        self._lease_period = lease_period
        self.agents = {identity.name: self._agent(identity) for identity in identities}
        self._feed = ChangeFeed(registry.store)
        self._feed.subscribe(kinds.pod.store_key, self._on_pod)
        self._feed.subscribe(kinds.node.store_key, self._on_node)
        self._feed.subscribe(kinds.config_map.store_key, self._referenced("configMap"))
        self._feed.subscribe(kinds.secret.store_key, self._referenced("secret"))

    def _agent(self, identity: NodeIdentity) -> NodeAgent:
        registry, kinds = self._registry, self._kinds
        return NodeAgent(
            access=self._access,
            kinds=kinds,
            identity=identity,
            pool=self.pools[identity.zone],
            kubelet=KubeletCore(
                config=self._config,
                sink=self._sink,
                clock=registry.clock,
                events=KubeletEvents(
                    EventRecorder(registry, kinds.event, "kubelet"), identity.name
                ),
            ),
            sink=self._sink,
            lease_period=self._lease_period,
        )

    async def add_node(self, identity: NodeIdentity) -> NodeAgent:
        """Start one more node (a Fargate node for one pod, say) while the fleet runs."""
        agent = self._agent(identity)
        self.agents[identity.name] = agent
        await agent.start()
        return agent

    async def remove_node(self, name: str, grace: float = 5.0) -> None:
        """Stop a node's agent (ending its pods' processes) and delete its Node and Lease."""
        agent = self.agents.pop(name, None)
        if agent is not None:
            await agent.stop(grace)
        self._access.delete(self._kinds.lease, "kube-node-lease", name)
        self._access.delete(self._kinds.node, "", name)

    def _on_pod(self, change: Change) -> None:
        for agent in list(self.agents.values()):
            agent.on_pod(change)

    def _referenced(self, kind: str) -> Callable[[Change], None]:
        def on_change(change: Change) -> None:
            for agent in list(self.agents.values()):
                agent.on_referenced(kind, change)

        return on_change

    def _on_node(self, change: Change) -> None:
        agent = self.agents.get(change.name)
        if agent is not None:
            agent.on_node(change.object)

    async def start(self) -> None:
        for agent in self.agents.values():
            await agent.start()
        self._feed.start()

    async def stop(self, grace: float = 5.0) -> None:
        await self._feed.stop()
        await asyncio.gather(*(agent.stop(grace) for agent in self.agents.values()))


class KubeletEvents:
    """The kubelet's container events as Events on the pod (``kubectl describe pod``)."""

    def __init__(self, recorder: EventRecorder, node_name: str) -> None:
        self._recorder = recorder
        self._node_name = node_name

    def record(self, pod: Mapping[str, Any], container: str, event: KubeletEvent) -> None:
        self._recorder.record(
            {**pod, "apiVersion": "v1", "kind": "Pod"},
            reason=event.reason,
            message=event.message,
            warning=event.type == WARNING,
            host=self._node_name,
            field_path=container,
        )
