"""Job, CronJob and DaemonSet on the embedded cluster with real pods (issue 13 AC3/AC4): a
DaemonSet runs one pod on each node, a Job whose command exits 0 completes, one that exits 1
stops at its backoffLimit, and kubectl's bad specs are refused in kube-apiserver's words."""

from __future__ import annotations

import json

import pytest

from localnlb.cluster.embedded import EmbeddedCluster
from tests.e2e.cluster.test_embedded_cluster import (
    cluster,  # noqa: F401  (the fixture)
    kubectl,
)
from tests.helpers.commands import kubectl_fails_with, kubectl_with
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]

DAEMON_SET = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agnhost, image: registry.k8s.io/e2e-test-images/agnhost:2.47}]
"""


def job(name: str, exit_code: int) -> str:
    return f"""
apiVersion: batch/v1
kind: Job
metadata: {{name: {name}}}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - {{name: main, image: busybox, command: [sh, -c, "exit {exit_code}"]}}
"""


async def test_a_daemon_set_runs_one_pod_on_each_node(
    cluster: EmbeddedCluster,  # noqa: F811
) -> None:
    await apply(cluster, DAEMON_SET)
    nodes = set((await kubectl(cluster, "get", "nodes", "-o", "name")).replace("node/", "").split())

    async def running_everywhere() -> list[str] | None:
        pods = json.loads(await kubectl(cluster, "get", "pods", "-l", "app=agent", "-o", "json"))
        running = [p for p in pods["items"] if p["status"].get("phase") == "Running"]
        where = sorted(p["spec"]["nodeName"] for p in running)
        return where if len(where) == len(nodes) else None

    where = await async_wait_until(running_everywhere, timeout=40, what="a pod on every node")
    assert set(where) == nodes
    assert len(nodes) == 3
    row = await kubectl(cluster, "get", "daemonset", "agent", "--no-headers")
    assert row.split()[1:6] == ["3", "3", "3", "3", "3"]


async def test_a_job_completes_and_a_failing_one_stops_at_its_backoff_limit(
    cluster: EmbeddedCluster,  # noqa: F811
) -> None:
    await apply(cluster, job("works", 0) + "---" + job("breaks", 1))
    await kubectl(cluster, "wait", "--for=condition=complete", "job/works", "--timeout=40s")
    await kubectl(cluster, "wait", "--for=condition=failed", "job/breaks", "--timeout=40s")
    rows = await kubectl(cluster, "get", "jobs", "--no-headers")
    status = {line.split()[0]: line.split()[1:3] for line in rows.splitlines()}
    assert status == {"breaks": ["Failed", "0/1"], "works": ["Complete", "1/1"]}
    reason = await kubectl(
        cluster, "get", "job", "breaks", "-o",
        "jsonpath={.status.conditions[?(@.type=='Failed')].reason}",
    )  # fmt: skip
    assert reason == "BackoffLimitExceeded"


async def apply(embedded: EmbeddedCluster, manifest: str) -> None:
    await kubectl_with(embedded.kubeconfig_path, "apply", "-f", "-", stdin=manifest)


async def refused(embedded: EmbeddedCluster, manifest: str) -> str:
    return (
        await kubectl_fails_with(embedded.kubeconfig_path, "apply", "-f", "-", stdin=manifest)
    ).strip()


async def test_an_invalid_schedule_and_a_mismatched_selector_are_refused(
    cluster: EmbeddedCluster,  # noqa: F811
) -> None:
    bad_cron = """
apiVersion: batch/v1
kind: CronJob
metadata: {name: hello}
spec:
  schedule: "*/1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox, command: ["true"]}]
"""
    assert await refused(cluster, bad_cron) == (
        'The CronJob "hello" is invalid: spec.schedule: Invalid value: "*/1 * * *":'
        " expected exactly 5 fields, found 4: [*/1 * * *]"
    )
    mismatched = DAEMON_SET.replace("labels: {app: agent}", "labels: {app: other}")
    assert await refused(cluster, mismatched) == (
        'The DaemonSet "agent" is invalid: spec.template.metadata.labels: Invalid value:'
        ' map[string]string{"app":"other"}: `selector` does not match template `labels`'
    )
