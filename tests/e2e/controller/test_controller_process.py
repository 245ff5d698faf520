"""``localnlb controller`` as a real process, and leader election between two controllers.

The command reads KUBECONFIG and the AWS endpoints from DIR/env, announces readiness to a
supervisor, reconciles, and on SIGTERM stops with exit 0 and releases its Lease. Of two
controllers only the Lease holder reconciles; when it stops, the other takes over at once.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from localnlb.common import statedir
from tests.e2e.controller.conftest import NLB_DIR, UI_BASE, Stack, controller_for
from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

LEASE = ("lease", "-n", "kube-system", "aws-load-balancer-controller-leader")


async def holder(stack: Stack) -> str:
    lease = await stack.kubectl_json("get", *LEASE)
    return str(lease["spec"].get("holderIdentity") or "")


async def test_controller_command_runs_reconciles_and_stops_clean(
    bare_stack: Stack, processes: ProcessGroup, tmp_path: Path
) -> None:
    stack = bare_stack
    state = tmp_path / "controller-dir"
    env_vars = {
        k: v
        for k, v in stack.env.items()
        if k.startswith("AWS_") and k not in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
    }
    statedir.write_env(
        statedir.ensure_state_dir(state), {**env_vars, "KUBECONFIG": stack.env["KUBECONFIG"]}
    )
    ready_file = tmp_path / "ready.json"
    process = processes.start(
        [sys.executable, "-m", "localnlb", "controller", "--state-dir", str(state)],
        env={**os.environ, "LOCALNLB_READY_FILE": str(ready_file)},
        name="controller",
    )

    async def announced() -> bool:
        assert process.poll() is None, Path(process.log_path).read_text()  # type: ignore[attr-defined]
        return ready_file.exists()

    await async_wait_until(announced, timeout=30, what="readiness announced")
    assert json.loads(ready_file.read_text())["pid"] == process.pid
    await stack.expose_ui(NLB_DIR)
    assert await holder(stack)
    process.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(process.wait, 20)
    assert code == 0, Path(process.log_path).read_text()  # type: ignore[attr-defined]
    assert await holder(stack) == ""  # released: a successor need not wait for expiry


def _log_time(line: str) -> float:
    """The epoch time of a ``%(asctime)s`` log line (local time, milliseconds)."""
    stamp, _, millis = line[:23].partition(",")
    return datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").timestamp() + int(millis) / 1000


async def test_a_controller_killed_leads_again_at_once_after_a_restart(
    bare_stack: Stack, processes: ProcessGroup, tmp_path: Path
) -> None:
    """kill -9 leaves the Lease held for 15 s; the restarted controller of the same state dir
    has the same identity, so it takes the Lease back on its first try."""
    stack = bare_stack
    state = tmp_path / "controller-dir"
    aws = {k: v for k, v in stack.env.items() if k.startswith("AWS_") and "FILE" not in k}
    statedir.write_env(
        statedir.ensure_state_dir(state), {**aws, "KUBECONFIG": stack.env["KUBECONFIG"]}
    )

    def start() -> tuple[subprocess.Popen[bytes], Path]:
        process = processes.start(
            [sys.executable, "-m", "localnlb", "controller", "--state-dir", str(state)],
            name="controller",
        )
        return process, Path(process.log_path)  # type: ignore[attr-defined]

    async def led(log: Path) -> list[str]:
        return [line for line in log.read_text().splitlines() if "became leader" in line]

    first, first_log = start()
    await async_wait_until(lambda: led(first_log), timeout=30, what="the first leads")
    identity = await holder(stack)
    first.send_signal(signal.SIGKILL)
    await asyncio.to_thread(first.wait, 10)
    assert await holder(stack) == identity  # a crash releases nothing

    second, second_log = start()
    lines = await async_wait_until(lambda: led(second_log), timeout=30, what="the restart leads")
    lease_requests = [ln for ln in second_log.read_text().splitlines() if "/leases/" in ln]
    waited = _log_time(lines[0]) - _log_time(lease_requests[0])
    print(f"restarted controller: first Lease request to leader in {waited:.3f} s")
    assert waited < 2.0
    assert await holder(stack) == identity
    second.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(second.wait, 20) == 0


async def test_only_the_lease_holder_reconciles(bare_stack: Stack) -> None:
    stack = bare_stack
    first = controller_for(stack.elbv2, stack.cluster, identity="first")
    second = controller_for(stack.elbv2, stack.cluster, identity="second")
    await first.start()
    second_start = asyncio.create_task(second.start())
    try:
        assert await holder(stack) == "first"
        renewed = (await stack.kubectl_json("get", *LEASE))["spec"]["renewTime"]

        async def renewed_again() -> bool:
            lease = await stack.kubectl_json("get", *LEASE)
            return bool(lease["spec"]["renewTime"] != renewed)

        await async_wait_until(renewed_again, timeout=10, what="the holder renews")
        assert not second.leading.is_set()
        await first.stop(grace=2.0)
        await asyncio.wait_for(second_start, timeout=10)
        assert await holder(stack) == "second"
        await stack.expose_ui(NLB_DIR)
    finally:
        second_start.cancel()
        await first.stop(grace=2.0)
        await second.stop(grace=2.0)


async def test_a_restarted_controller_finishes_what_the_last_one_left(bare_stack: Stack) -> None:
    """Ownership lives in AWS tags and the finalizer, not in the process: a Service deleted
    while no controller runs is cleaned up by the next one."""
    stack = bare_stack
    first = controller_for(stack.elbv2, stack.cluster, identity="first")
    await first.start()
    try:
        await stack.expose_ui(NLB_DIR)
    finally:
        await first.stop(grace=2.0)
    await stack.kubectl("delete", "service", "-n", "ui", "ui-nlb", "--wait=false")
    service = await stack.kubectl_json("get", "service", "-n", "ui", "ui-nlb")
    assert service["metadata"]["deletionTimestamp"]  # held by the finalizer meanwhile
    second = controller_for(stack.elbv2, stack.cluster, identity="second")
    await second.start()
    try:
        await stack.kubectl("wait", "--for=delete", "service/ui-nlb", "-n", "ui", "--timeout=30s")
        assert (await stack.aws("elbv2", "describe-load-balancers"))["LoadBalancers"] == []
        assert (await stack.aws("elbv2", "describe-target-groups"))["TargetGroups"] == []
    finally:
        await second.stop(grace=2.0)


def test_unreachable_apis_give_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    state = statedir.ensure_state_dir(tmp_path / "dir")
    statedir.write_env(
        state,
        {
            "KUBECONFIG": str(tmp_path / "missing-kubeconfig"),
            "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": "http://127.0.0.1:9",
            "AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:9",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        },
    )
    done = subprocess.run(
        [sys.executable, "-m", "localnlb", "controller", "--state-dir", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "localnlb controller: cannot start:" in done.stderr
    assert "Traceback" not in done.stderr


async def test_a_controller_that_loses_the_lease_stops_reconciling(bare_stack: Stack) -> None:
    stack = bare_stack
    controller = controller_for(stack.elbv2, stack.cluster, identity="loser", renew_deadline=1.5)
    await controller.start()
    try:
        now = (await stack.kubectl_json("get", *LEASE))["spec"]["renewTime"]
        stolen = {
            "spec": {"holderIdentity": "intruder", "leaseDurationSeconds": 300, "renewTime": now}
        }
        await stack.kubectl("patch", *LEASE, "--type=merge", "-p", json.dumps(stolen))
        await asyncio.wait_for(controller.lost.wait(), timeout=10)
        await stack.kubectl("apply", "-k", str(stack.workshop_dir / UI_BASE))
        await stack.apply_workshop(NLB_DIR)
        service = await stack.kubectl_json("get", "service", "-n", "ui", "ui-nlb")
        assert not service["metadata"].get("finalizers")
        workers = [
            t
            for t in controller._tasks
            if t.get_name().startswith(("controller-svc", "controller-tgb"))
        ]
        assert workers
        assert all(t.done() for t in workers)
        assert await holder(stack) == "intruder"
    finally:
        await controller.stop(grace=2.0)
