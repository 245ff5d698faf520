"""Defaulting for StatefulSets, PersistentVolumeClaims, PersistentVolumes and StorageClasses, as
the API server's apps/v1, core/v1 and storage/v1 defaults fill them in (a StatefulSet's pod
template is :mod:`.defaults`' own)."""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]


def claim(obj: JsonObject) -> None:
    obj.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
    status = obj.get("status")
    if not isinstance(status, dict):
        status = obj["status"] = {}
    status.setdefault("phase", "Pending")


def volume(obj: JsonObject) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    status = obj.get("status")
    if not isinstance(status, dict):
        status = obj["status"] = {}
    status.setdefault("phase", "Pending")


def storage_class(obj: JsonObject) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


def stateful_set(obj: JsonObject) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {}).setdefault("partition", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    retention = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    for claim_template in spec.get("volumeClaimTemplates") or ():
        if isinstance(claim_template, dict):
            claim_template.setdefault("apiVersion", "v1")
            claim_template.setdefault("kind", "PersistentVolumeClaim")
            claim(claim_template)
