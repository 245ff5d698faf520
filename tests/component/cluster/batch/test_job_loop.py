"""The Job loop on the real registry: a Job completes, a failing one stops at backoffLimit, and a
finished Job with ttlSecondsAfterFinished goes away with its pods."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.controllers import objects
from tests.component.cluster.batch.conftest import Cluster
from tests.helpers.waiting import async_wait_until

pytestmark = pytest.mark.timeout(60)


def job(name: str, command: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "c", "image": "agnhost", "command": [command]}],
                }
            },
            **spec,
        },
    }


def job_pods(cluster: Cluster, name: str) -> list[dict[str, Any]]:
    return [
        p
        for p in cluster.items("v1", "Pod")
        if objects.labels_of(p).get("batch.kubernetes.io/job-name") == name
    ]


def stored_job(cluster: Cluster, name: str) -> dict[str, Any] | None:
    return next((j for j in cluster.items("batch/v1", "Job") if objects.name_of(j) == name), None)


def finished(cluster: Cluster, name: str, kind: str) -> dict[str, Any] | None:
    found = stored_job(cluster, name)
    return found if found and objects.condition_true(found, kind) else None


def event_reasons(cluster: Cluster, name: str) -> list[str]:
    return [
        e["reason"]
        for e in cluster.items("v1", "Event")
        if e["involvedObject"]["name"] == name and e["involvedObject"]["kind"] == "Job"
    ]


async def test_a_job_runs_its_completions_with_its_parallelism(cluster: Cluster) -> None:
    cluster.create(job("pi", "true", completions=3, parallelism=2))

    async def complete() -> dict[str, Any] | None:
        return finished(cluster, "pi", "Complete")

    done = await async_wait_until(complete, timeout=20, what="Job pi Complete")
    status = done["status"]
    assert status["succeeded"] == 3
    assert "active" not in status
    assert "failed" not in status
    assert status["startTime"] <= status["completionTime"]
    condition = objects.condition(done, "Complete")
    assert condition is not None
    assert condition["reason"] == "CompletionsReached"
    assert condition["message"] == "Reached expected number of succeeded pods"
    assert len(job_pods(cluster, "pi")) == 3
    assert event_reasons(cluster, "pi").count("SuccessfulCreate") == 3
    assert "Completed" in event_reasons(cluster, "pi")


async def test_a_failing_job_stops_at_its_backoff_limit(cluster: Cluster) -> None:
    cluster.create(job("doomed", "false", backoffLimit=2))

    async def failed() -> dict[str, Any] | None:
        return finished(cluster, "doomed", "Failed")

    done = await async_wait_until(failed, timeout=20, what="Job doomed Failed")
    condition = objects.condition(done, "Failed")
    assert condition is not None
    assert condition["reason"] == "BackoffLimitExceeded"
    assert condition["message"] == "Job has reached the specified backoff limit"
    assert done["status"]["failed"] == 3  # the first try and backoffLimit retries
    assert len(job_pods(cluster, "doomed")) == 3
    assert "BackoffLimitExceeded" in event_reasons(cluster, "doomed")
    assert not objects.condition_true(done, "Complete")


async def test_ttl_after_finished_deletes_the_job_and_its_pods(cluster: Cluster) -> None:
    cluster.create(job("brief", "true", ttlSecondsAfterFinished=1))

    async def gone() -> bool:
        return stored_job(cluster, "brief") is None and not job_pods(cluster, "brief")

    await async_wait_until(gone, timeout=20, what="Job brief and its pods deleted")
