"""``kubectl get jobs|cronjobs|daemonsets`` columns and cells, as kubectl's printers show them."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.apiserver.objects.meta import parse_timestamp
from localnlb.cluster.apiserver.printers.tables import to_table
from localnlb.cluster.schema.kinds import builtin_by_kind

pytestmark = pytest.mark.timeout(10)
NOW = parse_timestamp("2026-11-26T10:05:00Z")
CREATED = {"creationTimestamp": "2026-11-26T10:00:00Z"}


def table(group: str, kind: str, obj: dict[str, Any]) -> tuple[list[str], list[Any]]:
    rt = builtin_by_kind(group, kind)
    assert rt is not None
    found = to_table(rt, [obj], now=NOW)
    return [c["name"] for c in found["columnDefinitions"]], found["rows"][0]["cells"]


def test_job_columns_status_completions_and_duration() -> None:
    job: dict[str, Any] = {
        "metadata": {"name": "pi", **CREATED},
        "spec": {
            "completions": 3,
            "parallelism": 2,
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u"}},
            "template": {"spec": {"containers": [{"name": "pi", "image": "agnhost"}]}},
        },
        "status": {
            "succeeded": 3,
            "startTime": "2026-11-26T10:00:01Z",
            "completionTime": "2026-11-26T10:00:13Z",
            "conditions": [{"type": "Complete", "status": "True"}],
        },
    }
    names, cells = table("batch", "Job", job)
    assert names == [
        "Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"
    ]  # fmt: skip
    assert cells == [
        "pi", "Complete", "3/3", "12s", "5m", "pi", "agnhost",
        "batch.kubernetes.io/controller-uid=u",
    ]  # fmt: skip
    del job["status"]["conditions"], job["status"]["completionTime"], job["spec"]["completions"]
    assert table("batch", "Job", job)[1][1:4] == ["Running", "3/1 of 2", "4m59s"]


def test_cron_job_columns() -> None:
    cron_job = {
        "metadata": {"name": "hello", **CREATED},
        "spec": {
            "schedule": "*/1 * * * *",
            "suspend": False,
            "jobTemplate": {
                "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "ui"}]}}}
            },
        },
        "status": {"active": [{"name": "hello-1"}], "lastScheduleTime": "2026-11-26T10:04:00Z"},
    }
    names, cells = table("batch", "CronJob", cron_job)
    assert names == [
        "Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age",
        "Containers", "Images", "Selector",
    ]  # fmt: skip
    assert cells == [
        "hello", "*/1 * * * *", "<none>", "False", 1, "60s", "5m", "c", "ui", "<none>"
    ]  # fmt: skip


def test_daemon_set_columns() -> None:
    daemon_set = {
        "metadata": {"name": "agent", **CREATED},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "spec": {
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "containers": [{"name": "c", "image": "agnhost"}],
                }
            },
        },
        "status": {
            "desiredNumberScheduled": 3,
            "currentNumberScheduled": 3,
            "numberReady": 2,
            "updatedNumberScheduled": 3,
            "numberAvailable": 2,
        },
    }
    names, cells = table("apps", "DaemonSet", daemon_set)
    assert names == [
        "Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age",
        "Containers", "Images", "Selector",
    ]  # fmt: skip
    assert cells == [
        "agent", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "5m", "c", "agnhost", "app=agent"
    ]  # fmt: skip
