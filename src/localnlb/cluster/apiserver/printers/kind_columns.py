"""Table columns per kind, as kube-apiserver's printers define them
(pkg/printers/internalversion/printers.go) and CRD additionalPrinterColumns.
"""

from __future__ import annotations

import json
from typing import Any

from localnlb.cluster.apiserver.objects import meta
from localnlb.cluster.apiserver.printers import jsonpath
from localnlb.cluster.apiserver.printers.ages import human_duration
from localnlb.cluster.apiserver.printers.batch import CRONJOB, DAEMONSET, JOB
from localnlb.cluster.apiserver.printers.columns import AGE, NAME, Column, get
from localnlb.cluster.apiserver.printers.network import (
    ENDPOINTS,
    ENDPOINTSLICE,
    EVENT,
    NODE,
    SERVICE,
)
from localnlb.cluster.apiserver.printers.storage import (
    PERSISTENTVOLUME,
    PERSISTENTVOLUMECLAIM,
    STATEFULSET,
    STORAGECLASS,
)
from localnlb.cluster.apiserver.printers.workloads import DEPLOYMENT, POD, REPLICASET
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]

NAMESPACE = [NAME, Column("Status", lambda o, _n: get(o, "status", "phase") or ""), AGE]
CONFIGMAP = [
    NAME,
    Column(
        "Data", lambda o, _n: len(o.get("data") or {}) + len(o.get("binaryData") or {}), "integer"
    ),
    AGE,
]
SECRET = [
    NAME,
    Column("Type", lambda o, _n: o.get("type", "")),
    Column("Data", lambda o, _n: len(o.get("data") or {}), "integer"),
    AGE,
]
SERVICEACCOUNT = [
    NAME,
    Column("Secrets", lambda o, _n: len(o.get("secrets") or []), "integer"),
    AGE,
]
LEASE = [NAME, Column("Holder", lambda o, _n: get(o, "spec", "holderIdentity") or ""), AGE]
CRD = [
    NAME,
    Column("Created At", lambda o, _n: get(o, "metadata", "creationTimestamp"), format="date"),
]
WEBHOOK_CONFIGURATION = [
    NAME,
    Column("Webhooks", lambda o, _n: len(o.get("webhooks") or []), "integer"),
    AGE,
]
DEFAULT = [
    NAME,
    Column("Created At", lambda o, _n: get(o, "metadata", "creationTimestamp"), format="date"),
]

BY_STORE_KEY: dict[str, list[Column]] = {
    "/pods": POD,
    "/services": SERVICE,
    "/nodes": NODE,
    "/namespaces": NAMESPACE,
    "/configmaps": CONFIGMAP,
    "/secrets": SECRET,
    "/serviceaccounts": SERVICEACCOUNT,
    "/endpoints": ENDPOINTS,
    "/events": EVENT,
    "events.k8s.io/events": EVENT,
    "apps/deployments": DEPLOYMENT,
    "apps/replicasets": REPLICASET,
    "apps/daemonsets": DAEMONSET,
    "batch/jobs": JOB,
    "batch/cronjobs": CRONJOB,
    "apps/statefulsets": STATEFULSET,
    "/persistentvolumeclaims": PERSISTENTVOLUMECLAIM,
    "/persistentvolumes": PERSISTENTVOLUME,
    "storage.k8s.io/storageclasses": STORAGECLASS,
    "discovery.k8s.io/endpointslices": ENDPOINTSLICE,
    "coordination.k8s.io/leases": LEASE,
    "apiextensions.k8s.io/customresourcedefinitions": CRD,
    "admissionregistration.k8s.io/mutatingwebhookconfigurations": WEBHOOK_CONFIGURATION,
    "admissionregistration.k8s.io/validatingwebhookconfigurations": WEBHOOK_CONFIGURATION,
}


def _printer_column(spec: JsonObject) -> Column:
    path = str(spec.get("jsonPath", ""))
    kind = str(spec.get("type", "string"))

    def cell(obj: JsonObject, now: float) -> Any:
        values = jsonpath.evaluate(obj, path)
        if not values:
            return None
        value = values[0]
        if kind == "date" and isinstance(value, str):
            return human_duration(now - meta.parse_timestamp(value))
        if isinstance(value, dict | list):
            return json.dumps(value, separators=(",", ":"))
        return value

    return Column(
        str(spec.get("name", "")),
        cell,
        type=kind,
        format=spec.get("format", ""),
        priority=int(spec.get("priority", 0)),
        description=spec.get("description", ""),
    )


def columns_for(rt: ResourceType) -> list[Column]:
    if rt.is_custom:
        if not rt.printer_columns:
            return [NAME, AGE]
        return [NAME, *(_printer_column(spec) for spec in rt.printer_columns)]
    return BY_STORE_KEY.get(rt.store_key, DEFAULT)
