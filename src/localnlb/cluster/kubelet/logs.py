"""Where container logs live, so that ``kubectl logs`` (served by the API server) can read them.

``<root>/<namespace>_<pod name>_<pod uid>/<container>.log`` holds the current instance's
stdout+stderr (``root`` is ``DIR/pods``); when a container is restarted the old file becomes
``<container>.previous.log`` (``kubectl logs --previous``). Plain bytes, as the process wrote them.
"""

from __future__ import annotations

from pathlib import Path

from localnlb.cluster.kubelet.podspec import JsonObject


def pod_log_dir(root: Path, pod: JsonObject) -> Path:
    metadata = pod.get("metadata", {})
    namespace = metadata.get("namespace") or "default"
    return root / f"{namespace}_{metadata.get('name', '')}_{metadata.get('uid', '')}"


def container_log_path(
    root: Path, pod: JsonObject, container: str, *, previous: bool = False
) -> Path:
    suffix = ".previous.log" if previous else ".log"
    return pod_log_dir(root, pod) / f"{container}{suffix}"


def rotate_for_restart(current: Path) -> None:
    """Keep the last instance's log as ``.previous.log``; the new instance starts a fresh file."""
    if current.exists():
        current.replace(current.with_name(current.name.removesuffix(".log") + ".previous.log"))
