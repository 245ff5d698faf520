"""Network safety for Services (issue 13): ClusterIPs lie in the state dir's 127/8 block, kube-proxy
serves them, and every ``*_SERVICE_HOST`` a pod is given leads to this machine."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

import pytest

from localnlb.cluster.embedded import EmbeddedCluster
from tests.e2e.cluster.test_embedded_cluster import (
    cluster,  # noqa: F401  (the fixture)
    deploy_ui,
    kubectl,
    pids_of,
)
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]


async def curl(url: str) -> str | None:
    process = await asyncio.create_subprocess_exec(
        "curl", "-sf", "--max-time", "5", url, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    return out.decode() if process.returncode == 0 else None


def service_hosts(pid: int) -> dict[str, str]:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    pairs = (entry.decode().partition("=") for entry in environ if b"=" in entry)
    return {name: value for name, _, value in pairs if name.endswith("_SERVICE_HOST")}


async def test_the_ui_service_answers_on_its_cluster_ip_and_pods_are_given_only_loopback(
    cluster: EmbeddedCluster,  # noqa: F811
    workshop_dir: Path,
) -> None:
    await deploy_ui(cluster, workshop_dir)
    service_cidr = cluster.settings.plan.service_cidr
    cluster_ips = (
        await kubectl(cluster, "get", "services", "-A", "-o", "jsonpath={.items[*].spec.clusterIP}")
    ).split()
    assert cluster_ips, "the kubernetes and ui Services have ClusterIPs"
    assert all(ipaddress.ip_address(ip) in service_cidr for ip in cluster_ips), cluster_ips
    ui_ip = await kubectl(
        cluster, "get", "service", "-n", "ui", "ui", "-o", "jsonpath={.spec.clusterIP}"
    )
    page = await async_wait_until(
        lambda: curl(f"http://{ui_ip}/home"), timeout=20, what=f"/home on the ClusterIP {ui_ip}"
    )
    assert "<html" in page.lower()
    hosts = {name: value for pid in pids_of(cluster) for name, value in service_hosts(pid).items()}
    assert hosts.get("UI_SERVICE_HOST") == ui_ip
    assert hosts.get("KUBERNETES_SERVICE_HOST") == str(service_cidr.network_address + 1)
    assert all(ipaddress.ip_address(v).is_loopback for v in hosts.values()), hosts
