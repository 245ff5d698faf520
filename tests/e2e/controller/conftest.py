"""The whole control path in one test: the ELBv2/EC2 API (its own thread), the embedded
cluster with nodes launched through that EC2 API, and the load balancer controller, driven with
the real kubectl and aws CLI. Everything started here is stopped at the end, even on failure.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from localnlb.cluster.embedded import ClusterSettings, EmbeddedCluster
from localnlb.cluster.nodes.provisioning import Ec2NodeProvisioner
from localnlb.common.addressing import build_address_plan
from localnlb.common.statedir import vpc_octet_for
from localnlb.controller.runtime.controller import (
    AwsEndpoints,
    LoadBalancerController,
    RuntimeSettings,
)
from localnlb.controller.runtime.leader import LeaderSettings
from localnlb.dataplane.service import DataPlane, resolve_engine
from tests.contract.elbv2.conftest import (
    AWS_CLI,
    REGION,
    RunningElbv2,
    cli_env,
    client,
    run_elbv2_in_thread,
    run_elbv2_with_health_checks,
)
from tests.helpers.commands import run_command
from tests.helpers.dataplanes import shipped_dataplane
from tests.helpers.waiting import async_wait_until

CLUSTER_NAME = "eks-workshop"
INBOUND_CIDRS = "127.0.0.0/8"
NLB_DIR = Path("manifests/modules/exposing/load-balancer/nlb")
IP_MODE_DIR = Path("manifests/modules/exposing/load-balancer/ip-mode")
UI_BASE = Path("manifests/base-application/ui")


async def run(*argv: str, env: dict[str, str], check: bool = True, stdin: str = "") -> str:
    return await run_command(*argv, env=env, check=check, stdin=stdin, inherit=False)


@dataclass
class Stack:
    """The running pieces and the tools' environment (what ``source DIR/env`` gives)."""

    elbv2: RunningElbv2
    cluster: EmbeddedCluster
    controller: LoadBalancerController | None
    env: dict[str, str]
    workshop_dir: Path
    hosts: Path | None = None

    def addresses(self, hostname: str) -> list[str]:
        """The LB node addresses the hosts file gives for ``hostname`` (what DNS would)."""
        assert self.hosts is not None
        found = []
        for line in self.hosts.read_text().splitlines():
            fields = line.split("#", 1)[0].split()
            if len(fields) >= 2 and hostname in fields[1:]:
                found.append(fields[0])
        return found

    async def curl(self, hostname: str, address: str, path: str = "/home") -> tuple[str, str]:
        """(HTTP status, body) of http://hostname/path resolved to ``address``."""
        out = await self.shell(
            f"curl -s --max-time 5 -w '\\n%{{http_code}}' --resolve {hostname}:80:{address} "
            f"http://{hostname}{path} || true"
        )
        body, _, code = out.rpartition("\n")
        return code, body

    async def kubectl(self, *args: str, stdin: str = "") -> str:
        return await run("kubectl", *args, env=self.env, stdin=stdin)

    async def kubectl_json(self, *args: str) -> Any:
        return json.loads(await self.kubectl(*args, "-o", "json"))

    async def apply(self, manifest: str) -> None:
        """``kubectl apply -f -`` of ``manifest`` (JSON or YAML)."""
        await self.kubectl("apply", "-f", "-", stdin=manifest)

    async def kubectl_fails(self, *args: str, stdin: str = "") -> str:
        """A kubectl command that must fail (exit status 1); its error output."""
        process = await asyncio.create_subprocess_exec(
            "kubectl",
            *args,
            env=self.env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await process.communicate(stdin.encode())
        assert process.returncode == 1, err
        return err.decode().strip()

    async def annotate_service(self, annotation: str, *, name: str = "ui-nlb") -> None:
        """``kubectl annotate --overwrite`` a Service in ``ui``: ``key=value`` sets, ``key-``
        removes."""
        await self.kubectl("annotate", "service", "-n", "ui", name, "--overwrite", annotation)

    async def aws(self, *args: str) -> Any:
        out = await run(str(AWS_CLI), *args, "--output", "json", env=self.env)
        return json.loads(out) if out.strip() else None

    async def shell(self, script: str) -> str:
        return await run("bash", "-o", "pipefail", "-c", script, env=self.env)

    async def apply_workshop(self, directory: Path) -> None:
        """``kubectl kustomize <dir> | envsubst | kubectl apply -f -``, as the workshop does."""
        await self.shell(
            f"kubectl kustomize {self.workshop_dir / directory} | envsubst | kubectl apply -f -"
        )

    async def hostname(self, namespace: str = "ui", name: str = "ui-nlb") -> str | None:
        out = await self.kubectl(
            "get",
            "service",
            "-n",
            namespace,
            name,
            "-o",
            "jsonpath={.status.loadBalancer.ingress[*].hostname}",
        )
        return out.strip() or None

    async def wait_hostname(self, timeout: float = 10.0) -> str:
        return await async_wait_until(self.hostname, timeout=timeout, what="status hostname")

    async def expose_ui(self, directory: Path) -> str:
        """The workshop's ui app, then its NLB Service from ``directory`` (NLB_DIR or
        IP_MODE_DIR) as the workshop applies it; the hostname the Service gets."""
        await self.kubectl("apply", "-k", str(self.workshop_dir / UI_BASE))
        await self.apply_workshop(directory)
        return await self.wait_hostname()

    async def load_balancer(self, dns_name: str) -> dict[str, Any]:
        answer = await self.aws("elbv2", "describe-load-balancers")
        [lb] = [lb for lb in answer["LoadBalancers"] if lb["DNSName"] == dns_name]
        return dict(lb)

    async def target_groups(self, lb_arn: str) -> list[dict[str, Any]]:
        answer = await self.aws("elbv2", "describe-target-groups", "--load-balancer-arn", lb_arn)
        return list(answer["TargetGroups"])

    async def target_health(self, group_arn: str) -> list[dict[str, Any]]:
        answer = await self.aws("elbv2", "describe-target-health", "--target-group-arn", group_arn)
        return list(answer["TargetHealthDescriptions"])

    async def live_targets(self, group_arn: str) -> list[dict[str, Any]]:
        """The registered targets, whatever their health: all but the draining ones."""
        health = await self.target_health(group_arn)
        return [t for t in health if t["TargetHealth"]["State"] != "draining"]


def controller_for(
    elbv2: RunningElbv2,
    cluster: EmbeddedCluster,
    *,
    identity: str = "e2e",
    renew_deadline: float = 10.0,
) -> LoadBalancerController:
    return LoadBalancerController(
        RuntimeSettings(
            kubeconfig=cluster.kubeconfig_path,
            aws=AwsEndpoints(elbv2.url, elbv2.url, REGION, "testing", "testing"),
            cluster_name=CLUSTER_NAME,
            leader=LeaderSettings(
                identity=identity,
                lease_duration=5,
                retry_period=0.5,
                renew_deadline=renew_deadline,
            ),
        )
    )


@asynccontextmanager
async def running_stack(
    tmp_path: Path,
    workshop_dir: Path,
    *,
    with_controller: bool = True,
    with_traffic: bool = False,
    engine: str = "auto",
) -> AsyncIterator[Stack]:
    """``with_traffic``: the real health checker and the data plane (LB nodes, run as ``localnlb
    up`` runs them, on ``engine``) too; the LB names go into ``tmp_path/hosts`` (``Stack.hosts``),
    as into /etc/hosts."""
    state = tmp_path / "state"
    elbv2 = run_elbv2_with_health_checks(state) if with_traffic else run_elbv2_in_thread(state)
    cluster: EmbeddedCluster | None = None
    controller: LoadBalancerController | None = None
    dataplane: DataPlane | None = None
    hosts = tmp_path / "hosts"
    try:
        if with_traffic:
            hosts.write_text("127.0.0.1 localhost\n")
            dataplane = await shipped_dataplane(
                elbv2.url, state_dir=state, hosts_path=hosts, engine=engine
            )
        plan = build_address_plan(vpc_octet=vpc_octet_for(state), region=REGION)
        nodes = Ec2NodeProvisioner(
            client("ec2", elbv2.url), plan, cluster_name=CLUSTER_NAME
        ).ensure(3)
        cluster = EmbeddedCluster(
            ClusterSettings(state_dir=state, plan=plan, nodes=nodes, lease_period=1.0)
        )
        await cluster.start()
        if with_controller:
            controller = controller_for(elbv2, cluster)
            await asyncio.wait_for(controller.start(), timeout=30)
        env = {
            **cli_env(elbv2.url),
            "KUBECONFIG": str(cluster.kubeconfig_path),
            "INBOUND_CIDRS": INBOUND_CIDRS,
            "PATH": os.environ.get("PATH", ""),
        }
        yield Stack(elbv2, cluster, controller, env, workshop_dir, hosts)
    finally:
        if controller is not None:
            await controller.stop(grace=2.0)
        if dataplane is not None:
            await dataplane.stop(1.0)
        if cluster is not None:
            await cluster.stop(grace=2.0)
        elbv2.stop()


@pytest.fixture
async def stack(tmp_path: Path, workshop_dir: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, workshop_dir) as running:
        yield running


@pytest.fixture
async def traffic_stack(
    tmp_path: Path, workshop_dir: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Stack]:
    """The stack with traffic on the engine ``up`` picks here; a test parametrised indirectly
    with "user" runs on the user-space engine instead (skipped where that is what ``auto`` is)."""
    engine = getattr(request, "param", "auto")
    if engine != "auto" and resolve_engine("auto") == engine:
        pytest.skip(f"the {engine} engine is what auto runs here: covered by [auto]")
    async with running_stack(tmp_path, workshop_dir, with_traffic=True, engine=engine) as running:
        yield running


@pytest.fixture
async def bare_stack(tmp_path: Path, workshop_dir: Path) -> AsyncIterator[Stack]:
    """The APIs and the cluster, no controller (tests start their own)."""
    async with running_stack(tmp_path, workshop_dir, with_controller=False) as running:
        yield running
