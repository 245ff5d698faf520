"""The CronJob planner: due times, concurrency policies, suspend, deadlines, history limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from localnlb.cluster.controllers.cronjob import plan_cron_job
from localnlb.common.clock import rfc3339

pytestmark = pytest.mark.timeout(10)


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def cron_job(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": "tick",
            "namespace": "default",
            "uid": "cj-uid",
            "creationTimestamp": "2026-01-01T10:00:30Z",
        },
        "spec": {
            "schedule": "*/1 * * * *",
            "concurrencyPolicy": "Allow",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {"metadata": {"labels": {"app": "tick"}}, "spec": {"template": {}}},
            **spec,
        },
    }


def job(name: str, created: str, condition: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {}
    if condition:
        status = {
            "conditions": [{"type": condition, "status": "True"}],
            "completionTime": created,
        }
    return {
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"{name}-uid",
            "creationTimestamp": created,
            "ownerReferences": [{"uid": "cj-uid", "controller": True}],
        },
        "status": status,
    }


def test_nothing_is_due_before_the_first_schedule_time() -> None:
    plan = plan_cron_job(cron_job(), [], now=at("2026-01-01T10:00:45"))
    assert plan.create is None
    assert plan.requeue_after == 15


def test_a_due_time_starts_a_job_named_by_its_minute() -> None:
    plan = plan_cron_job(cron_job(), [], now=at("2026-01-01T10:01:02"))
    assert plan.create is not None
    minute = int(at("2026-01-01T10:01:00") // 60)
    assert plan.create["metadata"]["name"] == f"tick-{minute}"
    assert plan.create["metadata"]["labels"] == {"app": "tick"}
    assert plan.create["metadata"]["ownerReferences"][0]["uid"] == "cj-uid"
    assert plan.status["lastScheduleTime"] == "2026-01-01T10:01:00Z"
    assert plan.requeue_after == 58
    assert [e.reason for e in plan.events] == ["SuccessfulCreate"]


def test_forbid_skips_while_a_job_runs_and_replace_deletes_it() -> None:
    running = job("tick-1", "2026-01-01T10:01:00Z")
    forbid = plan_cron_job(
        cron_job(concurrencyPolicy="Forbid"), [running], now=at("2026-01-01T10:02:01")
    )
    assert forbid.create is None
    assert [e.reason for e in forbid.events] == ["JobAlreadyActive"]
    assert forbid.events[0].message == (
        "Not starting job because prior execution is running and concurrency policy is Forbid"
    )
    replace = plan_cron_job(
        cron_job(concurrencyPolicy="Replace"), [running], now=at("2026-01-01T10:02:01")
    )
    assert replace.delete == ("tick-1",)
    assert replace.create is not None
    allow = plan_cron_job(cron_job(), [running], now=at("2026-01-01T10:02:01"))
    assert allow.create is not None
    assert allow.delete == ()


def test_suspend_and_a_passed_starting_deadline_start_nothing() -> None:
    suspended = plan_cron_job(cron_job(suspend=True), [], now=at("2026-01-01T10:05:00"))
    assert suspended.create is None
    late = cron_job(startingDeadlineSeconds=10)
    assert plan_cron_job(late, [], now=at("2026-01-01T10:01:30")).create is None
    assert plan_cron_job(late, [], now=at("2026-01-01T10:01:05")).create is not None


def test_history_limits_trim_the_oldest_finished_jobs() -> None:
    finished = [
        job(f"ok-{minute}", f"2026-01-01T10:0{minute}:00Z", "Complete") for minute in range(5)
    ] + [job(f"bad-{minute}", f"2026-01-01T10:0{minute}:30Z", "Failed") for minute in range(2)]
    spec = cron_job()
    spec["status"] = {"lastScheduleTime": rfc3339(at("2026-01-01T10:09:00"))}
    plan = plan_cron_job(spec, finished, now=at("2026-01-01T10:09:30"))
    assert plan.delete == ("ok-0", "ok-1", "bad-0")
    assert plan.status["lastSuccessfulTime"] == "2026-01-01T10:04:00Z"
    assert plan.create is None
