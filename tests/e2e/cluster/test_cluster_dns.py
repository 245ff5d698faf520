"""Cluster DNS end to end (issue 13 AC1): kube-dns's ClusterIP answers through kube-proxy, and
from inside pods (agnhost as the pod's command) the ui Service answers by its ClusterIP, its
environment variables and its DNS names, and a headless Service resolves to its pods.

Port 53 and mount namespaces need root: without it these tests are skipped (the DNS server
still answers on its own address; see docs/kubernetes-api.md). Name lookups from pods come only
after a pod has shown that its resolv.conf names kube-dns, so that no lookup could ever reach
the machine's own resolver.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dns.asyncquery
import dns.exception
import dns.message
import dns.rcode
import pytest

from localnlb.cluster.embedded import EmbeddedCluster
from tests.e2e.cluster.test_embedded_cluster import (
    cluster,  # noqa: F401  (the fixture)
    deploy_ui,
    kubectl,
    ui_pods,
)
from tests.helpers.commands import kubectl_with
from tests.helpers.waiting import async_wait_until

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.slow,
    pytest.mark.skipif(
        os.geteuid() != 0,
        reason="port 53 on kube-dns's ClusterIP and a pod's own /etc/resolv.conf need root",
    ),
]
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.47"


async def apply(embedded: EmbeddedCluster, manifest: dict[str, object]) -> None:
    await kubectl_with(embedded.kubeconfig_path, "apply", "-f", "-", stdin=json.dumps(manifest))


def agnhost_pod(name: str, checks: dict[str, list[str]]) -> dict[str, object]:
    """A pod in ``ui`` that runs each check as one agnhost container, once."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "ui"},
        "spec": {
            "restartPolicy": "Never",
            "containers": [
                {"name": check, "image": AGNHOST, "args": args} for check, args in checks.items()
            ],
        },
    }


async def finished(embedded: EmbeddedCluster, name: str, phase: str) -> dict[str, str]:
    """Wait for the pod to end in ``phase``; its containers' logs (shown if it does not)."""
    try:
        await kubectl(
            embedded, "wait", "-n", "ui", f"pod/{name}",
            f"--for=jsonpath={{.status.phase}}={phase}", "--timeout=60s",
        )  # fmt: skip
    finally:
        pod = json.loads(await kubectl(embedded, "get", "-n", "ui", f"pod/{name}", "-o", "json"))
        logs = {
            c["name"]: await kubectl(embedded, "logs", "-n", "ui", name, "-c", c["name"])
            for c in pod["spec"]["containers"]
        }
        print(f"{name}: {pod['status'].get('phase')} {logs}")
    return logs


async def query(server: str, name: str, *, tcp: bool) -> dns.message.Message:
    """The answer, once kube-proxy forwards the ClusterIP (it may not have its rules yet)."""
    message = dns.message.make_query(name, "A")

    async def ask() -> dns.message.Message | None:
        try:
            if tcp:
                return await dns.asyncquery.tcp(message, server, port=53, timeout=1)
            return await dns.asyncquery.udp(message, server, port=53, timeout=1)
        except (OSError, dns.exception.Timeout):
            return None

    return await async_wait_until(ask, timeout=20, what=f"{name} from {server}:53")


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
async def test_kube_dns_cluster_ip_answers_through_kube_proxy(
    cluster: EmbeddedCluster,  # noqa: F811
    tcp: bool,
) -> None:
    plan = cluster.settings.plan
    reply = await query(plan.kube_dns_ip, "kubernetes.default.svc.cluster.local", tcp=tcp)
    assert reply.rcode() == dns.rcode.NOERROR
    assert [r.to_text() for rrset in reply.answer for r in rrset] == [
        str(plan.service_cidr.network_address + 1)
    ]
    refused = await query(plan.kube_dns_ip, "example.com", tcp=tcp)
    assert refused.rcode() == dns.rcode.REFUSED


async def test_pods_reach_the_ui_service_by_ip_env_and_names_and_resolve_headless_pods(
    cluster: EmbeddedCluster,  # noqa: F811
    workshop_dir: Path,
) -> None:
    await deploy_ui(cluster, workshop_dir)
    await kubectl(cluster, "scale", "-n", "ui", "deployment/ui", "--replicas=2")
    await kubectl(
        cluster, "wait", "--for=condition=Ready", "pod", "-n", "ui",
        "-l", "app.kubernetes.io/name=ui", "--timeout=30s",
    )  # fmt: skip
    await apply(
        cluster,
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "ui-pods", "namespace": "ui"},
            "spec": {
                "clusterIP": "None",
                "selector": {"app.kubernetes.io/name": "ui"},
                "ports": [{"name": "http", "port": 8080}],
            },
        },
    )
    # first: the pod's resolver asks kube-dns and nothing else
    await apply(cluster, agnhost_pod("resolver", {"servers": ["dns-server-list"]}))
    servers = await finished(cluster, "resolver", "Succeeded")
    assert servers["servers"].strip() == cluster.settings.plan.kube_dns_ip

    cluster_ip = await kubectl(
        cluster, "get", "service", "-n", "ui", "ui", "-o", "jsonpath={.spec.clusterIP}"
    )
    checks = {
        "by-cluster-ip": ["connect", f"{cluster_ip}:80"],
        "by-env": ["connect", "$(UI_SERVICE_HOST):$(UI_SERVICE_PORT)"],
        "by-short-name": ["connect", "ui:80"],
        "by-namespaced-name": ["connect", "ui.ui:80"],
        "by-full-name": ["connect", "ui.ui.svc.cluster.local:80"],
        "headless": ["resolve", "ui-pods"],
    }
    await apply(cluster, agnhost_pod("looker", checks))
    logs = await finished(cluster, "looker", "Succeeded")
    pod_ips = sorted(p["status"]["podIP"] for p in await ui_pods(cluster))
    assert sorted(logs["headless"].split()) == pod_ips

    # and an unknown name is NXDOMAIN to the pod's resolver: connect fails with agnhost's DNS
    await apply(
        cluster, agnhost_pod("unknown", {"nope": ["connect", "nope.ui.svc.cluster.local:80"]})
    )
    failed = await finished(cluster, "unknown", "Failed")
    assert failed["nope"].startswith("DNS: lookup nope.ui.svc.cluster.local")
