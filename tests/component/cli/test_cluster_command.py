"""``localnlb cluster`` as a real process: env, nodes, metrics, clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from localnlb.common import statedir
from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.timeout(60)


def test_cluster_command_serves_three_ready_nodes_and_metrics(
    tmp_path: Path, processes: ProcessGroup
) -> None:
    state = tmp_path / "state"
    process = processes.start(
        [sys.executable, "-m", "localnlb", "cluster", "--state-dir", str(state)], name="cluster"
    )
    env = wait_until(
        lambda: (lambda e: e if "LOCALNLB_CLUSTER_METRICS_URL" in e else None)(
            statedir.read_env(state)
        ),
        timeout=20,
        what="DIR/env with the cluster's variables",
    )
    nodes = json.loads(
        subprocess.run(
            ["kubectl", "get", "nodes", "-o", "json"],
            env={**os.environ, "KUBECONFIG": env["KUBECONFIG"]},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["items"]
    assert len(nodes) == 3
    zones = {n["metadata"]["labels"]["topology.kubernetes.io/zone"] for n in nodes}
    assert zones == {"us-west-2a", "us-west-2b", "us-west-2c"}
    with urllib.request.urlopen(env["LOCALNLB_CLUSTER_METRICS_URL"], timeout=5) as reply:
        assert reply.status == 200
        assert b"localnlb_kubeproxy" in reply.read()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
