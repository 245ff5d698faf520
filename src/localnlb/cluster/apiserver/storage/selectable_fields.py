"""The fields each kind may be selected by (pkg/registry/*/strategy.go ``GetAttrs``/
``SelectableFields``), as string getters over plain objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localnlb.cluster.apiserver.storage.selectors import FieldGetter


def _path(*keys: str, default: str = "") -> FieldGetter:
    def get(obj: Mapping[str, Any]) -> str:
        value: Any = obj
        for key in keys:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return get


COMMON: dict[str, FieldGetter] = {
    "metadata.name": _path("metadata", "name"),
    "metadata.namespace": _path("metadata", "namespace"),
}
_EXTRA: dict[str, dict[str, FieldGetter]] = {
    "/pods": {
        "spec.nodeName": _path("spec", "nodeName"),
        "spec.restartPolicy": _path("spec", "restartPolicy"),
        "spec.schedulerName": _path("spec", "schedulerName"),
        "spec.serviceAccountName": _path("spec", "serviceAccountName"),
        "spec.hostNetwork": _path("spec", "hostNetwork", default="false"),
        "status.phase": _path("status", "phase"),
        "status.podIP": _path("status", "podIP"),
        "status.nominatedNodeName": _path("status", "nominatedNodeName"),
    },
    "/events": {
        "involvedObject.kind": _path("involvedObject", "kind"),
        "involvedObject.namespace": _path("involvedObject", "namespace"),
        "involvedObject.name": _path("involvedObject", "name"),
        "involvedObject.uid": _path("involvedObject", "uid"),
        "involvedObject.apiVersion": _path("involvedObject", "apiVersion"),
        "involvedObject.resourceVersion": _path("involvedObject", "resourceVersion"),
        "involvedObject.fieldPath": _path("involvedObject", "fieldPath"),
        "reason": _path("reason"),
        "reportingComponent": _path("reportingComponent"),
        "source": _path("source", "component"),
        "type": _path("type"),
    },
    # Evaluated on the stored (core) shape: regarding is stored as involvedObject.
    "events.k8s.io/events": {
        "regarding.kind": _path("involvedObject", "kind"),
        "regarding.namespace": _path("involvedObject", "namespace"),
        "regarding.name": _path("involvedObject", "name"),
        "regarding.uid": _path("involvedObject", "uid"),
        "reason": _path("reason"),
        "type": _path("type"),
    },
    "/secrets": {"type": _path("type")},
    "/namespaces": {"status.phase": _path("status", "phase")},
    "/nodes": {"spec.unschedulable": _path("spec", "unschedulable", default="false")},
    "apps/replicasets": {"status.replicas": _path("status", "replicas", default="0")},
}


def supported_fields(api_resource: str) -> dict[str, FieldGetter]:
    """Selectable fields of ``<group>/<plural>``."""
    return {**COMMON, **_EXTRA.get(api_resource, {})}
