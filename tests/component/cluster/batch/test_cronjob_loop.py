"""The CronJob loop on the real registry, on a clock shifted to just before a minute turns: a
``*/1 * * * *`` CronJob starts its Job within that minute (the work queue's requeue at the
schedule time, no sleep), named ``<cronjob>-<minutes since the epoch>``, and records its
schedule and success times. Concurrency policies and history limits: the planner's unit tests."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest

from localnlb.cluster.controllers import objects
from tests.component.cluster.batch.conftest import Cluster
from tests.helpers.waiting import async_wait_until

pytestmark = pytest.mark.timeout(60)


def cron_job(name: str, command: str, **spec: Any) -> dict[str, Any]:
    template = {
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "c", "image": "agnhost", "command": [command]}],
        }
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {
            "schedule": "*/1 * * * *",
            "jobTemplate": {"spec": {"template": template}},
            **spec,
        },
    }


def stand_before_the_minute(cluster: Cluster, seconds: float) -> float:
    """Shift the cluster's clock so the next minute starts ``seconds`` from now; return it."""
    real = time.time()
    boundary = math.ceil((cluster.clock.wall() + seconds + 1) / 60) * 60
    cluster.shift_clock(boundary - seconds - real)
    return boundary


def owned_jobs(cluster: Cluster, name: str) -> list[dict[str, Any]]:
    [owner] = [c for c in cluster.items("batch/v1", "CronJob") if objects.name_of(c) == name]
    return [
        j
        for j in cluster.items("batch/v1", "Job")
        if objects.controller_owner_uid(j) == objects.uid_of(owner)
    ]


async def test_every_minute_runs_within_its_minute(cluster: Cluster) -> None:
    boundary = stand_before_the_minute(cluster, 1.0)
    cluster.create(cron_job("tick", "true"))

    async def started() -> list[dict[str, Any]]:
        return owned_jobs(cluster, "tick")

    [job] = await async_wait_until(started, timeout=10, what="the CronJob's first Job")
    assert objects.name_of(job) == f"tick-{int(boundary // 60)}"
    assert cluster.clock.wall() < boundary + 60  # within the scheduled minute
    annotations = objects.meta(job)["annotations"]
    assert annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] == time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(boundary)
    )

    async def recorded() -> dict[str, Any] | None:
        [cj] = cluster.items("batch/v1", "CronJob")
        status = cj.get("status") or {}
        return cj if status.get("lastSuccessfulTime") and not status.get("active") else None

    done = await async_wait_until(recorded, timeout=20, what="lastSuccessfulTime recorded")
    assert (
        done["status"]["lastScheduleTime"]
        == annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]
    )
