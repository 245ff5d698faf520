"""Built-in validation on create and update, with the real server's field paths and words.

Each validator returns a list of :class:`Cause`; the registry turns a non-empty list into a
422 Invalid. Only what this system's clients can trip over is checked, but each check says
exactly what kube-apiserver says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localnlb.cluster.apiserver.admission import (
    batch_validation,
    statefulset_validation,
    storage_validation,
    webhook_config_validation,
)
from localnlb.cluster.apiserver.admission.workload_validation import pod, template_workload
from localnlb.cluster.apiserver.objects import names
from localnlb.cluster.apiserver.objects.causes import (
    invalid_value,
    name_causes,
    port_number,
    required,
    unsupported,
)
from localnlb.cluster.apiserver.objects.status import Cause

JsonObject = dict[str, Any]
_SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
_PROTOCOLS = ("TCP", "UDP", "SCTP")


def _service(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    kind = spec.get("type", "ClusterIP")
    if kind not in _SERVICE_TYPES:
        return [unsupported("spec.type", kind, _SERVICE_TYPES)]
    ports = spec.get("ports") or []
    if kind != "ExternalName" and not ports:
        causes.append(required("spec.ports"))
    seen: set[tuple[int, str]] = set()
    for index, port in enumerate(ports):
        where = f"spec.ports[{index}]"
        if len(ports) > 1 and not port.get("name"):
            causes.append(required(f"{where}.name"))
        causes += port_number(f"{where}.port", port.get("port"))
        protocol = port.get("protocol", "TCP")
        if protocol not in _PROTOCOLS:
            causes.append(unsupported(f"{where}.protocol", protocol, _PROTOCOLS))
        key = (port.get("port", 0), protocol)
        if key in seen:
            causes.append(
                Cause(
                    where,
                    f'Duplicate value: {{"port":{key[0]},"protocol":"{protocol}"}}',
                    "FieldValueDuplicate",
                )
            )
        seen.add(key)
        node_port = port.get("nodePort")
        if node_port is not None and kind == "ClusterIP":
            causes.append(
                Cause(
                    f"{where}.nodePort",
                    "Forbidden: may not be used when `type` is 'ClusterIP'",
                    "FieldValueForbidden",
                )
            )
    if old is not None:
        before = (old.get("spec") or {}).get("clusterIP")
        if before and spec.get("clusterIP") not in (before, None, ""):
            causes.append(
                invalid_value(
                    "spec.clusterIPs[0]", spec.get("clusterIP"), "may not change once set"
                )
            )
    return causes


def _configmap(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    causes = []
    for section in ("data", "binaryData"):
        for key in obj.get(section) or {}:
            if not names.is_config_key(key):
                causes.append(
                    invalid_value(
                        section,
                        key,
                        "a valid config key must consist of"
                        " alphanumeric characters, '-', '_' or '.' (e.g."
                        " 'key.name',  or 'KEY_NAME',  or 'key-name', regex"
                        " used for validation is '[-._a-zA-Z0-9]+')",
                    )
                )
    return causes


VALIDATORS: dict[str, Callable[[JsonObject, JsonObject | None], list[Cause]]] = {
    "/pods": pod,
    "/services": _service,
    "/configmaps": _configmap,
    "/secrets": _configmap,
    "apps/deployments": template_workload,
    "apps/replicasets": template_workload,
    "apps/daemonsets": batch_validation.daemon_set,
    "batch/jobs": batch_validation.job,
    "batch/cronjobs": batch_validation.cron_job,
    "apps/statefulsets": statefulset_validation.stateful_set,
    "/persistentvolumeclaims": storage_validation.claim,
    "/persistentvolumes": storage_validation.volume,
    "storage.k8s.io/storageclasses": storage_validation.storage_class,
    "admissionregistration.k8s.io/mutatingwebhookconfigurations": (
        webhook_config_validation.configuration
    ),
    "admissionregistration.k8s.io/validatingwebhookconfigurations": (
        webhook_config_validation.configuration
    ),
}

# Which name rule each resource's metadata.name follows.
NAME_RULES: dict[str, str] = {"/namespaces": "label", "/services": "dns1035"}


def _metadata(metadata: JsonObject) -> list[Cause]:
    causes: list[Cause] = []
    labels = metadata.get("labels") or {}
    if not isinstance(labels, dict):
        return [invalid_value("metadata.labels", labels, "must be a map of strings")]
    for key, value in labels.items():
        if not names.is_qualified_name(str(key)):
            causes.append(invalid_value("metadata.labels", key, names.QUALIFIED_NAME_MESSAGE))
        if not isinstance(value, str) or not names.is_label_value(value):
            causes.append(invalid_value("metadata.labels", value, names.LABEL_VALUE_MESSAGE))
    annotations = metadata.get("annotations") or {}
    if not isinstance(annotations, dict):
        return [*causes, invalid_value("metadata.annotations", annotations, "must be a map")]
    for key in annotations:
        if not names.is_qualified_name(str(key)):
            causes.append(invalid_value("metadata.annotations", key, names.QUALIFIED_NAME_MESSAGE))
    size = sum(len(str(k)) + len(str(v)) for k, v in annotations.items())
    if size > 256 * 1024:
        causes.append(
            Cause(
                "metadata.annotations",
                "Too long: must have at most 262144 bytes",
                "FieldValueTooLong",
            )
        )
    return causes


def validate(store_key: str, obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    causes: list[Cause] = _metadata(obj.get("metadata") or {})
    if old is None:
        name = str((obj.get("metadata") or {}).get("name", ""))
        causes += name_causes(name, rule=NAME_RULES.get(store_key, "subdomain"))
    validator = VALIDATORS.get(store_key)
    if validator is not None:
        causes += validator(obj, old)
    return causes
