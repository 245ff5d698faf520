"""Defaults for Jobs, CronJobs and DaemonSets (pkg/apis/batch/v1 and apps/v1 defaults.go), and the
selector kube-apiserver generates for a Job (its strategy's PrepareForCreate).

The pod templates inside get the pod defaults from :mod:`.defaults`, which calls these first.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]

CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid"
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID_LABEL = "controller-uid"
LEGACY_JOB_NAME_LABEL = "job-name"


def job(obj: JsonObject) -> None:
    spec = obj.setdefault("spec", {})
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    _generate_selector(obj)


def _generate_selector(obj: JsonObject) -> None:
    """Unless ``spec.manualSelector``, the Job selects its pods by its own uid, and the template
    carries the labels that make that true (on create: the uid exists only once stamped)."""
    spec = obj["spec"]
    metadata = obj.get("metadata") or {}
    uid, name = metadata.get("uid"), metadata.get("name", "")
    if spec.get("manualSelector") or not uid or metadata.get("resourceVersion"):
        return
    labels = spec.setdefault("template", {}).setdefault("metadata", {}).setdefault("labels", {})
    labels.setdefault(CONTROLLER_UID_LABEL, uid)
    labels.setdefault(JOB_NAME_LABEL, name)
    labels.setdefault(LEGACY_CONTROLLER_UID_LABEL, uid)
    labels.setdefault(LEGACY_JOB_NAME_LABEL, name)
    spec.setdefault("selector", {"matchLabels": {CONTROLLER_UID_LABEL: uid}})


def cron_job(obj: JsonObject) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    spec.setdefault("jobTemplate", {}).setdefault("spec", {})


def daemon_set(obj: JsonObject) -> None:
    spec = obj.setdefault("spec", {})
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
