"""StatefulSet validation and defaulting as kube-apiserver does it (pkg/apis/apps/validation,
apps/v1 defaults): the selector must select the template, the claim templates are claims, and
an update may change only replicas, ordinals, template, updateStrategy, the claim retention
policy and minReadySeconds."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.admission.storage_validation import claim_spec
from localnlb.cluster.apiserver.admission.workload_validation import pod_template_spec
from localnlb.cluster.apiserver.objects.causes import invalid_value, required
from localnlb.cluster.apiserver.objects.status import Cause

JsonObject = dict[str, Any]
MUTABLE_ON_UPDATE = (
    "replicas", "ordinals", "template", "updateStrategy",
    "persistentVolumeClaimRetentionPolicy", "minReadySeconds",
)  # fmt: skip
FORBIDDEN_UPDATE = (
    "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals',"
    " 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and"
    " 'minReadySeconds' are forbidden"
)
_POLICIES = ("OrderedReady", "Parallel")
_STRATEGIES = ("RollingUpdate", "OnDelete")


def _selects(selector: JsonObject, labels: JsonObject) -> bool:
    match_labels = selector.get("matchLabels") or {}
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    for expression in selector.get("matchExpressions") or ():
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        present = key in labels
        if (
            (operator == "In" and not (present and labels[key] in values))
            or (operator == "NotIn" and present and labels[key] in values)
            or (operator == "Exists" and not present)
            or (operator == "DoesNotExist" and present)
        ):
            return False
    return True


def _nonnegative(path: str, value: Any) -> list[Cause]:
    if value is not None and (not isinstance(value, int) or value < 0):
        return [invalid_value(path, value, "must be greater than or equal to 0")]
    return []


def stateful_set(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    selector = spec.get("selector")
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    if not selector:
        causes.append(required("spec.selector"))
    elif not (selector.get("matchLabels") or selector.get("matchExpressions")):
        causes.append(
            invalid_value("spec.selector", "", "empty selector is invalid for statefulset")
        )
    elif not _selects(selector, labels):
        causes.append(
            invalid_value(
                "spec.template.metadata.labels",
                labels,
                "`selector` does not match template `labels`",
            )
        )
    causes += _nonnegative("spec.replicas", spec.get("replicas"))
    causes += _nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    policy = spec.get("podManagementPolicy", "OrderedReady")
    if policy not in _POLICIES:
        causes.append(
            invalid_value(
                "spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"
            )
        )
    strategy = spec.get("updateStrategy") or {}
    kind = strategy.get("type", "RollingUpdate")
    if kind not in _STRATEGIES:
        causes.append(
            invalid_value("spec.updateStrategy", strategy, "must be 'RollingUpdate' or 'OnDelete'")
        )
    elif kind == "OnDelete" and strategy.get("rollingUpdate") is not None:
        causes.append(
            invalid_value(
                "spec.updateStrategy.rollingUpdate",
                strategy["rollingUpdate"],
                "only allowed for updateStrategy 'RollingUpdate'",
            )
        )
    causes += _nonnegative(
        "spec.updateStrategy.rollingUpdate.partition",
        (strategy.get("rollingUpdate") or {}).get("partition"),
    )
    # volumeMounts may name a claim template: each is a volume of the pods
    pod_spec = dict(template.get("spec") or {})
    pod_spec["volumes"] = [
        *(pod_spec.get("volumes") or []),
        *(
            {"name": name, "persistentVolumeClaim": {"claimName": name}}
            for t in spec.get("volumeClaimTemplates") or ()
            if isinstance(t, dict) and (name := (t.get("metadata") or {}).get("name"))
        ),
    ]
    causes += pod_template_spec(pod_spec, "spec.template.spec", template=True)
    for index, claim in enumerate(spec.get("volumeClaimTemplates") or ()):
        if isinstance(claim, dict):
            causes += claim_spec(
                claim.get("spec") or {}, f"spec.volumeClaimTemplates[{index}].spec"
            )
    if old is not None:
        before = {k: v for k, v in (old.get("spec") or {}).items() if k not in MUTABLE_ON_UPDATE}
        after = {k: v for k, v in spec.items() if k not in MUTABLE_ON_UPDATE}
        if before != after:
            causes.append(Cause("spec", FORBIDDEN_UPDATE, "FieldValueForbidden"))
    return causes
