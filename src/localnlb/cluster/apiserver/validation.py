"""Built-in validation on create and update, with the real server's field paths and words.

Each validator returns a list of :class:`Cause`; the registry turns a non-empty list into a
422 Invalid. Only what this system's clients can trip over is checked, but each check says
exactly what kube-apiserver says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localnlb.cluster.apiserver import names
from localnlb.cluster.apiserver.status import Cause

JsonObject = dict[str, Any]
_SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
_PROTOCOLS = ("TCP", "UDP", "SCTP")


def required(path: str) -> Cause:
    return Cause(path, "Required value", "FieldValueRequired")


def invalid_value(path: str, value: Any, why: str) -> Cause:
    rendered = f'"{value}"' if isinstance(value, str) else str(value)
    return Cause(path, f"Invalid value: {rendered}: {why}", "FieldValueInvalid")


def unsupported(path: str, value: Any, allowed: tuple[str, ...]) -> Cause:
    options = ", ".join(f'"{option}"' for option in allowed)
    return Cause(
        path, f'Unsupported value: "{value}": supported values: {options}', "FieldValueNotSupported"
    )


def name_causes(name: str, *, rule: str = "subdomain") -> list[Cause]:
    check = {
        "subdomain": names.subdomain_errors,
        "label": names.label_errors,
        "dns1035": names.dns1035_errors,
    }[rule]
    return [invalid_value("metadata.name", name, error) for error in check(name)]


def _port_number(path: str, value: Any) -> list[Cause]:
    if not isinstance(value, int) or not 1 <= value <= 65535:
        return [invalid_value(path, value, "must be between 1 and 65535, inclusive")]
    return []


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
        name = container.get("name")
        if not name:
            causes.append(required(f"{where}.name"))
        else:
            causes += [invalid_value(f"{where}.name", name, e) for e in names.label_errors(name)]
            if name in seen:
                causes.append(
                    Cause(f"{where}.name", f'Duplicate value: "{name}"', "FieldValueDuplicate")
                )
            seen.add(name)
        if not container.get("image"):
            causes.append(required(f"{where}.image"))
        for port_index, port in enumerate(container.get("ports") or []):
            causes += _port_number(
                f"{where}.ports[{port_index}].containerPort", port.get("containerPort")
            )
    return causes


def _pod(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    causes = _containers(obj.get("spec") or {}, "spec")
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


def _template_workload(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
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
    causes += _containers(template.get("spec") or {}, "spec.template.spec")
    if old is not None and selector != (old.get("spec") or {}).get("selector"):
        causes.append(invalid_value("spec.selector", selector, "field is immutable"))
    return causes


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
        causes += _port_number(f"{where}.port", port.get("port"))
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
    "/pods": _pod,
    "/services": _service,
    "/configmaps": _configmap,
    "/secrets": _configmap,
    "apps/deployments": _template_workload,
    "apps/replicasets": _template_workload,
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
