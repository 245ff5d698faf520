"""The embedded cluster end to end: the workshop's ui app as real processes on pod IPs.

Issue 5's acceptance, with the real kubectl and curl: apply -k gives a Running pod that answers
/home on its own address and has logs; scaling to 3 gives 3 Ready pods on 3 nodes in 3 AZs
with 3 ready zoned endpoints; a deleted pod is replaced; after stop no pod process is left.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from localnlb.cluster.embedded import ClusterSettings, EmbeddedCluster
from localnlb.cluster.nodes.fargate import FargateProfile
from localnlb.cluster.nodes.provisioning import planned_identities
from localnlb.common import statedir
from localnlb.common.addressing import build_address_plan
from tests.helpers.clusters import running_cluster
from tests.helpers.commands import WAIT_UI_READY, kubectl_with, run_command
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]


async def run(*argv: str, env: dict[str, str] | None = None) -> str:
    return await run_command(*argv, env=env)


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[EmbeddedCluster]:
    async with running_cluster(tmp_path) as embedded:
        yield embedded


async def home_page(ip: str) -> str:
    """/home of the pod at ``ip``; a pod without a readiness probe is Ready as soon as its
    process starts (as in Kubernetes), so the first request may come before it listens."""

    async def fetch() -> str | None:
        process = await asyncio.create_subprocess_exec(
            "curl", "-sf", f"http://{ip}:8080/home", stdout=asyncio.subprocess.PIPE
        )
        out, _ = await process.communicate()
        return out.decode() if process.returncode == 0 else None

    return await async_wait_until(fetch, timeout=10, what=f"/home on {ip}")


async def deploy_ui(cluster: EmbeddedCluster, workshop_dir: Path) -> None:
    """The workshop's ui application, applied with kubectl -k and Ready."""
    await kubectl(cluster, "apply", "-k", str(workshop_dir / "manifests/base-application/ui"))
    await kubectl(cluster, *WAIT_UI_READY)


async def ui_slices(cluster: EmbeddedCluster) -> dict[str, Any]:
    """The ui Service's EndpointSlices, as kubectl returns them."""
    listed = await kubectl(
        cluster,
        "get",
        "endpointslices",
        "-n",
        "ui",
        "-l",
        "kubernetes.io/service-name=ui",
        "-o",
        "json",
    )
    return dict(json.loads(listed))


async def kubectl(cluster: EmbeddedCluster, *args: str) -> str:
    return await kubectl_with(cluster.kubeconfig_path, *args)


async def ui_pods(cluster: EmbeddedCluster) -> list[dict[str, Any]]:
    listed = json.loads(
        await kubectl(
            cluster, "get", "pods", "-n", "ui", "-l", "app.kubernetes.io/name=ui", "-o", "json"
        )
    )
    return [p for p in listed["items"] if not p["metadata"].get("deletionTimestamp")]


def pids_of(cluster: EmbeddedCluster) -> set[int]:
    """Processes whose pod address lies in this cluster's VPC (every pod process has one)."""
    found: set[int] = set()
    octet = str(cluster.settings.plan.vpc_cidr.network_address).split(".")[1]
    marker = f"LOCALNLB_POD_IP=127.{octet}.".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


async def test_workshop_ui_runs_scales_and_stops_clean(
    cluster: EmbeddedCluster, workshop_dir: Path
) -> None:
    await deploy_ui(cluster, workshop_dir)
    [pod] = await ui_pods(cluster)
    name, ip = pod["metadata"]["name"], pod["status"]["podIP"]
    assert pod["status"]["phase"] == "Running"
    assert cluster.settings.plan.in_vpc(ip)
    page = await home_page(ip)
    assert name in page
    logs = await kubectl(cluster, "logs", "-n", "ui", name)
    assert logs.strip()

    await kubectl(cluster, "scale", "-n", "ui", "deployment/ui", "--replicas=3")
    await async_wait_until(lambda: _count(cluster, 3), timeout=30, what="three ui pods")
    await kubectl(cluster, *WAIT_UI_READY)
    pods = await ui_pods(cluster)
    assert len({p["spec"]["nodeName"] for p in pods}) == 3
    zones = {cluster.settings.plan.zone_of(p["status"]["podIP"]) for p in pods}
    assert zones == set(cluster.settings.plan.zone_names)
    for each in pods:
        answer = await home_page(each["status"]["podIP"])
        assert each["metadata"]["name"] in answer
    slices = await ui_slices(cluster)
    ready = [e for s in slices["items"] for e in s["endpoints"] if e["conditions"]["ready"]]
    assert {e["zone"] for e in ready} == zones

    victim = pods[0]["metadata"]["name"]
    await kubectl(cluster, "delete", "pod", "-n", "ui", victim)
    await async_wait_until(
        lambda: _count(cluster, 3, excluding=victim), timeout=30, what="a replacement pod"
    )
    assert pids_of(cluster), "pod processes should be running"


async def _count(cluster: EmbeddedCluster, wanted: int, excluding: str = "") -> bool:
    pods = await ui_pods(cluster)
    return len([p for p in pods if p["metadata"]["name"] != excluding]) == wanted


async def test_no_pod_process_survives_stop(tmp_path: Path, workshop_dir: Path) -> None:
    plan = build_address_plan(vpc_octet=statedir.vpc_octet_for(tmp_path))
    embedded = EmbeddedCluster(
        ClusterSettings(
            state_dir=tmp_path / "s",
            plan=plan,
            nodes=planned_identities(plan, seed="x", count=3),
            lease_period=1.0,
        )
    )
    await embedded.start()
    try:
        await deploy_ui(embedded, workshop_dir)
        assert pids_of(embedded)
    finally:
        await embedded.stop(grace=2.0)
    assert pids_of(embedded) == set()


NODEPORT_SERVICE = """
apiVersion: v1
kind: Service
metadata: {{name: ui-np, namespace: ui}}
spec:
  type: {kind}
  externalTrafficPolicy: {policy}
  selector: {{app.kubernetes.io/name: ui}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"""


async def apply_text(cluster: EmbeddedCluster, text: str) -> None:
    await kubectl_with(cluster.kubeconfig_path, "apply", "-f", "-", stdin=text)


async def http_status(url: str, *, source: str | None = None) -> tuple[int, str]:
    argv = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "3", url]
    if source:
        argv[1:1] = ["--interface", source]
    process = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE)
    out, _ = await process.communicate()
    body, _, code = out.decode().rpartition("\n")
    return int(code or 0), body


async def test_node_ports_answer_on_every_node_and_local_policy_on_pod_nodes_only(
    cluster: EmbeddedCluster, workshop_dir: Path
) -> None:
    await deploy_ui(cluster, workshop_dir)
    [pod] = await ui_pods(cluster)
    await home_page(pod["status"]["podIP"])
    await apply_text(cluster, NODEPORT_SERVICE.format(kind="NodePort", policy="Cluster"))
    service = json.loads(await kubectl(cluster, "get", "svc", "-n", "ui", "ui-np", "-o", "json"))
    node_port = service["spec"]["ports"][0]["nodePort"]
    for node in cluster.settings.nodes:

        async def answers(ip: str = node.private_ip) -> bool:
            code, body = await http_status(f"http://{ip}:{node_port}/home")
            return code == 200 and pod["metadata"]["name"] in body

        await async_wait_until(answers, timeout=10, what=f"NodePort on {node.name}")

    # healthCheckNodePort is allocated for LoadBalancer Services with the Local policy only.
    await apply_text(cluster, NODEPORT_SERVICE.format(kind="LoadBalancer", policy="Local"))
    service = json.loads(await kubectl(cluster, "get", "svc", "-n", "ui", "ui-np", "-o", "json"))
    health_port = service["spec"]["healthCheckNodePort"]
    pod_node = pod["spec"]["nodeName"]
    for node in cluster.settings.nodes:
        expected = 200 if node.name == pod_node else 503

        async def health(ip: str = node.private_ip, wanted: int = expected) -> bool:
            code, _ = await http_status(f"http://{ip}:{health_port}/healthz")
            return code == wanted

        await async_wait_until(health, timeout=10, what=f"healthCheckNodePort on {node.name}")
        code, _ = await http_status(f"http://{node.private_ip}:{node_port}/home")
        assert (code == 200) == (node.name == pod_node)


async def test_describe_pod_shows_scheduler_and_kubelet_events(
    cluster: EmbeddedCluster, workshop_dir: Path
) -> None:
    await deploy_ui(cluster, workshop_dir)

    async def described() -> str | None:
        text = await kubectl(
            cluster, "describe", "pod", "-n", "ui", "-l", "app.kubernetes.io/name=ui"
        )
        return text if "Started" in text and "Scheduled" in text else None

    text = await async_wait_until(described, timeout=10, what="scheduler and kubelet events")
    assert "default-scheduler" in text
    assert "Successfully assigned ui/ui-" in text
    assert "kubelet" in text


async def localnlb_node(cluster: EmbeddedCluster, *args: str) -> str:
    return await run(
        sys.executable,
        "-m",
        "localnlb",
        "node",
        "--state-dir",
        str(cluster.settings.state_dir),
        *args,
    )


async def endpoint_ready(cluster: EmbeddedCluster, pod_name: str) -> bool | None:
    slices = await ui_slices(cluster)
    for endpoint in (e for s in slices["items"] for e in s["endpoints"] or ()):
        if endpoint["targetRef"]["name"] == pod_name:
            return bool(endpoint["conditions"]["ready"])
    return None


async def test_a_not_ready_node_takes_its_pods_out_and_cordon_stops_scheduling(
    cluster: EmbeddedCluster, workshop_dir: Path
) -> None:
    await deploy_ui(cluster, workshop_dir)
    [pod] = await ui_pods(cluster)
    name, node = pod["metadata"]["name"], pod["spec"]["nodeName"]
    await async_wait_until(lambda: endpoint_ready(cluster, name), what="a ready endpoint")

    await localnlb_node(cluster, "notready", node)

    async def out_of_service() -> bool:
        return await endpoint_ready(cluster, name) is False

    await async_wait_until(out_of_service, timeout=15, what="the endpoint out of ready")
    listed = await localnlb_node(cluster, "list")
    assert node in listed
    assert "False" in listed

    await localnlb_node(cluster, "ready", node)
    await async_wait_until(
        lambda: endpoint_ready(cluster, name), timeout=15, what="the endpoint ready again"
    )

    for other in cluster.settings.nodes:
        if other.name != node:
            await localnlb_node(cluster, "cordon", other.name)
    await kubectl(cluster, "scale", "-n", "ui", "deployment/ui", "--replicas=3")
    await async_wait_until(lambda: _count(cluster, 3), timeout=30, what="three pods")
    await kubectl(cluster, *WAIT_UI_READY)
    assert {p["spec"]["nodeName"] for p in await ui_pods(cluster)} == {node}


FARGATE_APP = """
apiVersion: v1
kind: Namespace
metadata: {name: serverless}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo, namespace: serverless}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers:
      - name: echo
        image: registry.k8s.io/e2e-test-images/agnhost:2.52
        args: [netexec, --http-port=8080]
        ports: [{containerPort: 8080}]
"""


async def test_fargate_pods_get_nodes_of_their_own_and_serve_on_their_ip(tmp_path: Path) -> None:
    plan = build_address_plan(vpc_octet=statedir.vpc_octet_for(tmp_path))
    embedded = EmbeddedCluster(
        ClusterSettings(
            state_dir=tmp_path / "s",
            plan=plan,
            nodes=planned_identities(plan, seed="f", count=3),
            lease_period=1.0,
            fargate_profiles=(FargateProfile.parse("serverless"),),
        )
    )
    await embedded.start()
    try:
        await apply_text(embedded, FARGATE_APP)
        await kubectl(
            embedded,
            "wait",
            "--for=condition=Ready",
            "pod",
            "-n",
            "serverless",
            "-l",
            "app=echo",
            "--timeout=30s",
        )
        pods = json.loads(await kubectl(embedded, "get", "pods", "-n", "serverless", "-o", "json"))
        nodes = json.loads(await kubectl(embedded, "get", "nodes", "-o", "json"))["items"]
        fargate = {
            n["metadata"]["name"]: n
            for n in nodes
            if n["metadata"]["labels"].get("eks.amazonaws.com/compute-type") == "fargate"
        }
        assert len(pods["items"]) == 2
        for pod in pods["items"]:
            node = fargate[pod["spec"]["nodeName"]]
            ip = pod["status"]["podIP"]
            assert pod["status"]["hostIP"] == ip
            assert node["status"]["addresses"][0]["address"] == ip
            url = f"http://{ip}:8080/hostname"
            name = await async_wait_until(functools.partial(_fetch, url), what="/hostname")
            assert name == pod["metadata"]["name"]
        assert len({plan.zone_of(p["status"]["podIP"]) for p in pods["items"]}) == 2
        await kubectl(embedded, "delete", "namespace", "serverless", "--timeout=30s")

        async def fargate_nodes_gone() -> bool:
            listed = json.loads(await kubectl(embedded, "get", "nodes", "-o", "json"))["items"]
            return all(not n["metadata"]["name"].startswith("fargate-") for n in listed)

        await async_wait_until(fargate_nodes_gone, timeout=20, what="Fargate nodes removed")
    finally:
        await embedded.stop(grace=2.0)


async def _fetch(url: str) -> str | None:
    process = await asyncio.create_subprocess_exec(
        "curl", "-sf", "--max-time", "2", url, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    return out.decode().strip() if process.returncode == 0 else None


GRACEFUL_APP = """
apiVersion: v1
kind: Namespace
metadata: {name: roll}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: roll}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: roll}
spec:
  replicas: 2
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: web
        image: registry.k8s.io/e2e-test-images/agnhost:2.52
        args: [netexec, --http-port=8080]
        env: [{name: VERSION, value: "{version}"}]
        readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1}
        lifecycle: {preStop: {exec: {command: [sleep, "1"]}}}
"""


async def test_terminating_endpoints_and_a_rolling_update_that_never_drops_to_zero(
    cluster: EmbeddedCluster,
) -> None:
    registry = cluster.api.registry
    assert registry is not None
    slices_key = "discovery.k8s.io/endpointslices"
    await apply_text(cluster, GRACEFUL_APP.replace("{version}", "1"))
    await kubectl(cluster, "rollout", "status", "deployment/web", "-n", "roll", "--timeout=30s")
    watcher = registry.store.watch(slices_key, "roll", registry.store.revision)
    try:
        pods = json.loads(await kubectl(cluster, "get", "pods", "-n", "roll", "-o", "json"))
        victim = pods["items"][0]["metadata"]["name"]
        await kubectl(cluster, "delete", "pod", "-n", "roll", victim, "--wait=false")
        seen_terminating = False
        while not seen_terminating:
            change = await watcher.next(10)
            assert change is not None, "no EndpointSlice change after deleting a pod"
            for endpoint in change.object.get("endpoints") or ():
                if endpoint["targetRef"]["name"] == victim and endpoint["conditions"] == {
                    "ready": False,
                    "serving": True,
                    "terminating": True,
                }:
                    seen_terminating = True
        await kubectl(cluster, "rollout", "status", "deployment/web", "-n", "roll", "--timeout=30s")

        # A rolling update: at every committed EndpointSlice version, something is ready.
        await apply_text(cluster, GRACEFUL_APP.replace("{version}", "2"))
        rollout = asyncio.create_task(
            kubectl(cluster, "rollout", "status", "deployment/web", "-n", "roll", "--timeout=60s")
        )
        versions = 0
        while not rollout.done():
            change = await watcher.next(0.5)
            if change is None or change.type.value == "DELETED":
                continue
            versions += 1
            ready = [e for e in change.object.get("endpoints") or () if e["conditions"]["ready"]]
            assert ready, f"no ready endpoint in EndpointSlice version {change.revision}"
        await rollout
        assert versions >= 3
    finally:
        watcher.close()
