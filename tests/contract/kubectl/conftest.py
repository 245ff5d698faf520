"""A ``localnlb apiserver`` process per test and the real kubectl pointed at it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lightkube import Client, KubeConfig

from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import wait_until

KUBECTL = "/usr/bin/kubectl"


@dataclass
class Cluster:
    state_dir: Path
    env: dict[str, str]
    client: Client

    def kubectl(
        self, *args: str, check: bool = True, stdin: str | None = None, timeout: float = 30
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [KUBECTL, *args],
            env=self.env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"kubectl {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [KUBECTL, *args],
            env=self.env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )


@pytest.fixture
def cluster(tmp_path: Path, processes: ProcessGroup) -> Iterator[Cluster]:
    if not os.path.exists(KUBECTL):
        pytest.skip("kubectl is not installed")
    state_dir = tmp_path / "state"
    processes.start(
        [sys.executable, "-m", "localnlb", "apiserver", "--state-dir", str(state_dir)],
        name="apiserver",
    )
    kubeconfig = state_dir / "kubeconfig"
    wait_until(kubeconfig.exists, timeout=20, what="the API server writes its kubeconfig")
    env = {
        **os.environ,
        "KUBECONFIG": str(kubeconfig),
        "KUBECACHEDIR": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
    }
    client = Client(KubeConfig.from_file(kubeconfig), field_manager="contract-test")
    try:
        yield Cluster(state_dir=state_dir, env=env, client=client)
    finally:
        client.close()
