"""The embedded cluster as one Service: API server, controller manager and worker nodes.

Start order is the dependency order (the API, then the cluster DNS server, the control loops,
the nodes that run pods, then each node's kube-proxy); stop is the reverse, and stopping the
nodes ends every pod process. Node identities come from the caller (planned on the address
plan, or from EC2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from localnlb.cluster.apiserver.serving.server import POD_LOG_DIR, ApiServer
from localnlb.cluster.dns.component import ClusterDns
from localnlb.cluster.kubelet.settings import KubeletSettings
from localnlb.cluster.kubeproxy.service_ip_kernel import (
    ServiceIpKernelProxy,
    kernel_unavailable_reason,
)
from localnlb.cluster.kubeproxy.service_ip_proxy import ServiceIpProxy
from localnlb.cluster.nodeagent.fargate import FargateLoop
from localnlb.cluster.nodeagent.fleet import NodeFleet
from localnlb.cluster.nodeagent.proxying import NodeProxies
from localnlb.cluster.nodes.fargate import FargateProfile
from localnlb.cluster.nodes.objects import NodeIdentity
from localnlb.cluster.runtime.manager import ControllerManager
from localnlb.common.addressing import AddressPlan
from localnlb.common.clock import Clock

VOLUMES_DIR = "volumes"  # DIR/volumes/<pv name>/: the data of local-path volumes


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    state_dir: Path
    plan: AddressPlan
    nodes: tuple[NodeIdentity, ...]
    host: str = "127.0.0.1"
    port: int = 0
    kubelet: KubeletSettings = field(default_factory=KubeletSettings)
    lease_period: float = 10.0
    node_monitor_period: float = 2.0
    fargate_profiles: tuple[FargateProfile, ...] = ()
    dns_port: int | None = None  # None: 53 (1053 without root); tests may pass 0
    # Who serves ClusterIPs: "kernel" (nftables DNAT; root), "user" (listeners) or "auto".
    kube_proxy_engine: str = "auto"


class EmbeddedCluster:
    def __init__(self, settings: ClusterSettings) -> None:
        self.settings = settings
        self.api = ApiServer(
            settings.state_dir,
            host=settings.host,
            port=settings.port,
            service_cidr=settings.plan.service_cidr,
        )
        self.dns: ClusterDns | None = None
        self.controllers: ControllerManager | None = None
        self.fleet: NodeFleet | None = None
        self.proxies: NodeProxies | None = None
        self.fargate: FargateLoop | None = None

    async def start(self) -> None:
        await self.api.start()
        registry = self.api.registry
        assert registry is not None
        self.dns = ClusterDns(
            registry, address=self.settings.plan.cluster_dns_server, port=self.settings.dns_port
        )
        await self.dns.start()
        self.controllers = ControllerManager(
            registry,
            node_period=self.settings.node_monitor_period,
            fargate_profiles=self.settings.fargate_profiles,
            webhooks=self.api.webhooks,
            volumes_root=self.settings.state_dir / VOLUMES_DIR,
        )
        await self.controllers.start()
        self.fleet = NodeFleet(
            registry,
            plan=self.settings.plan,
            identities=self.settings.nodes,
            log_root=self.settings.state_dir / POD_LOG_DIR,
            kubelet_settings=self.settings.kubelet,
            lease_period=self.settings.lease_period,
        )
        await self.fleet.start()
        if self.settings.fargate_profiles:
            self.fargate = FargateLoop(
                registry,
                self.fleet,
                plan=self.settings.plan,
                profiles=self.settings.fargate_profiles,
            )
            await self.fargate.start()
        self.proxies = NodeProxies(
            registry,
            {node.name: node.private_ip for node in self.settings.nodes},
            service_ips=self._service_ip_engine(registry.clock),
        )
        await self.proxies.start()

    def _service_ip_engine(self, clock: Clock) -> ServiceIpProxy | ServiceIpKernelProxy:
        engine = self.settings.kube_proxy_engine
        reason = kernel_unavailable_reason()
        if engine == "kernel" and reason is not None:
            raise ValueError(f"kube-proxy engine kernel: {reason}")
        if engine == "kernel" or (engine == "auto" and reason is None):
            return ServiceIpKernelProxy(owner=str(self.settings.state_dir))
        return ServiceIpProxy(clock=clock)

    async def stop(self, grace: float = 5.0) -> None:
        if self.proxies is not None:
            await self.proxies.stop(grace)
            self.proxies = None
        if self.fargate is not None:
            await self.fargate.stop(grace)
            self.fargate = None
        if self.fleet is not None:
            await self.fleet.stop(grace)
            self.fleet = None
        if self.controllers is not None:
            await self.controllers.stop()
            self.controllers = None
        if self.dns is not None:
            await self.dns.stop()
            self.dns = None
        await self.api.stop(grace)

    @property
    def bound_address(self) -> tuple[str, int]:
        return self.api.bound_address

    @property
    def kubeconfig_path(self) -> Path:
        return self.api.kubeconfig_path
