"""The load balancer controller as one running component: the composition root of the runtime.

Start: take the leader Lease, install the TargetGroupBinding CRD if missing, start the watches
(Services, Nodes, Pods, EndpointSlices, TargetGroupBindings), wait for their first lists, then
run the Service and binding work queues (3 workers each, as the real controller's defaults),
then serve the admission webhooks (pod readiness gates, the Service class default, binding
target group resolution and validation) and register
them in a Mutating- and a ValidatingWebhookConfiguration (removed again on stop).
Cluster events map to keys: a Service change queues the Service and the bindings that point at
it; an EndpointSlice change the bindings of its Service; a gated pod's change its binding; a
node change (labels, readiness, taints, providerID) every instance binding. Losing the Lease
stops reconciling (the command then exits, so a supervisor restarts it as a candidate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from lightkube import AsyncClient, KubeConfig
from lightkube.resources.core_v1 import Node, Pod
from lightkube.resources.core_v1 import Service as ServiceResource
from lightkube.resources.discovery_v1 import EndpointSlice

from localnlb.common.workqueue import WorkQueue, run_worker
from localnlb.controller.deploy.deployer import StackDeployer
from localnlb.controller.runtime.aws_calls import AwsCaller
from localnlb.controller.runtime.aws_ec2 import Boto3Ec2
from localnlb.controller.runtime.aws_elbv2 import Boto3ElbV2
from localnlb.controller.runtime.aws_target_group_lookup import Boto3TargetGroupLookup
from localnlb.controller.runtime.aws_view import AwsViewProvider, discover_vpc_id
from localnlb.controller.runtime.binding_controller import BindingController
from localnlb.controller.runtime.cache_view import CacheClusterView, owned_slice_from_object
from localnlb.controller.runtime.events import EventRecorder
from localnlb.controller.runtime.informer import Informer, Raw
from localnlb.controller.runtime.kube_bindings import (
    KubeBindingClient,
    TargetGroupBinding,
    ensure_crd,
)
from localnlb.controller.runtime.kube_services import KubeServiceClient
from localnlb.controller.runtime.leader import LeaderElector, LeaderSettings
from localnlb.controller.runtime.service_controller import ServiceController, service_changed
from localnlb.controller.runtime.webhook_registration import calls_back, reachable_from
from localnlb.controller.runtime.webhook_registration import deregister as deregister_webhooks
from localnlb.controller.runtime.webhook_registration import register as register_webhooks
from localnlb.controller.runtime.webhook_server import (
    KubeBindingLookup,
    WebhookServer,
    WebhookSettings,
)
from localnlb.controller.service.constants import READINESS_GATE_PREFIX
from localnlb.controller.service.objects import service_from_object
from localnlb.controller.service.ownership import should_reconcile
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.targetgroupbinding.objects import node_from_object, pod_from_object
from localnlb.controller.webhooks.configuration import (
    CONFIGURATION_NAME,
    validating_configuration,
    webhook_configuration,
)

log = logging.getLogger(__name__)

WORKERS = 3


@dataclass(frozen=True, slots=True)
class AwsEndpoints:
    elbv2_url: str | None
    ec2_url: str | None
    region: str = "us-west-2"
    access_key_id: str | None = None
    secret_access_key: str | None = None


@dataclass(frozen=True, slots=True)
class RuntimeSettings:
    kubeconfig: Path | None  # None: in-cluster or the default kubeconfig
    aws: AwsEndpoints
    cluster_name: str = "eks-workshop"
    vpc_id: str | None = None
    leader: LeaderSettings = field(
        default_factory=lambda: LeaderSettings(identity=f"{socket.gethostname()}_{os.getpid()}")
    )
    controller_overrides: dict[str, Any] = field(default_factory=dict)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)


def _boto3_client(service: str, endpoint: str | None, aws: AwsEndpoints) -> Any:
    factory: Any = boto3.client
    return factory(
        service,
        endpoint_url=endpoint,
        region_name=aws.region,
        aws_access_key_id=aws.access_key_id,
        aws_secret_access_key=aws.secret_access_key,
    )


def _node_facts(obj: Raw | None) -> object:
    return None if obj is None else node_from_object(obj)


class LoadBalancerController:
    def __init__(self, settings: RuntimeSettings) -> None:
        self.settings = settings
        self._tasks: list[asyncio.Task[None]] = []
        self._client: AsyncClient | None = None
        self._calls = AwsCaller()
        self._elector: LeaderElector | None = None
        self.leading = asyncio.Event()
        self.lost = asyncio.Event()
        self.service_queue: WorkQueue[str] = WorkQueue("service")
        self.binding_queue: WorkQueue[str] = WorkQueue("targetgroupbinding")
        self.webhook_server: WebhookServer | None = None

    async def start(self) -> None:
        """Returns once leading, the caches are filled and the workers run."""
        s = self.settings
        if s.kubeconfig is not None:
            config = KubeConfig.from_file(str(s.kubeconfig)).get()
        else:
            config = KubeConfig.from_env().get()
        self._client = AsyncClient(config=config, field_manager="aws-load-balancer-controller")
        client = self._client
        ec2_client = _boto3_client("ec2", s.aws.ec2_url, s.aws)
        elbv2_client = _boto3_client("elbv2", s.aws.elbv2_url, s.aws)
        vpc_id = s.vpc_id or await discover_vpc_id(ec2_client, self._calls, s.cluster_name)
        vpcs = await self._calls.pages(ec2_client, "describe_vpcs", "Vpcs", VpcIds=[vpc_id])
        cidrs = [str(v["CidrBlock"]) for v in vpcs]
        controller_settings = ControllerSettings(
            cluster_name=s.cluster_name, vpc_id=vpc_id, **s.controller_overrides
        )
        self.controller_settings = controller_settings

        self._elector = LeaderElector(client, s.leader)
        await self._elector.acquire()
        self.leading.set()
        await ensure_crd(client)

        services = Informer(client, ServiceResource, convert=service_from_object, name="services")
        nodes = Informer(client, Node, convert=node_from_object, namespaced=False, name="nodes")
        pods = Informer(client, Pod, convert=pod_from_object, name="pods")
        slices = Informer(client, EndpointSlice, convert=owned_slice_from_object, name="slices")
        bindings: Informer[dict[str, Any]] = Informer(
            client, TargetGroupBinding, convert=dict, name="targetgroupbindings"
        )
        self.informers = (services, nodes, pods, slices, bindings)
        view = CacheClusterView(services=services, nodes=nodes, pods=pods, slices=slices)
        elbv2, ec2 = Boto3ElbV2(elbv2_client, self._calls), Boto3Ec2(ec2_client, self._calls)
        views = AwsViewProvider(
            ec2_client=ec2_client,
            elbv2=elbv2,
            ec2=ec2,
            calls=self._calls,
            settings=controller_settings,
        )
        service_events = EventRecorder(client, component="service")
        deployer = StackDeployer(
            elbv2=elbv2, ec2=ec2, bindings=KubeBindingClient(client), settings=controller_settings
        )
        service_controller = ServiceController(
            services=services,
            client=KubeServiceClient(client, service_events),
            deployer=deployer,
            views=views,
            settings=controller_settings,
        )
        binding_controller = BindingController(
            client=client,
            bindings=bindings,
            view=view,
            targets=elbv2,
            events=EventRecorder(client, component="targetGroupBinding"),
            settings=controller_settings,
            vpc_cidrs=cidrs,
        )
        self._wire(view, bindings)
        for informer in self.informers:
            self._spawn(informer.run(), informer.name)
        await asyncio.gather(*(informer.synced.wait() for informer in self.informers))
        for number in range(WORKERS):
            self._spawn(
                run_worker(self.service_queue, service_controller.reconcile), f"svc{number}"
            )
            self._spawn(
                run_worker(self.binding_queue, binding_controller.reconcile), f"tgb{number}"
            )
        self._spawn(self._keep_leading(), "leader")
        api_server = str(config.cluster.server) if config is not None else ""
        target_groups = Boto3TargetGroupLookup(elbv2_client, self._calls)
        await self._start_webhooks(client, controller_settings, api_server, target_groups)
        log.info("controller started (cluster %s, vpc %s)", s.cluster_name, vpc_id)

    async def _start_webhooks(
        self,
        client: AsyncClient,
        settings: ControllerSettings,
        api_server: str,
        target_groups: Boto3TargetGroupLookup,
    ) -> None:
        """Serve the pod and service mutators and register them (see webhook_registration)."""
        wanted = self.settings.webhooks
        if not wanted.enabled:
            return
        if not reachable_from(api_server, wanted.host):
            log.warning(
                "admission webhooks left out: the API server %s cannot reach %s",
                api_server,
                wanted.host,
            )
            return
        server = WebhookServer(
            lookup=KubeBindingLookup(client),
            settings=settings,
            target_groups=target_groups,
            host=wanted.host,
            port=wanted.port,
        )
        await server.start()
        self.webhook_server = server
        await register_webhooks(client, webhook_configuration(server.url, server.ca_pem))
        await register_webhooks(client, validating_configuration(server.url, server.ca_pem))
        if not await calls_back(client):
            log.warning("admission webhooks left out: the API server cannot reach %s", server.url)
            await deregister_webhooks(client, CONFIGURATION_NAME)
            await server.stop()
            self.webhook_server = None

    def _spawn(self, coroutine: Any, name: str) -> None:
        self._tasks.append(asyncio.create_task(coroutine, name=f"controller-{name}"))

    async def _keep_leading(self) -> None:
        assert self._elector is not None
        await self._elector.keep()
        self.lost.set()
        # Another replica may lead now: stop reconciling at once (client-go exits here).
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()

    def _bindings_of_service(
        self, bindings: Informer[dict[str, Any]], namespace: str, name: str
    ) -> list[str]:
        keys = []
        for key, obj in bindings.raw.items():
            ref = (obj.get("spec") or {}).get("serviceRef") or {}
            if key.startswith(f"{namespace}/") and ref.get("name") == name:
                keys.append(key)
        return keys

    def _wire(self, view: CacheClusterView, bindings: Informer[dict[str, Any]]) -> None:
        settings = self.controller_settings

        def on_service(key: str, old: Raw | None, new: Raw | None) -> None:
            if service_changed(old, new) and new is not None:
                service = view.services.values.get(key)
                if service is not None and should_reconcile(service, settings):
                    self.service_queue.add(key)
            namespace, _, name = key.partition("/")
            for binding in self._bindings_of_service(bindings, namespace, name):
                self.binding_queue.add(binding)

        def on_slice(key: str, old: Raw | None, new: Raw | None) -> None:
            for obj in (old, new):
                if obj is None:
                    continue
                owned = owned_slice_from_object(obj)
                for binding in self._bindings_of_service(
                    bindings, owned.namespace, owned.service_name
                ):
                    self.binding_queue.add(binding)

        def on_pod(key: str, old: Raw | None, new: Raw | None) -> None:
            namespace = key.partition("/")[0]
            for obj in (old, new):
                for gate in (obj or {}).get("spec", {}).get("readinessGates") or ():
                    condition = str(gate.get("conditionType", ""))
                    if condition.startswith(READINESS_GATE_PREFIX):
                        name = condition.removeprefix(READINESS_GATE_PREFIX)
                        self.binding_queue.add(f"{namespace}/{name}")

        def on_node(key: str, old: Raw | None, new: Raw | None) -> None:
            if _node_facts(old) == _node_facts(new):
                return  # heartbeats: nothing target selection reads changed
            for binding, obj in bindings.raw.items():
                if (obj.get("spec") or {}).get("targetType", "instance") == "instance":
                    self.binding_queue.add(binding)

        def on_binding(key: str, old: Raw | None, new: Raw | None) -> None:
            if new is None:
                return
            if old is not None:
                old_meta, new_meta = old.get("metadata") or {}, new.get("metadata") or {}
                unchanged = (
                    old.get("spec") == new.get("spec")
                    and old_meta.get("deletionTimestamp") == new_meta.get("deletionTimestamp")
                    and old_meta.get("finalizers") == new_meta.get("finalizers")
                )
                if unchanged:
                    return
            self.binding_queue.add(key)

        view.services.on_change(on_service)
        view.slices.on_change(on_slice)
        view.pods.on_change(on_pod)
        view.nodes.on_change(on_node)
        bindings.on_change(on_binding)

    async def stop(self, grace: float = 5.0) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=grace)
        self._tasks.clear()
        self.service_queue.close()
        self.binding_queue.close()
        if self.webhook_server is not None:
            if self._client is not None:
                with contextlib.suppress(Exception):  # best effort: the API may be gone
                    await asyncio.wait_for(
                        deregister_webhooks(self._client, CONFIGURATION_NAME), timeout=grace
                    )
            await self.webhook_server.stop()
            self.webhook_server = None
        if self._elector is not None:
            await self._elector.release()
        if self._client is not None:
            await self._client.close()
            self._client = None
        self._calls.close()
