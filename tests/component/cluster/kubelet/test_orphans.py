"""Container processes of a kubelet that was killed outright are ended by the next kubelet."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from localnlb.cluster.kubelet.core import KubeletCore
from localnlb.cluster.kubelet.worker import KubeletConfig
from tests.component.cluster.kubelet.conftest import (
    Kubelet,
    RecordingSink,
    context_for,
    make_pod,
    pid_gone,
    pod_ip,
    until,
)
from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import wait_until

KUBELET_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from localnlb.cluster.kubelet.core import KubeletCore
    from localnlb.cluster.kubelet.environment import PodContext
    from localnlb.cluster.kubelet.worker import KubeletConfig

    class Sink:
        async def report(self, uid, status):
            pass

    async def main():
        core = KubeletCore(config=KubeletConfig(log_root=Path(sys.argv[1])), sink=Sink())
        pod = {"metadata": {"name": "orphan", "namespace": "default", "uid": "u-orphan"},
               "spec": {"containers": [{"name": "c", "image": "busybox",
                                        "command": ["sleep", "300"]}]}}
        worker = await core.sync_pod(pod, PodContext(
            node_name="n", host_ip="127.0.0.1", pod_ip="127.0.0.1", availability_zone="z"))
        while "c" not in worker.processes:
            await asyncio.sleep(0.01)
        print(worker.processes["c"].pid, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


@pytest.mark.timeout(30)
async def test_containers_of_a_killed_kubelet_are_reaped(
    tmp_path: Path, processes: ProcessGroup
) -> None:
    log_root = tmp_path / "pods"
    script = tmp_path / "kubelet.py"
    script.write_text(KUBELET_SCRIPT)
    kubelet = processes.start([sys.executable, str(script), str(log_root)], name="kubelet")
    log = kubelet.log_path  # type: ignore[attr-defined]
    container_pid = int(
        wait_until(lambda: log.read_text().strip(), timeout=15, what="container started")
    )
    try:
        os.kill(kubelet.pid, signal.SIGKILL)  # no chance to clean up
        kubelet.wait(timeout=5)
        assert not pid_gone(container_pid)  # the orphan is still running
        KubeletCore(config=KubeletConfig(log_root=log_root), sink=RecordingSink())
        wait_until(lambda: pid_gone(container_pid), timeout=5, what="orphan reaped")
        assert not list(log_root.glob("*/*.pid"))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(container_pid, signal.SIGKILL)


@pytest.mark.timeout(20)
async def test_a_second_kubelet_leaves_a_running_kubelets_containers_alone(
    kubelet: Kubelet,
) -> None:
    pod = make_pod("alive", [{"name": "c", "image": "busybox", "command": ["sleep", "300"]}])
    worker = await kubelet.core.sync_pod(pod, context_for(pod_ip()))
    pid = await until(lambda: "c" in worker.processes and worker.processes["c"].pid)
    KubeletCore(config=KubeletConfig(log_root=kubelet.log_root), sink=RecordingSink())
    assert not pid_gone(pid)
    assert list(kubelet.log_root.glob("*/c.pid"))
