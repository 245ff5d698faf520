"""Acceptance 1: kubectl apply of the workshop manifests: created, unchanged, configured, and
the strategic merge result is what a real cluster stores."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.contract.kubectl.conftest import Cluster

pytestmark = pytest.mark.timeout(90)


def _render(cluster: Cluster, directory: Path) -> str:
    rendered = cluster.kubectl("kustomize", str(directory)).stdout
    return rendered.replace("$INBOUND_CIDRS", "0.0.0.0/0")


def test_apply_workshop_ui_then_unchanged_then_configured(
    cluster: Cluster, workshop_dir: Path
) -> None:
    ui = workshop_dir / "manifests" / "base-application" / "ui"
    first = cluster.kubectl("apply", "-k", str(ui))
    assert first.stdout.splitlines() == [
        "namespace/ui created",
        "serviceaccount/ui created",
        "configmap/ui created",
        "service/ui created",
        "deployment.apps/ui created",
    ]
    assert first.stderr == ""
    again = cluster.kubectl("apply", "-k", str(ui))
    assert again.stdout.splitlines() == [
        "namespace/ui unchanged",
        "serviceaccount/ui unchanged",
        "configmap/ui unchanged",
        "service/ui unchanged",
        "deployment.apps/ui unchanged",
    ]
    # A change to one container field and one env entry: a strategic merge keyed by name.
    deployment = json.loads(
        cluster.kubectl("get", "deployment", "ui", "-n", "ui", "-o", "json").stdout
    )
    manifest = deployment["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"
    ]
    changed = json.loads(manifest)
    container = changed["spec"]["template"]["spec"]["containers"][0]
    container["image"] = "public.ecr.aws/aws-containers/retail-store-sample-ui:1.2.2"
    container["env"] = [e for e in container["env"] if e["name"] != "JAVA_OPTS"]
    container["env"].append({"name": "EXTRA", "value": "1"})
    configured = cluster.kubectl("apply", "-f", "-", stdin=json.dumps(changed))
    assert configured.stdout.strip() == "deployment.apps/ui configured"
    after = json.loads(cluster.kubectl("get", "deployment", "ui", "-n", "ui", "-o", "json").stdout)
    live = after["spec"]["template"]["spec"]["containers"][0]
    assert live["image"].endswith(":1.2.2")
    assert [e["name"] for e in live["env"]] == [
        "METADATA_KUBERNETES_POD_NAME",
        "METADATA_KUBERNETES_NAMESPACE",
        "METADATA_KUBERNETES_NODE_NAME",
        "EXTRA",
    ]
    # Fields the server defaulted survive the patch; the generation moved once.
    assert live["terminationMessagePolicy"] == "File"
    assert after["spec"]["strategy"]["rollingUpdate"] == {
        "maxSurge": "25%",
        "maxUnavailable": "25%",
    }
    assert after["metadata"]["generation"] == deployment["metadata"]["generation"] + 1
    assert after["metadata"]["uid"] == deployment["metadata"]["uid"]
    deleted = cluster.kubectl("delete", "-k", str(ui), "--timeout=30s")
    assert deleted.stdout.splitlines() == [
        'namespace "ui" deleted',
        'serviceaccount "ui" deleted',
        'configmap "ui" deleted',
        'service "ui" deleted',
        'deployment.apps "ui" deleted',
    ]
    assert "ui" not in cluster.kubectl("get", "namespaces", "-o", "name").stdout.split("/")


def test_apply_instance_then_ip_mode_service(cluster: Cluster, workshop_dir: Path) -> None:
    modules = workshop_dir / "manifests" / "modules" / "exposing" / "load-balancer"
    cluster.kubectl("create", "namespace", "ui")
    created = cluster.kubectl("apply", "-f", "-", stdin=_render(cluster, modules / "nlb"))
    assert created.stdout.strip() == "service/ui-nlb created"
    before = json.loads(cluster.kubectl("get", "svc", "ui-nlb", "-n", "ui", "-o", "json").stdout)
    configured = cluster.kubectl("apply", "-f", "-", stdin=_render(cluster, modules / "ip-mode"))
    assert configured.stdout.strip() == "service/ui-nlb configured"
    after = json.loads(cluster.kubectl("get", "svc", "ui-nlb", "-n", "ui", "-o", "json").stdout)
    annotations = after["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "ip"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-type"] == "external"
    assert annotations["service.beta.kubernetes.io/load-balancer-source-ranges"] == "0.0.0.0/0"
    # The allocations made at create stay put across the apply.
    assert after["spec"]["clusterIP"] == before["spec"]["clusterIP"]
    assert after["spec"]["ports"] == before["spec"]["ports"]
    assert 30000 <= after["spec"]["ports"][0]["nodePort"] <= 32767


def test_load_balancer_service_as_the_workshop_shows_it(
    cluster: Cluster, workshop_dir: Path
) -> None:
    modules = workshop_dir / "manifests" / "modules" / "exposing" / "load-balancer"
    cluster.kubectl("create", "namespace", "ui")
    cluster.kubectl("apply", "-f", "-", stdin=_render(cluster, modules / "nlb"))
    pending = cluster.kubectl("get", "service", "-n", "ui").stdout.splitlines()
    assert pending[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert pending[1].split()[:4] == ["ui-nlb", "LoadBalancer", pending[1].split()[2], "<pending>"]
    hostname = "k8s-ui-uinlb-e1c1ebaeb4-28a0d1a388d43825.elb.us-west-2.amazonaws.com"
    # What the load balancer controller writes once the NLB exists.
    cluster.kubectl(
        "patch",
        "service",
        "ui-nlb",
        "-n",
        "ui",
        "--subresource=status",
        "--type=merge",
        "-p",
        json.dumps({"status": {"loadBalancer": {"ingress": [{"hostname": hostname}]}}}),
    )
    row = cluster.kubectl("get", "service", "-n", "ui").stdout.splitlines()[1].split()
    assert row[0:2] == ["ui-nlb", "LoadBalancer"]
    assert row[2].startswith("127.")
    assert row[3] == hostname
    assert re.fullmatch(r"80:3\d{4}/TCP", row[4])
    address = cluster.kubectl(
        "get",
        "service",
        "-n",
        "ui",
        "ui-nlb",
        "-o",
        "jsonpath={.status.loadBalancer.ingress[*].hostname}",
    ).stdout
    assert address == hostname
    described = cluster.kubectl("describe", "service/ui-nlb", "-n", "ui").stdout
    assert re.search(r"LoadBalancer Ingress:\s+" + re.escape(hostname), described)
    assert "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: instance" in described
