"""Validation of Jobs, CronJobs and DaemonSets, worded as kube-apiserver words it
(pkg/apis/batch/validation and apps/validation): the pod template (restart policy), selectors
that must select the template, a Job's generated selector, immutable fields on update, and a
CronJob's schedule and time zone (the parser's own error text, as upstream reports robfig/cron's).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from localnlb.cluster.apiserver.admission import batch_defaults
from localnlb.cluster.apiserver.admission.workload_validation import pod_template_spec
from localnlb.cluster.apiserver.objects.causes import invalid_value, required, unsupported
from localnlb.cluster.apiserver.objects.status import Cause
from localnlb.cluster.controllers.objects import expression_matches
from localnlb.cluster.schema import cron

JsonObject = dict[str, Any]
_CONCURRENCY = ("Allow", "Forbid", "Replace")
_COMPLETION_MODES = ("NonIndexed", "Indexed")
_DAEMON_STRATEGIES = ("RollingUpdate", "OnDelete")


def go_map(labels: Any) -> str:
    """A label map as Go's %#v prints it (what upstream puts after "Invalid value:")."""
    pairs = ", ".join(f'"{k}":"{v}"' for k, v in sorted((labels or {}).items()))
    return f"map[string]string{{{pairs}}}"


def go_selector(selector: Any) -> str:
    selector = selector or {}
    expressions = selector.get("matchExpressions")
    rendered = "[]v1.LabelSelectorRequirement(nil)" if not expressions else str(expressions)
    return (
        f"v1.LabelSelector{{MatchLabels:{go_map(selector.get('matchLabels'))},"
        f" MatchExpressions:{rendered}}}"
    )


def _invalid(path: str, rendered: str, why: str) -> Cause:
    return Cause(path, f"Invalid value: {rendered}: {why}", "FieldValueInvalid")


def selector_matches(selector: JsonObject, labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    return all(expression_matches(e, labels) for e in selector.get("matchExpressions") or ())


def _selector_and_template(spec: JsonObject, path: str) -> list[Cause]:
    selector = spec.get("selector")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not selector:
        return [required(f"{path}.selector")]
    if not selector_matches(selector, labels):
        return [
            _invalid(
                f"{path}.template.metadata.labels",
                go_map(labels),
                "`selector` does not match template `labels`",
            )
        ]
    return []


def _nonnegative(spec: JsonObject, path: str, *fields: str) -> list[Cause]:
    causes = []
    for name in fields:
        value = spec.get(name)
        if value is not None and (not isinstance(value, int) or value < 0):
            causes.append(
                invalid_value(f"{path}.{name}", value, "must be greater than or equal to 0")
            )
    return causes


def _job_spec(spec: JsonObject, path: str) -> list[Cause]:
    causes = _nonnegative(
        spec, path, "parallelism", "completions", "activeDeadlineSeconds", "backoffLimit"
    )
    causes += _nonnegative(spec, path, "ttlSecondsAfterFinished")
    mode = spec.get("completionMode")
    if mode is not None and mode not in _COMPLETION_MODES:
        causes.append(unsupported(f"{path}.completionMode", mode, _COMPLETION_MODES))
    template = spec.get("template") or {}
    causes += pod_template_spec(template.get("spec") or {}, f"{path}.template.spec")
    restart = (template.get("spec") or {}).get("restartPolicy") or "Always"
    where = f"{path}.template.spec.restartPolicy"
    if restart == "Always":
        causes.append(
            Cause(where, 'Required value: valid values: "OnFailure", "Never"', "FieldValueRequired")
        )
    return causes


def job(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = _job_spec(spec, "spec") + _selector_and_template(spec, "spec")
    metadata = obj.get("metadata") or {}
    selector = spec.get("selector")
    if selector and not spec.get("manualSelector"):
        generated = {
            batch_defaults.LEGACY_CONTROLLER_UID_LABEL: metadata.get("uid", ""),
            batch_defaults.LEGACY_JOB_NAME_LABEL: metadata.get("name", ""),
            batch_defaults.CONTROLLER_UID_LABEL: metadata.get("uid", ""),
            batch_defaults.JOB_NAME_LABEL: metadata.get("name", ""),
        }
        if not selector_matches(selector, generated):
            causes.append(
                _invalid("spec.selector", go_selector(selector), "`selector` not auto-generated")
            )
    if old is not None:
        before = old.get("spec") or {}
        for name in ("completions", "selector", "template", "completionMode"):
            if spec.get(name) != before.get(name):
                # Go prints the whole PodTemplateSpec struct here; its type name stands in.
                rendered = {
                    "selector": go_selector(spec.get(name)),
                    "template": "core.PodTemplateSpec{...}",
                }.get(name, str(spec.get(name)))
                causes.append(_invalid(f"spec.{name}", rendered, "field is immutable"))
    return causes


def _schedule(spec: JsonObject) -> list[Cause]:
    schedule = spec.get("schedule")
    if not schedule:
        return [required("spec.schedule")]
    causes = []
    if "TZ" in schedule and spec.get("timeZone") is not None:
        causes.append(
            invalid_value(
                "spec.schedule",
                schedule,
                "cannot use both timeZone field and TZ or CRON_TZ in schedule",
            )
        )
    else:
        try:
            cron.parse(schedule)
        except cron.ScheduleError as error:
            causes.append(invalid_value("spec.schedule", schedule, str(error)))
    zone = spec.get("timeZone")
    if zone is not None:
        if zone == "":
            causes.append(
                invalid_value("spec.timeZone", "", "timeZone must be nil or non-empty string")
            )
        elif zone.lower() == "local":
            causes.append(
                invalid_value(
                    "spec.timeZone",
                    zone,
                    "timeZone must be an explicit time zone as defined in"
                    " https://www.iana.org/time-zones",
                )
            )
        elif zone_of(zone) is None:
            causes.append(invalid_value("spec.timeZone", zone, f"unknown time zone {zone}"))
    return causes


def zone_of(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def cron_job(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = _schedule(spec)
    name = str((obj.get("metadata") or {}).get("name", ""))
    if old is None and len(name) > 52:
        causes.append(invalid_value("metadata.name", name, "must be no more than 52 characters"))
    causes += _nonnegative(
        spec, "spec", "startingDeadlineSeconds", "successfulJobsHistoryLimit"
    ) + _nonnegative(spec, "spec", "failedJobsHistoryLimit")
    policy = spec.get("concurrencyPolicy", "Allow")
    if policy not in _CONCURRENCY:
        causes.append(unsupported("spec.concurrencyPolicy", policy, _CONCURRENCY))
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    causes += _job_spec(job_spec, "spec.jobTemplate.spec")
    if job_spec.get("selector"):
        causes += _selector_and_template(job_spec, "spec.jobTemplate.spec")
    return causes


def daemon_set(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = _selector_and_template(spec, "spec")
    template = spec.get("template") or {}
    causes += pod_template_spec(template.get("spec") or {}, "spec.template.spec", template=True)
    strategy = (spec.get("updateStrategy") or {}).get("type", "RollingUpdate")
    if strategy not in _DAEMON_STRATEGIES:
        causes.append(unsupported("spec.updateStrategy.type", strategy, _DAEMON_STRATEGIES))
    if old is not None and spec.get("selector") != (old.get("spec") or {}).get("selector"):
        causes.append(
            _invalid("spec.selector", go_selector(spec.get("selector")), "field is immutable")
        )
    return causes
