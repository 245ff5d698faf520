"""Validation of a pod's volumes and volumeMounts as kube-apiserver words it (volumes.go).

What the kubelet relies on when it lays volumes out as files: volume names (a DNS label, unique),
the configMap/secret reference, ``defaultMode``/``mode`` (0 to 0777), ``items`` and
downwardAPI paths (relative, no ``..``), projected sources with one projection each; and each
mount's ``mountPath`` (required, unique in the container) and ``subPath`` (relative, no ``..``).
Which volume type a volume names (exactly one) is checked with the storage kinds. Pure.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects.causes import (
    invalid_value,
    required,
    unique_label_name,
)
from localnlb.cluster.apiserver.objects.status import Cause

JsonObject = dict[str, Any]
FILE_MODE_MESSAGE = "must be a number between 0 and 0777 (octal), both inclusive"
_PROJECTIONS = ("secret", "downwardAPI", "configMap", "serviceAccountToken", "clusterTrustBundle")


def pod_volumes(spec: JsonObject, path: str) -> list[Cause]:
    causes: list[Cause] = []
    seen: set[str] = set()
    for index, volume in enumerate(spec.get("volumes") or ()):
        if not isinstance(volume, dict):
            continue
        where = f"{path}.volumes[{index}]"
        causes += unique_label_name(volume.get("name"), where, seen)
        causes += _source(volume, where)
    for kind in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(kind) or ()):
            if isinstance(container, dict):
                causes += _mounts(container, f"{path}.{kind}[{index}]")
    return causes


def _source(volume: JsonObject, where: str) -> list[Cause]:
    causes: list[Cause] = []
    for kind, name_field in (("configMap", "name"), ("secret", "secretName")):
        source = volume.get(kind)
        if isinstance(source, dict):
            if not source.get(name_field):
                causes.append(required(f"{where}.{kind}.{name_field}"))
            causes += _mode(source, "defaultMode", f"{where}.{kind}")
            causes += _items(source, f"{where}.{kind}")
    downward = volume.get("downwardAPI")
    if isinstance(downward, dict):
        causes += _mode(downward, "defaultMode", f"{where}.downwardAPI")
        causes += _items(downward, f"{where}.downwardAPI", keyed=False)
    projected = volume.get("projected")
    if isinstance(projected, dict):
        causes += _mode(projected, "defaultMode", f"{where}.projected")
        for index, projection in enumerate(projected.get("sources") or ()):
            at = f"{where}.projected.sources[{index}]"
            if not isinstance(projection, dict):
                continue
            for kind in ("configMap", "secret", "downwardAPI"):
                if isinstance(projection.get(kind), dict):
                    causes += _items(projection[kind], f"{at}.{kind}", keyed=kind != "downwardAPI")
            token = projection.get("serviceAccountToken")
            if isinstance(token, dict):
                causes += _token(token, f"{at}.serviceAccountToken", f"{where}.projected")
            if sum(1 for p in _PROJECTIONS if projection.get(p) is not None) > 1:
                causes.append(
                    Cause(
                        at,
                        "Forbidden: may not specify more than 1 volume type",
                        "FieldValueForbidden",
                    )
                )
    return causes


def _token(token: JsonObject, where: str, projected: str) -> list[Cause]:
    causes: list[Cause] = []
    seconds = token.get("expirationSeconds")
    if isinstance(seconds, int) and seconds < 600:
        causes.append(
            invalid_value(
                f"{where}.expirationSeconds",
                seconds,
                "may not specify a duration less than 10 minutes",
            )
        )
    # kube-apiserver names the projected volume's path here, not the token's
    causes += _relative_path(token.get("path"), f"{projected}.path")
    return causes


def _items(source: JsonObject, where: str, *, keyed: bool = True) -> list[Cause]:
    causes: list[Cause] = []
    for index, item in enumerate(source.get("items") or ()):
        if not isinstance(item, dict):
            continue
        at = f"{where}.items[{index}]"
        if keyed and not item.get("key"):
            causes.append(required(f"{at}.key"))
        causes += _relative_path(item.get("path"), f"{at}.path")
        causes += _mode(item, "mode", at)
    return causes


def _mode(source: JsonObject, field: str, where: str) -> list[Cause]:
    mode = source.get(field)
    if mode is None:
        return []
    if isinstance(mode, bool) or not isinstance(mode, int) or not 0 <= mode <= 0o777:
        return [invalid_value(f"{where}.{field}", mode, FILE_MODE_MESSAGE)]
    return []


def _relative_path(value: Any, where: str) -> list[Cause]:
    """validateLocalNonReservedPath: a path inside the volume, not one of its ``..`` entries."""
    if not value:
        return [required(where)]
    causes = _descending(str(value), where)
    if str(value).startswith("..") and not str(value).startswith("../"):
        causes.append(invalid_value(where, value, "must not start with '..'"))
    return causes


def _descending(value: str, where: str) -> list[Cause]:
    causes = []
    if value.startswith("/"):
        causes.append(invalid_value(where, value, "must be a relative path"))
    if ".." in value.replace("\\", "/").split("/"):
        causes.append(invalid_value(where, value, "must not contain '..'"))
    return causes


def _mounts(container: JsonObject, where: str) -> list[Cause]:
    causes: list[Cause] = []
    paths: set[str] = set()
    for index, mount in enumerate(container.get("volumeMounts") or ()):
        if not isinstance(mount, dict):
            continue
        at = f"{where}.volumeMounts[{index}]"
        mount_path = mount.get("mountPath")
        if not mount_path:
            causes.append(required(f"{at}.mountPath"))
        elif mount_path in paths:
            causes.append(invalid_value(f"{at}.mountPath", mount_path, "must be unique"))
        else:
            paths.add(mount_path)
        if mount.get("subPath"):
            causes += _descending(str(mount["subPath"]), f"{at}.subPath")
    return causes
