"""sessionAffinity ClientIP from inside a pod (issue 13 AC1): a pod that asks a Service twenty
times by its DNS name reaches one ui pod when the Service keeps ClientIP affinity, and more than
one when it does not (the control that shows the check can fail)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from localnlb.cluster.embedded import EmbeddedCluster
from tests.e2e.cluster.test_cluster_dns import apply, finished
from tests.e2e.cluster.test_embedded_cluster import (
    cluster,  # noqa: F401  (the fixture)
    deploy_ui,
    kubectl,
)

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.slow,
    pytest.mark.skipif(
        os.geteuid() != 0, reason="a pod's own /etc/resolv.conf (cluster DNS) needs root"
    ),
]
ASK_TWENTY_TIMES = (
    "for i in $(seq 20); do curl -sf http://$(SERVICE)/home | grep -o 'pod=[^ ]*'; done"
)


def service(name: str, **spec: object) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "ui"},
        "spec": {
            "selector": {"app.kubernetes.io/name": "ui"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
            **spec,
        },
    }


def asker(name: str, target: str) -> dict[str, object]:
    """A pod whose one container asks ``target`` twenty times with the machine's curl."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "ui"},
        "spec": {
            "restartPolicy": "Never",
            "containers": [
                {
                    "name": "ask",
                    "image": "busybox",
                    "command": ["sh", "-c", ASK_TWENTY_TIMES],
                    "env": [{"name": "SERVICE", "value": target}],
                }
            ],
        },
    }


async def test_client_ip_affinity_keeps_a_pod_on_one_endpoint(
    cluster: EmbeddedCluster,  # noqa: F811
    workshop_dir: Path,
) -> None:
    await deploy_ui(cluster, workshop_dir)
    await kubectl(cluster, "scale", "-n", "ui", "deployment/ui", "--replicas=3")
    await kubectl(
        cluster, "wait", "--for=condition=Ready", "pod", "-n", "ui",
        "-l", "app.kubernetes.io/name=ui", "--timeout=30s",
    )  # fmt: skip
    await apply(cluster, service("sticky", sessionAffinity="ClientIP"))
    await apply(cluster, service("spread"))
    await apply(cluster, asker("ask-sticky", "sticky"))
    await apply(cluster, asker("ask-spread", "spread.ui.svc.cluster.local"))
    sticky = (await finished(cluster, "ask-sticky", "Succeeded"))["ask"].split()
    spread = (await finished(cluster, "ask-spread", "Succeeded"))["ask"].split()
    assert len(sticky) == len(spread) == 20
    assert len(set(sticky)) == 1, sticky
    assert len(set(spread)) > 1, spread
