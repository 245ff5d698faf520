"""Jobs, CronJobs and DaemonSets through the registry's admission: defaults, the Job's generated
selector, and refusals in kube-apiserver's words."""

from __future__ import annotations

import random
from typing import Any

import pytest

from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.bootstrap import bootstrap
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.store import ObjectStore
from localnlb.common.addressing import build_address_plan
from localnlb.common.clock import FakeClock

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def registry() -> Registry:
    created = Registry(
        ObjectStore(),
        service_cidr=build_address_plan(vpc_octet=42).service_cidr,
        clock=FakeClock(),
        rng=random.Random(7),
    )
    bootstrap(created)
    return created


def pod_template(restart: str | None = "Never", **labels: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "agnhost"}]}
    if restart:
        spec["restartPolicy"] = restart
    return {"metadata": {"labels": labels}, "spec": spec}


def job(name: str = "pi", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {"template": pod_template(), **spec},
    }


def cron_job(schedule: str, name: str = "hello") -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": pod_template()}}},
    }


def daemon_set(selector: dict[str, str], labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {
            "selector": {"matchLabels": selector},
            "template": pod_template(None, **labels),
        },
    }


def refusal(registry: Registry, api_version: str, kind: str, body: dict[str, Any]) -> str:
    with pytest.raises(ApiError) as raised:
        registry.create(registry.resource(api_version, kind), "default", body)
    assert raised.value.code == 422
    return raised.value.message


def test_a_job_gets_upstream_defaults_and_a_selector_on_its_own_uid(registry: Registry) -> None:
    created = registry.create(registry.resource("batch/v1", "Job"), "default", job())
    uid = created["metadata"]["uid"]
    spec = created["spec"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (1, 1, 6)
    assert spec["completionMode"] == "NonIndexed"
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert spec["template"]["metadata"]["labels"] == {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": "pi",
        "controller-uid": uid,
        "job-name": "pi",
    }
    assert created["metadata"]["generation"] == 1
    assert "status" not in created


def test_job_refusals_in_kube_apiservers_words(registry: Registry) -> None:
    always = job()
    always["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    assert refusal(registry, "batch/v1", "Job", always) == (
        'Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Required value:'
        ' valid values: "OnFailure", "Never"'
    )
    chosen = job(selector={"matchLabels": {"a": "b"}})
    chosen["spec"]["template"]["metadata"]["labels"] = {"a": "b"}
    assert refusal(registry, "batch/v1", "Job", chosen) == (
        'Job.batch "pi" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:'
        'map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}:'
        " `selector` not auto-generated"
    )


def test_a_job_template_and_selector_are_immutable(registry: Registry) -> None:
    jobs = registry.resource("batch/v1", "Job")
    created = registry.create(jobs, "default", job())
    created["spec"]["template"]["spec"]["containers"][0]["image"] = "other"
    with pytest.raises(ApiError) as raised:
        registry.update(jobs, "default", "pi", created)
    assert raised.value.message == (
        'Job.batch "pi" is invalid: spec.template: Invalid value: core.PodTemplateSpec{...}:'
        " field is immutable"
    )


def test_cron_job_defaults_and_schedule_refusals(registry: Registry) -> None:
    cron_jobs = registry.resource("batch/v1", "CronJob")
    created = registry.create(cron_jobs, "default", cron_job("*/1 * * * *"))
    spec = created["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"]) == ("Allow", False)
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)
    assert refusal(registry, "batch/v1", "CronJob", cron_job("not a schedule", "bad")) == (
        'CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "not a schedule":'
        " expected exactly 5 fields, found 3: [not a schedule]"
    )
    assert refusal(registry, "batch/v1", "CronJob", cron_job("61 * * * *", "bad")) == (
        'CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "61 * * * *":'
        " end of range (61) above maximum (59): 61"
    )
    assert "must be no more than 52 characters" in refusal(
        registry, "batch/v1", "CronJob", cron_job("@hourly", "x" * 53)
    )


def test_daemon_set_defaults_and_a_selector_that_misses_the_template(
    registry: Registry,
) -> None:
    daemon_sets = registry.resource("apps/v1", "DaemonSet")
    created = registry.create(daemon_sets, "default", daemon_set({"app": "a"}, {"app": "a"}))
    assert created["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
    }
    assert created["spec"]["revisionHistoryLimit"] == 10
    mismatched = daemon_set({"app": "a"}, {"app": "b"})
    assert refusal(registry, "apps/v1", "DaemonSet", mismatched) == (
        'DaemonSet.apps "agent" is invalid: spec.template.metadata.labels: Invalid value:'
        ' map[string]string{"app":"b"}: `selector` does not match template `labels`'
    )
