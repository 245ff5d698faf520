"""Fixtures for running pods as real processes: a KubeletCore that is always stopped."""

from __future__ import annotations

import os
import random
import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from localnlb.cluster.kubelet.backoff import BackoffSettings
from localnlb.cluster.kubelet.core import KubeletCore
from localnlb.cluster.kubelet.environment import PodContext
from localnlb.cluster.kubelet.events import KubeletEvent
from localnlb.cluster.kubelet.logs import pod_log_dir
from localnlb.cluster.kubelet.settings import KubeletSettings
from localnlb.cluster.kubelet.worker import KubeletConfig
from tests.helpers.waiting import async_wait_until

# Short back-offs so crash loops and pull back-offs cycle in a test's time (see docs/images.md).
TEST_SETTINGS = KubeletSettings(
    crash_backoff=BackoffSettings(initial=0.2, maximum=0.8),
    image_backoff=BackoffSettings(initial=0.3, maximum=1.2),
    error_resync=0.1,
)
NODE = "ip-127-250-0-10.us-west-2.compute.internal"


class RecordingSink:
    """An in-memory PodStatusSink: keeps every status reported, per pod."""

    def __init__(self) -> None:
        self.reports: dict[str, list[dict[str, Any]]] = {}

    async def report(self, pod_uid: str, status: dict[str, Any]) -> None:
        self.reports.setdefault(pod_uid, []).append(status)

    def latest(self, uid: str) -> dict[str, Any] | None:
        history = self.reports.get(uid)
        return history[-1] if history else None

    def container(self, uid: str, name: str | None = None) -> dict[str, Any]:
        status = self.latest(uid) or {"containerStatuses": [{}]}
        statuses: list[dict[str, Any]] = status["containerStatuses"]
        return next((c for c in statuses if name is None or c.get("name") == name), {})


class RecordingEvents:
    """An in-memory PodEventRecorder: (pod name, container, type, reason, message) tuples."""

    def __init__(self) -> None:
        self.recorded: list[tuple[str, str, str, str, str]] = []

    def record(self, pod: Mapping[str, Any], container: str, event: KubeletEvent) -> None:
        name = pod["metadata"]["name"]
        self.recorded.append((name, container, event.type, event.reason, event.message))

    def reasons(self, pod_name: str) -> list[str]:
        return [reason for name, _, _, reason, _ in self.recorded if name == pod_name]


class Kubelet:
    def __init__(
        self, core: KubeletCore, sink: RecordingSink, events: RecordingEvents, log_root: Path
    ) -> None:
        self.core = core
        self.sink = sink
        self.events = events
        self.log_root = log_root


def pod_ip() -> str:
    """A fresh address on 127/8, away from the ranges state dirs use (127.16-239.x.x)."""
    return f"127.{random.randint(241, 250)}.{random.randint(1, 254)}.{random.randint(1, 254)}"


def context_for(ip: str, **kw: Any) -> PodContext:
    return PodContext(
        node_name=NODE, host_ip="127.250.0.10", pod_ip=ip, availability_zone="us-west-2a", **kw
    )


def make_pod(name: str, containers: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}-{os.getpid()}"},
        "spec": {"nodeName": NODE, "containers": containers, **spec},
    }


@pytest.fixture
async def kubelet(tmp_path: Path) -> AsyncIterator[Kubelet]:
    sink = RecordingSink()
    events = RecordingEvents()
    core = KubeletCore(
        config=KubeletConfig(log_root=tmp_path / "pods", settings=TEST_SETTINGS),
        sink=sink,
        events=events,
    )
    try:
        yield Kubelet(core, sink, events, tmp_path / "pods")
    finally:
        await core.stop(grace=1.0)


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie still answers kill(0); it is gone for our purpose once reaped or dead
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except FileNotFoundError:
        return True


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


ConditionOf = Callable[[dict[str, Any]], bool]


async def until(
    predicate: Callable[[], Any], *, timeout: float = 10.0, what: str = "condition"
) -> Any:
    """Wait (polling, with a deadline) until ``predicate()`` is truthy; return its value."""

    async def probe() -> Any:
        return predicate()

    return await async_wait_until(probe, timeout=timeout, what=what)


async def logged(kubelet: Kubelet, pod: dict[str, Any], text: str, *, what: str) -> None:
    """Wait until the pod's container ``c`` has written ``text`` to its log."""
    log = pod_log_dir(kubelet.log_root, pod) / "c.log"
    await until(lambda: log.exists() and text in log.read_text(), what=what)


async def removal_seconds(kubelet: Kubelet, uid: str) -> float:
    """How long ``remove_pod`` took: the hooks and grace period it waited out."""
    began = time.monotonic()
    await kubelet.core.remove_pod(uid)
    return time.monotonic() - began
