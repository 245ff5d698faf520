"""Table columns for StatefulSets, PersistentVolumeClaims, PersistentVolumes and StorageClasses
(kubectl's printStatefulSet, printPersistentVolumeClaim, printPersistentVolume,
printStorageClass)."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.printers.columns import (
    AGE,
    NAME,
    Column,
    containers_images,
    get,
)

JsonObject = dict[str, Any]
_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"


def _modes(obj: JsonObject, *where: str) -> str:
    short = {
        "ReadWriteOnce": "RWO",
        "ReadOnlyMany": "ROX",
        "ReadWriteMany": "RWX",
        "ReadWriteOncePod": "RWOP",
    }
    return ",".join(short.get(m, m) for m in get(obj, *where, "accessModes") or [])


def _claim_ref(volume: JsonObject) -> str:
    reference = get(volume, "spec", "claimRef") or {}
    if not reference:
        return ""
    return f"{reference.get('namespace', '')}/{reference.get('name', '')}"


def _class_name(obj: JsonObject) -> str:
    name = obj["metadata"]["name"]
    default = (obj["metadata"].get("annotations") or {}).get(_DEFAULT_CLASS) == "true"
    return f"{name} (default)" if default else name


STATEFULSET = [
    NAME,
    Column(
        "Ready",
        lambda o, _n: f"{get(o, 'status', 'readyReplicas') or 0}/{get(o, 'spec', 'replicas') or 0}",
    ),
    AGE,
    Column("Containers", lambda o, _n: containers_images(o)[0], priority=1),
    Column("Images", lambda o, _n: containers_images(o)[1], priority=1),
]

PERSISTENTVOLUMECLAIM = [
    NAME,
    Column("Status", lambda o, _n: get(o, "status", "phase") or ""),
    Column("Volume", lambda o, _n: get(o, "spec", "volumeName") or ""),
    Column("Capacity", lambda o, _n: (get(o, "status", "capacity") or {}).get("storage", "")),
    Column("Access Modes", lambda o, _n: _modes(o, "status")),
    Column("StorageClass", lambda o, _n: get(o, "spec", "storageClassName") or "<unset>"),
    Column(
        "VolumeAttributesClass",
        lambda o, _n: get(o, "spec", "volumeAttributesClassName") or "<unset>",
    ),
    AGE,
    Column("VolumeMode", lambda o, _n: get(o, "spec", "volumeMode") or "", priority=1),
]

PERSISTENTVOLUME = [
    NAME,
    Column("Capacity", lambda o, _n: (get(o, "spec", "capacity") or {}).get("storage", "")),
    Column("Access Modes", lambda o, _n: _modes(o, "spec")),
    Column("Reclaim Policy", lambda o, _n: get(o, "spec", "persistentVolumeReclaimPolicy") or ""),
    Column("Status", lambda o, _n: get(o, "status", "phase") or ""),
    Column("Claim", lambda o, _n: _claim_ref(o)),
    Column("StorageClass", lambda o, _n: get(o, "spec", "storageClassName") or ""),
    Column(
        "VolumeAttributesClass",
        lambda o, _n: get(o, "spec", "volumeAttributesClassName") or "<unset>",
    ),
    Column("Reason", lambda o, _n: get(o, "status", "reason") or ""),
    AGE,
    Column("VolumeMode", lambda o, _n: get(o, "spec", "volumeMode") or "", priority=1),
]

STORAGECLASS = [
    Column("Name", lambda o, _n: _class_name(o), format="name"),
    Column("Provisioner", lambda o, _n: o.get("provisioner", "")),
    Column("ReclaimPolicy", lambda o, _n: o.get("reclaimPolicy", "Delete")),
    Column("VolumeBindingMode", lambda o, _n: o.get("volumeBindingMode", "Immediate")),
    Column(
        "AllowVolumeExpansion",
        lambda o, _n: str(bool(o.get("allowVolumeExpansion"))).lower(),
    ),
    AGE,
]
