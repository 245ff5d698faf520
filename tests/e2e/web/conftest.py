"""The whole system for the dashboard's workshop test: ELBv2/EC2 API with the real health
checker (its own thread), the embedded cluster with EC2 nodes, the load balancer controller,
the data plane (LB nodes, metrics), kube-proxy's metrics endpoint and the dashboard, all stopped
at the end even on failure. Health checks run on a test time scale (interval 10 s → 1 s)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from localnlb.cluster.embedded import ClusterSettings, EmbeddedCluster
from localnlb.cluster.nodes.provisioning import Ec2NodeProvisioner
from localnlb.common.addressing import build_address_plan
from localnlb.common.metrics_http import MetricsServer
from localnlb.common.statedir import vpc_octet_for
from localnlb.controller.runtime.controller import (
    AwsEndpoints,
    LoadBalancerController,
    RuntimeSettings,
)
from localnlb.controller.runtime.leader import LeaderSettings
from localnlb.web.dashboard import Dashboard, DashboardSettings
from tests.component.web.browser import ensure_chromium, install_when_collected
from tests.contract.elbv2.conftest import (
    REGION,
    RunningElbv2,
    cli_env,
    client,
    run_elbv2_with_health_checks,
)
from tests.helpers.dataplanes import shipped_dataplane

CLUSTER_NAME = "eks-workshop"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    install_when_collected(items)


@pytest.fixture(scope="session")
def chromium() -> Path:
    return ensure_chromium()


@dataclass
class System:
    elbv2: RunningElbv2
    cluster: EmbeddedCluster
    dashboard: Dashboard
    env: dict[str, str]


@pytest.fixture
async def system(tmp_path: Path) -> AsyncIterator[System]:
    state = tmp_path / "state"
    elbv2 = run_elbv2_with_health_checks(state)
    stack = contextlib.AsyncExitStack()
    try:
        plan = build_address_plan(vpc_octet=vpc_octet_for(state), region=REGION)
        nodes = Ec2NodeProvisioner(
            client("ec2", elbv2.url), plan, cluster_name=CLUSTER_NAME
        ).ensure(3)
        cluster = EmbeddedCluster(
            ClusterSettings(state_dir=state, plan=plan, nodes=nodes, lease_period=1.0)
        )
        stack.push_async_callback(cluster.stop, 2.0)
        await cluster.start()
        assert cluster.proxies is not None
        kube_proxy_metrics = MetricsServer(cluster.proxies.metrics.registry)
        stack.push_async_callback(kube_proxy_metrics.stop)
        await kube_proxy_metrics.start()
        controller = LoadBalancerController(
            RuntimeSettings(
                kubeconfig=cluster.kubeconfig_path,
                aws=AwsEndpoints(elbv2.url, elbv2.url, REGION, "testing", "testing"),
                cluster_name=CLUSTER_NAME,
                leader=LeaderSettings(identity="e2e", lease_duration=5, retry_period=1),
            )
        )
        await asyncio.wait_for(controller.start(), timeout=30)
        stack.push_async_callback(controller.stop, 2.0)
        dataplane = await shipped_dataplane(
            elbv2.url, state_dir=state, hosts_path=None, metrics_export_seconds=0.5
        )
        stack.push_async_callback(dataplane.stop, 1.0)
        host, port = dataplane.bound_address
        dashboard = Dashboard(
            DashboardSettings(
                state_dir=state,
                elbv2_url=elbv2.url,
                kubeconfig=cluster.kubeconfig_path,
                dataplane_metrics_url=f"http://{host}:{port}/metrics",
                cluster_metrics_url=kube_proxy_metrics.url,
                scrape_interval=0.5,
                poll_seconds=2.0,
            )
        )
        stack.push_async_callback(dashboard.stop)
        await dashboard.start()
        env = {
            **cli_env(elbv2.url),
            "KUBECONFIG": str(cluster.kubeconfig_path),
            "INBOUND_CIDRS": "127.0.0.0/8",
        }
        yield System(elbv2, cluster, dashboard, env)
    finally:
        await stack.aclose()
        elbv2.stop()
