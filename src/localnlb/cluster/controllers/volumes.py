"""The persistent-volume controller and the local-path provisioner's decisions, pure.

A claim without ``storageClassName`` gets the default class (the one annotated
``storageclass.kubernetes.io/is-default-class: "true"``; the newest if several), as the
controller's retroactive default assignment does. A claim of a ``rancher.io/local-path`` class is
provisioned when its class binds at once (``Immediate``) or, under ``WaitForFirstConsumer``, once
the scheduler has annotated it with the node its first pod goes to: a new PersistentVolume
``pvc-<claim uid>`` whose hostPath is ``<volumes root>/<pv name>``, pinned to that node, and the
claim is bound to it (``spec.volumeName``, the bind annotations, status Bound with its capacity).
A volume whose claim is gone is Released, or deleted (with its directory) under the reclaim
policy ``Delete``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.objects import KubeObject

LOCAL_PATH_PROVISIONER = "rancher.io/local-path"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node"
HOSTNAME_LABEL = "kubernetes.io/hostname"


@dataclass(frozen=True, slots=True)
class ClaimPlan:
    claim: KubeObject | None = None  # the claim rewritten (class assigned, or bound), to update
    create_volume: KubeObject | None = None
    claim_status: KubeObject | None = None
    waiting_for_consumer: bool = False


@dataclass(frozen=True, slots=True)
class VolumePlan:
    status: KubeObject
    delete: bool = False  # reclaim policy Delete and the claim is gone: the volume and its data


def default_class(classes: Sequence[Mapping[str, Any]]) -> str | None:
    marked = [
        c
        for c in classes
        if objects.meta(c).get("annotations", {}).get(DEFAULT_CLASS_ANNOTATION) == "true"
    ]
    if not marked:
        return None
    newest = max(
        marked, key=lambda c: (objects.meta(c).get("creationTimestamp", ""), objects.name_of(c))
    )
    return objects.name_of(newest)


def volume_name(claim: Mapping[str, Any]) -> str:
    return f"pvc-{objects.uid_of(claim)}"


def _bound_status(claim: Mapping[str, Any], volume: Mapping[str, Any]) -> KubeObject:
    return {
        "phase": "Bound",
        "accessModes": list(objects.spec(volume).get("accessModes") or []),
        "capacity": dict(objects.spec(volume).get("capacity") or {}),
    }


def plan_claim(
    claim: Mapping[str, Any],
    classes: Sequence[Mapping[str, Any]],
    volumes: Sequence[Mapping[str, Any]],
    *,
    volumes_root: str,
) -> ClaimPlan:
    spec = objects.spec(claim)
    if objects.is_terminating(claim):
        return ClaimPlan()
    bound_to = spec.get("volumeName")
    if bound_to:
        for volume in volumes:
            if objects.name_of(volume) == bound_to:
                return ClaimPlan(claim_status=_bound_status(claim, volume))
        return ClaimPlan(claim_status={"phase": "Lost"})
    class_name = spec.get("storageClassName")
    if class_name is None:
        default = default_class(classes)
        if default is None:
            return ClaimPlan(claim_status={"phase": "Pending"})
        rewritten = _copy(claim)
        rewritten["spec"]["storageClassName"] = default
        return ClaimPlan(claim=rewritten)
    storage_class = next((c for c in classes if objects.name_of(c) == class_name), None)
    if storage_class is None or storage_class.get("provisioner") != LOCAL_PATH_PROVISIONER:
        return ClaimPlan(claim_status={"phase": "Pending"})
    node = objects.meta(claim).get("annotations", {}).get(SELECTED_NODE_ANNOTATION)
    immediate = storage_class.get("volumeBindingMode", "Immediate") == "Immediate"
    if not node and not immediate:
        return ClaimPlan(claim_status={"phase": "Pending"}, waiting_for_consumer=True)
    volume = new_volume(claim, storage_class, node, volumes_root=volumes_root)
    bound = _copy(claim)
    bound["spec"]["volumeName"] = objects.name_of(volume)
    bound["metadata"].setdefault("annotations", {}).update(
        {
            "pv.kubernetes.io/bind-completed": "yes",
            "pv.kubernetes.io/bound-by-controller": "yes",
            "volume.kubernetes.io/storage-provisioner": LOCAL_PATH_PROVISIONER,
            "volume.beta.kubernetes.io/storage-provisioner": LOCAL_PATH_PROVISIONER,
        }
    )
    return ClaimPlan(claim=bound, create_volume=volume, claim_status=_bound_status(claim, volume))


def new_volume(
    claim: Mapping[str, Any],
    storage_class: Mapping[str, Any],
    node: str | None,
    *,
    volumes_root: str,
) -> KubeObject:
    name = volume_name(claim)
    spec = objects.spec(claim)
    volume_spec: KubeObject = {
        "capacity": {
            "storage": ((spec.get("resources") or {}).get("requests") or {}).get("storage", "0")
        },
        "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
        "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy", "Delete"),
        "storageClassName": objects.name_of(storage_class),
        "volumeMode": spec.get("volumeMode", "Filesystem"),
        "claimRef": {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "namespace": objects.namespace_of(claim),
            "name": objects.name_of(claim),
            "uid": objects.uid_of(claim),
        },
        "hostPath": {"path": posixpath.join(volumes_root, name), "type": "DirectoryOrCreate"},
    }
    if node:
        volume_spec["nodeAffinity"] = {
            "required": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": HOSTNAME_LABEL, "operator": "In", "values": [node]}
                        ]
                    }
                ]
            }
        }
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "name": name,
            "annotations": {"pv.kubernetes.io/provisioned-by": LOCAL_PATH_PROVISIONER},
        },
        "spec": volume_spec,
    }


def plan_volume(volume: Mapping[str, Any], claims: Sequence[Mapping[str, Any]]) -> VolumePlan:
    reference = objects.spec(volume).get("claimRef") or {}
    if not reference:
        return VolumePlan(status={"phase": "Available"})
    for claim in claims:
        if (
            objects.namespace_of(claim) == reference.get("namespace")
            and objects.name_of(claim) == reference.get("name")
            and objects.uid_of(claim) == reference.get("uid")
        ):
            return VolumePlan(status={"phase": "Bound"})
    released = {"phase": "Released"}
    policy = objects.spec(volume).get("persistentVolumeReclaimPolicy", "Retain")
    return VolumePlan(status=released, delete=policy == "Delete")


def volume_directory(volume: Mapping[str, Any]) -> str | None:
    """Where a volume's data lives on this machine (its hostPath), if it has one."""
    path = (objects.spec(volume).get("hostPath") or {}).get("path")
    return str(path) if path else None


def _copy(claim: Mapping[str, Any]) -> KubeObject:
    return {
        **claim,
        "metadata": {
            **objects.meta(claim),
            "annotations": dict(objects.meta(claim).get("annotations") or {}),
        },
        "spec": dict(objects.spec(claim)),
    }
