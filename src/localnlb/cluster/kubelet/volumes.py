"""Pod volumes planned as the kubelet's volume plugins lay them out: which file gets which bytes
and mode, and which volume is mounted where in which container.

configMap, secret, downwardAPI and projected volumes become :class:`VolumeFile` lists (keys or
``items`` with ``path`` and ``mode``, else ``defaultMode``, 0644 by default); emptyDir is an
empty writable directory. A missing ConfigMap/Secret or key that is not ``optional`` is a
:class:`VolumeSetupError` with the kubelet's ``MountVolume.SetUp failed ...`` message (a
``FailedMount`` event; the pod waits in ``ContainerCreating``). Volume kinds planned elsewhere
(persistentVolumeClaim, ...) are left out: :func:`plan_volume` returns None for them.
ConfigMap/Secret bytes come in through the :class:`PodContext`. Pure.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from localnlb.cluster.kubelet.environment import ContainerConfigError, PodContext, field_value
from localnlb.cluster.kubelet.mounts import BindMount
from localnlb.cluster.kubelet.podspec import JsonObject
from localnlb.cluster.kubelet.resource_fields import resource_field_value
from localnlb.cluster.quantity import parse_quantity

DEFAULT_MODE = 0o644
FILE_KINDS = ("configMap", "secret", "downwardAPI", "projected")
# Kubernetes mounts these read-only whatever volumeMounts[].readOnly says
READ_ONLY_KINDS = FILE_KINDS


class VolumeSetupError(Exception):
    """The volume cannot be set up yet; the kubelet retries it."""


@dataclass(frozen=True, slots=True)
class VolumeFile:
    path: str  # relative to the volume's directory, may contain "/"
    content: bytes
    mode: int


@dataclass(frozen=True, slots=True)
class PlannedVolume:
    name: str
    kind: str  # configMap | secret | downwardAPI | projected | emptyDir
    files: tuple[VolumeFile, ...] = ()
    medium: str = ""  # emptyDir's medium: "" (disk) or "Memory"
    size_limit: int | None = None  # emptyDir's sizeLimit in bytes


def plan_volume(volume: JsonObject, pod: JsonObject, context: PodContext) -> PlannedVolume | None:
    name = str(volume.get("name") or "")
    namespace = pod.get("metadata", {}).get("namespace") or "default"
    if isinstance(volume.get("emptyDir"), Mapping):
        empty_dir = volume["emptyDir"]
        limit = empty_dir.get("sizeLimit")
        return PlannedVolume(
            name,
            "emptyDir",
            medium=empty_dir.get("medium") or "",
            size_limit=int(parse_quantity(limit)) if limit is not None else None,
        )
    for kind in FILE_KINDS:
        source = volume.get(kind)
        if not isinstance(source, Mapping):
            continue
        default_mode = _mode(source.get("defaultMode"), DEFAULT_MODE)
        try:
            if kind == "projected":
                files = _projected(source, default_mode, pod, namespace, context)
            else:
                files = _source_files(kind, source, default_mode, pod, namespace, context)
        except (VolumeSetupError, ContainerConfigError) as exc:
            raise VolumeSetupError(f'MountVolume.SetUp failed for volume "{name}" : {exc}') from exc
        return PlannedVolume(name, kind, tuple(files))
    return None


def _projected(
    source: JsonObject, default_mode: int, pod: JsonObject, namespace: str, context: PodContext
) -> list[VolumeFile]:
    files: list[VolumeFile] = []
    for projection in source.get("sources") or ():
        for kind in ("configMap", "secret", "downwardAPI"):
            if isinstance(projection.get(kind), Mapping):
                files += _source_files(
                    kind, projection[kind], default_mode, pod, namespace, context
                )
        token = projection.get("serviceAccountToken")
        if isinstance(token, Mapping):
            # localnlb's API server has one identity: its bearer token is what a pod can present
            content = context.service_account_token.encode()
            files.append(VolumeFile(str(token.get("path") or "token"), content, default_mode))
    return files


def _source_files(
    kind: str,
    source: JsonObject,
    default_mode: int,
    pod: JsonObject,
    namespace: str,
    context: PodContext,
) -> list[VolumeFile]:
    if kind == "downwardAPI":
        return [
            VolumeFile(
                str(item.get("path") or ""),
                _downward(item, pod, context),
                _item_mode(item, default_mode),
            )
            for item in source.get("items") or ()
        ]
    label, store = (
        ("configmap", context.config_map_files)
        if kind == "configMap"
        else ("secret", context.secret_files)
    )
    # a secret volume names it secretName, a projected secret source name
    name = str(source.get("secretName") or source.get("name") or "")
    optional = bool(source.get("optional"))
    data = store.get(name)
    if data is None:
        if optional:
            return []
        raise VolumeSetupError(f'{label} "{name}" not found')
    items = source.get("items")
    if not items:
        return [VolumeFile(key, value, default_mode) for key, value in sorted(data.items())]
    files = []
    for item in items:
        key = str(item.get("key") or "")
        if key not in data:
            if optional:
                continue
            raise VolumeSetupError(_missing_key(label, key))
        files.append(
            VolumeFile(str(item.get("path") or key), data[key], _item_mode(item, default_mode))
        )
    return files


def _missing_key(label: str, key: str) -> str:
    """The kubelet's words (pkg/volume/configmap and pkg/volume/secret differ)."""
    if label == "configmap":
        return f"configmap references non-existent config key: {key}"
    return f"references non-existent secret key: {key}"


def _downward(item: JsonObject, pod: JsonObject, context: PodContext) -> bytes:
    if isinstance(item.get("fieldRef"), Mapping):
        return field_value(str(item["fieldRef"].get("fieldPath") or ""), pod, context).encode()
    ref = item.get("resourceFieldRef")
    if isinstance(ref, Mapping):
        container: JsonObject = next(
            (
                c
                for c in pod.get("spec", {}).get("containers") or ()
                if c.get("name") == ref.get("containerName")
            ),
            {},
        )
        try:
            value = resource_field_value(
                str(ref.get("resource") or ""),
                container,
                divisor=ref.get("divisor"),
                node_allocatable=context.node_allocatable,
            )
        except ValueError as exc:
            raise VolumeSetupError(str(exc)) from exc
        return value.encode()
    raise VolumeSetupError(
        f"downwardAPI item {item.get('path')!r} has no fieldRef or resourceFieldRef"
    )


def _item_mode(item: JsonObject, default_mode: int) -> int:
    return _mode(item.get("mode"), default_mode)


def _mode(value: object, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0o777:
        return value
    return default


def volume_kinds(pod: JsonObject) -> dict[str, str]:
    """Each volume's name → its kind (the first source key it has)."""
    kinds: dict[str, str] = {}
    for volume in pod.get("spec", {}).get("volumes") or ():
        kind = next((k for k in volume if k != "name"), "")
        kinds[str(volume.get("name") or "")] = kind
    return kinds


def plan_mounts(
    container: JsonObject, pod: JsonObject, volume_dirs: Mapping[str, str]
) -> list[BindMount]:
    """The container's ``volumeMounts`` as bind mounts of the volumes' directories
    (``volume_dirs``: volume name → its directory on the host; volumes absent there are
    mounted by someone else). ``subPath`` mounts that entry of the volume."""
    kinds = volume_kinds(pod)
    mounts: list[BindMount] = []
    for mount in container.get("volumeMounts") or ():
        name = str(mount.get("name") or "")
        directory = volume_dirs.get(name)
        if directory is None:
            continue
        sub_path = str(mount.get("subPath") or "")
        source = posixpath.join(directory, sub_path) if sub_path else directory
        read_only = bool(mount.get("readOnly")) or kinds.get(name) in READ_ONLY_KINDS
        mounts.append(BindMount(source, str(mount.get("mountPath") or ""), read_only))
    return mounts


def referenced_objects(pod: JsonObject, kind: str) -> set[str]:
    """Names of the ConfigMaps (``configMap``) or Secrets (``secret``) the pod's volumes use."""
    names: set[str] = set()
    for volume in pod.get("spec", {}).get("volumes") or ():
        source = volume.get(kind)
        if isinstance(source, Mapping):  # a Secret volume names it secretName
            names.add(str(source.get("secretName" if kind == "secret" else "name") or ""))
        for projection in (volume.get("projected") or {}).get("sources") or ():
            if isinstance(projection.get(kind), Mapping):
                names.add(str(projection[kind].get("name") or ""))
    names.discard("")
    return names


def planned_volumes(pod: JsonObject, context: PodContext) -> Sequence[PlannedVolume]:
    """Every volume localnlb materializes for the pod; the first that cannot be set up raises."""
    planned = []
    for volume in pod.get("spec", {}).get("volumes") or ():
        if isinstance(volume, Mapping) and (plan := plan_volume(volume, pod, context)) is not None:
            planned.append(plan)
    return planned
