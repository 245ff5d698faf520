"""A pod being deleted always stops, whatever its containers wait for (no stuck Terminating)."""

from __future__ import annotations

import asyncio

import pytest

from tests.component.cluster.kubelet.conftest import Kubelet, context_for, make_pod, pod_ip, until


@pytest.mark.timeout(30)
async def test_a_pod_in_image_pull_back_off_stops_when_deleted(kubelet: Kubelet) -> None:
    pod = make_pod("nowhere", [{"name": "app", "image": "example.com/team/app:1.0"}])
    uid = pod["metadata"]["uid"]
    context = context_for(pod_ip())
    await kubelet.core.sync_pod(pod, context)
    await until(
        lambda: (
            kubelet.sink.container(uid).get("state", {}).get("waiting", {}).get("reason")
            == "ImagePullBackOff"
        ),
        what="ImagePullBackOff",
    )
    deleting = {
        **pod,
        "metadata": {
            **pod["metadata"],
            "deletionTimestamp": "2026-01-01T00:00:00Z",
            "deletionGracePeriodSeconds": 30,
        },
    }
    # The deletion arrives as an update, which wakes the pod's loop just as it is stopped.
    await kubelet.core.sync_pod(deleting, context)
    await asyncio.wait_for(kubelet.core.wait_stopped(uid), timeout=5)
