"""Validation of pods and of the pod templates in deployments and replicasets."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.admission.storage_validation import volume_sources
from localnlb.cluster.apiserver.admission.volume_validation import pod_volumes
from localnlb.cluster.apiserver.objects.causes import (
    invalid_value,
    port_number,
    required,
    unique_label_name,
    unsupported,
)
from localnlb.cluster.apiserver.objects.status import Cause

JsonObject = dict[str, Any]


def _containers(spec: JsonObject, path: str) -> list[Cause]:
    causes: list[Cause] = []
    containers = spec.get("containers")
    if not containers:
        return [required(f"{path}.containers")]
    seen: set[str] = set()
    for index, container in enumerate(containers):
        where = f"{path}.containers[{index}]"
        if not isinstance(container, dict):
            causes.append(invalid_value(where, container, "must be an object"))
            continue
        causes += unique_label_name(container.get("name"), where, seen)
        if not container.get("image"):
            causes.append(required(f"{where}.image"))
        for port_index, port in enumerate(container.get("ports") or []):
            causes += port_number(
                f"{where}.ports[{port_index}].containerPort", port.get("containerPort")
            )
    return causes


_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")


def _pod_spec(spec: JsonObject, path: str, *, template: bool = False) -> list[Cause]:
    causes = _containers(spec, path)
    restart = spec.get("restartPolicy", "Always")
    allowed = ("Always",) if template else _RESTART_POLICIES
    if restart not in allowed:
        causes.append(unsupported(f"{path}.restartPolicy", restart, allowed))
    dns = spec.get("dnsPolicy", "ClusterFirst")
    if dns not in _DNS_POLICIES:
        causes.append(unsupported(f"{path}.dnsPolicy", dns, _DNS_POLICIES))
    causes += volume_sources(spec.get("volumes"), f"{path}.volumes")
    causes += pod_volumes(spec, path)
    volumes = {v.get("name") for v in spec.get("volumes") or [] if isinstance(v, dict)}
    for index, container in enumerate(spec.get("containers") or []):
        if not isinstance(container, dict):
            continue
        where = f"{path}.containers[{index}]"
        pull = container.get("imagePullPolicy", "IfNotPresent")
        if pull not in _PULL_POLICIES:
            causes.append(unsupported(f"{where}.imagePullPolicy", pull, _PULL_POLICIES))
        for mount_index, mount in enumerate(container.get("volumeMounts") or []):
            if isinstance(mount, dict) and mount.get("name") not in volumes:
                causes.append(
                    Cause(
                        f"{where}.volumeMounts[{mount_index}].name",
                        f'Not found: "{mount.get("name")}"',
                        "FieldValueNotFound",
                    )
                )
    return causes


def pod_template_spec(spec: JsonObject, path: str, *, template: bool = False) -> list[Cause]:
    """A pod template's spec; ``template``: restartPolicy only Always (pods kept running)."""
    return _pod_spec(spec, path, template=template)


def pod(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    causes = _pod_spec(obj.get("spec") or {}, "spec")
    if old is not None:
        for field in ("containers", "nodeName", "restartPolicy"):
            before, after = (old.get("spec") or {}).get(field), (obj.get("spec") or {}).get(field)
            if field == "nodeName" and not before:
                continue
            if field == "containers" and before is not None and after is not None:
                before = [{k: v for k, v in c.items() if k != "image"} for c in before]
                after = [{k: v for k, v in c.items() if k != "image"} for c in after]
            if before != after:
                causes.append(
                    Cause(
                        "spec",
                        "Forbidden: pod updates may not change fields other"
                        " than `spec.containers[*].image`,"
                        "`spec.initContainers[*].image`,"
                        "`spec.activeDeadlineSeconds`,`spec.tolerations` (only"
                        " additions to existing tolerations),"
                        "`spec.terminationGracePeriodSeconds` (allow it to be set to"
                        " 1 if it was previously negative)",
                        "FieldValueForbidden",
                    )
                )
                break
    return causes


def template_workload(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    selector = spec.get("selector")
    template = spec.get("template") or {}
    if not selector:
        causes.append(required("spec.selector"))
    elif not (selector.get("matchLabels") or selector.get("matchExpressions")):
        causes.append(
            invalid_value("spec.selector", "", "empty selector is invalid for deployment")
        )
    labels = (template.get("metadata") or {}).get("labels") or {}
    match_labels = (selector or {}).get("matchLabels") or {}
    if selector and any(labels.get(k) != v for k, v in match_labels.items()):
        causes.append(
            invalid_value(
                "spec.template.metadata.labels",
                labels,
                "`selector` does not match template `labels`",
            )
        )
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int) or replicas < 0:
        causes.append(
            invalid_value("spec.replicas", replicas, "must be greater than or equal to 0")
        )
    causes += _pod_spec(template.get("spec") or {}, "spec.template.spec", template=True)
    causes += _strategy(spec.get("strategy"))
    if old is not None and selector != (old.get("spec") or {}).get("selector"):
        causes.append(invalid_value("spec.selector", selector, "field is immutable"))
    return causes


def _strategy(strategy: Any) -> list[Cause]:
    if not isinstance(strategy, dict):
        return []
    kind = strategy.get("type", "RollingUpdate")
    if kind not in ("Recreate", "RollingUpdate"):
        return [unsupported("spec.strategy.type", kind, ("Recreate", "RollingUpdate"))]
    if kind == "Recreate" and strategy.get("rollingUpdate") is not None:
        return [
            Cause(
                "spec.strategy.rollingUpdate",
                "Forbidden: may not be specified when strategy `type` is 'Recreate'",
                "FieldValueForbidden",
            )
        ]
    rolling = strategy.get("rollingUpdate") or {}
    if rolling.get("maxSurge") in (0, "0%") and rolling.get("maxUnavailable") in (0, "0%"):
        return [
            invalid_value(
                "spec.strategy.rollingUpdate.maxUnavailable",
                rolling.get("maxUnavailable"),
                "may not be 0 when `maxSurge` is 0",
            )
        ]
    return []
