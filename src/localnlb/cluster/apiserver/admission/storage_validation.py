"""Validation of StatefulSets, PersistentVolumeClaims, PersistentVolumes, StorageClasses and of
pod volume sources, in kube-apiserver's words (pkg/apis/{apps,core,storage}/validation)."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects.causes import invalid_value, required, unsupported
from localnlb.cluster.apiserver.objects.status import Cause
from localnlb.cluster.quantity import parse_quantity

JsonObject = dict[str, Any]
ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
# The pod volume sources the API knows (core/v1 VolumeSource): exactly one per volume.
VOLUME_SOURCES = (
    "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "configMap", "csi",
    "downwardAPI", "emptyDir", "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk",
    "gitRepo", "glusterfs", "hostPath", "image", "iscsi", "nfs", "persistentVolumeClaim",
    "photonPersistentDisk", "portworxVolume", "projected", "quobyte", "rbd", "scaleIO", "secret",
    "storageos", "vsphereVolume",
)  # fmt: skip
_POD_ONLY = (
    "configMap", "secret", "downwardAPI", "emptyDir", "ephemeral", "gitRepo", "image",
    "persistentVolumeClaim", "projected",
)  # fmt: skip
_PV_SOURCES = (*(s for s in VOLUME_SOURCES if s not in _POD_ONLY), "local")
_PVC_IMMUTABLE = (
    "Forbidden: spec is immutable after creation except resources.requests and"
    " volumeAttributesClassName for bound claims"
)


def forbidden(path: str, why: str) -> Cause:
    return Cause(path, f"Forbidden: {why}", "FieldValueForbidden")


def volume_sources(volumes: Any, path: str) -> list[Cause]:
    """Each pod volume names exactly one source the API knows."""
    causes: list[Cause] = []
    for index, volume in enumerate(volumes or ()):
        if not isinstance(volume, dict):
            continue
        where = f"{path}[{index}]"
        given = [s for s in VOLUME_SOURCES if volume.get(s) is not None]
        if not given:
            causes.append(
                Cause(where, "Required value: must specify a volume type", "FieldValueRequired")
            )
        for extra in given[1:]:
            causes.append(forbidden(f"{where}.{extra}", "may not specify more than 1 volume type"))
        claim = volume.get("persistentVolumeClaim")
        if isinstance(claim, dict) and not claim.get("claimName"):
            causes.append(required(f"{where}.persistentVolumeClaim.claimName"))
    return causes


def claim_spec(spec: JsonObject, path: str) -> list[Cause]:
    causes: list[Cause] = []
    modes = spec.get("accessModes") or []
    if not modes:
        causes.append(
            Cause(
                f"{path}.accessModes",
                "Required value: at least 1 access mode is required",
                "FieldValueRequired",
            )
        )
    for mode in modes:
        if mode not in ACCESS_MODES:
            causes.append(unsupported(f"{path}.accessModes", mode, ACCESS_MODES))
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    where = f"{path}.resources[storage]"
    if storage is None:
        causes.append(required(where))
    else:
        try:
            positive = parse_quantity(storage) > 0
        except ValueError:
            positive = False
        if not positive:
            causes.append(invalid_value(where, storage, "must be greater than zero"))
    return causes


def claim(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = claim_spec(spec, "spec")
    if old is not None:
        before = dict(old.get("spec") or {})
        after = dict(spec)
        for settable_once in ("volumeName", "storageClassName"):
            if not before.get(settable_once):
                before.pop(settable_once, None)
                after.pop(settable_once, None)
        for each in (before, after):
            each["resources"] = {
                k: v for k, v in (each.get("resources") or {}).items() if k != "requests"
            }
            each.pop("volumeAttributesClassName", None)
        if before != after:
            causes.append(Cause("spec", _PVC_IMMUTABLE, "FieldValueForbidden"))
    return causes


def volume(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    if not spec.get("accessModes"):
        causes.append(required("spec.accessModes"))
    if not (spec.get("capacity") or {}).get("storage"):
        causes.append(required("spec.capacity"))
    if not any(spec.get(s) is not None for s in _PV_SOURCES):
        causes.append(
            Cause("spec", "Required value: must specify a volume type", "FieldValueRequired")
        )
    return causes


def storage_class(obj: JsonObject, old: JsonObject | None) -> list[Cause]:
    causes: list[Cause] = []
    if not obj.get("provisioner"):
        causes.append(required("provisioner"))
    binding = obj.get("volumeBindingMode", "Immediate")
    if binding not in ("Immediate", "WaitForFirstConsumer"):
        causes.append(
            unsupported("volumeBindingMode", binding, ("Immediate", "WaitForFirstConsumer"))
        )
    if old is not None:
        for field in ("provisioner", "parameters", "reclaimPolicy"):
            if obj.get(field) != old.get(field):
                causes.append(forbidden(field, f"updates to {field} are forbidden."))
        if obj.get("volumeBindingMode") != old.get("volumeBindingMode"):
            causes.append(invalid_value("volumeBindingMode", binding, "field is immutable"))
    return causes
