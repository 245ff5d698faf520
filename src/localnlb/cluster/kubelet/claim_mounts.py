"""Persistent volume claims as a container sees them: each ``volumeMounts`` entry of a
``persistentVolumeClaim`` volume becomes a :class:`~.mounts.BindMount` of the bound volume's
directory (its hostPath: ``DIR/volumes/<pv>/`` for local-path volumes) at its ``mountPath``
(``subPath`` a directory inside it, made on first use as the kubelet makes it).

:func:`claim_directories` resolves claim → bound PersistentVolume → directory from the objects
the node agent reads; :func:`claim_mounts` is the per-container mapping. A claim not bound yet
has no directory; the scheduler never binds such a pod (see ``scheduler.volume_binding``), so
the kubelet only sees it after a claim was deleted under a running pod. Pure.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

from localnlb.cluster.kubelet.mounts import BindMount

JsonObject = Mapping[str, Any]


def claim_names(pod: JsonObject) -> dict[str, str]:
    """Volume name → claim name, for the pod's persistentVolumeClaim volumes."""
    found = {}
    for volume in pod.get("spec", {}).get("volumes") or ():
        source = volume.get("persistentVolumeClaim") if isinstance(volume, Mapping) else None
        if isinstance(source, Mapping) and source.get("claimName"):
            found[str(volume.get("name", ""))] = str(source["claimName"])
    return found


def claim_directories(
    pod: JsonObject, claims: Sequence[JsonObject], volumes: Sequence[JsonObject]
) -> dict[str, str]:
    """Claim name → the host directory of the volume it is bound to (bound claims only)."""
    wanted = set(claim_names(pod).values())
    volume_paths = {
        str(v.get("metadata", {}).get("name", "")): (v.get("spec", {}).get("hostPath") or {}).get(
            "path"
        )
        for v in volumes
    }
    found = {}
    for claim in claims:
        name = str(claim.get("metadata", {}).get("name", ""))
        bound_to = claim.get("spec", {}).get("volumeName")
        path = volume_paths.get(str(bound_to)) if bound_to else None
        if name in wanted and path:
            found[name] = str(path)
    return found


def claim_mounts(
    pod: JsonObject, container: JsonObject, directories: Mapping[str, str]
) -> list[BindMount]:
    """The container's mounts of bound claims, in its volumeMounts order."""
    by_volume = claim_names(pod)
    read_only_volumes = {
        str(v.get("name", ""))
        for v in pod.get("spec", {}).get("volumes") or ()
        if isinstance(v, Mapping) and (v.get("persistentVolumeClaim") or {}).get("readOnly")
    }
    mounts = []
    for mount in container.get("volumeMounts") or ():
        volume = str(mount.get("name", ""))
        claim = by_volume.get(volume)
        directory = directories.get(claim or "")
        if directory is None:
            continue
        sub_path = str(mount.get("subPath") or "").strip("/")
        source = posixpath.join(directory, sub_path) if sub_path else directory
        mounts.append(
            BindMount(
                source=source,
                target=str(mount.get("mountPath", "")),
                read_only=bool(mount.get("readOnly")) or volume in read_only_volumes,
            )
        )
    return mounts
