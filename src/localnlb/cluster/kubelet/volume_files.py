"""A pod's volumes on disk: ``DIR/pods/<uid>/volumes/<name>/``, written as the kubelet writes them.

File volumes (configMap, secret, downwardAPI, projected) use the kubelet's atomic writer: the
payload goes into a fresh ``..<timestamp>`` directory, ``..data`` is switched to it by renaming a
symlink, and each visible entry is a symlink through ``..data``. So a process that has the
volume's directory bind-mounted sees an update whole, never half-written; a ``subPath`` mount
keeps the files it was started with, as in Kubernetes. A payload is rewritten only when what is
on disk differs from it (each resync compares, so it also repairs). emptyDir is an empty
directory (mode 0777); with ``medium: Memory`` as root, a tmpfs (``sizeLimit`` its size) on it.
:meth:`VolumeDirectory.remove` unmounts and deletes it all when the pod goes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import time
from collections.abc import Sequence
from pathlib import Path

from localnlb.cluster.kubelet.mounts import mount_memory, unmount_under
from localnlb.cluster.kubelet.volumes import PlannedVolume, VolumeFile

DATA_LINK = "..data"


def pod_volumes_root(log_root: Path, uid: str) -> Path:
    """``DIR/pods/<uid>/volumes`` (``log_root`` is ``DIR/pods``)."""
    return log_root / uid / "volumes"


class VolumeDirectory:
    def __init__(self, root: Path, *, memory_mounts: bool = False) -> None:
        """``memory_mounts``: back ``medium: Memory`` emptyDirs with a tmpfs (needs root)."""
        self.root = root
        self._memory_mounts = memory_mounts

    def apply(self, planned: Sequence[PlannedVolume]) -> dict[str, str]:
        """Bring every planned volume's directory up to date; return name → directory."""
        directories: dict[str, str] = {}
        for volume in planned:
            directory = self.root / volume.name
            if volume.kind == "emptyDir":
                if not directory.is_dir():
                    directory.mkdir(parents=True)
                    directory.chmod(0o777)
                memory = volume.medium == "Memory" and self._memory_mounts
                if memory and not os.path.ismount(directory):
                    mount_memory(str(directory), volume.size_limit)
            elif not _holds(directory, volume.files):
                _write_atomically(directory, volume.files)
            directories[volume.name] = str(directory)
        return directories

    def remove(self) -> None:
        """Delete the pod's volumes (and the pod's directory they live in)."""
        if self._memory_mounts and self.root.is_dir():
            unmount_under(str(self.root))
        shutil.rmtree(self.root.parent, ignore_errors=True)


def _holds(directory: Path, files: Sequence[VolumeFile]) -> bool:
    """Whether the volume shows exactly ``files`` (bytes and modes) now: what is on disk is
    compared, so a resync also repairs a payload changed or removed underneath."""
    data = directory / DATA_LINK
    if not data.is_dir():
        return False
    try:
        for entry in files:
            path = directory / entry.path
            if (
                path.read_bytes() != entry.content
                or stat.S_IMODE(path.stat().st_mode) != entry.mode
            ):
                return False
        shown = {p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()}
    except OSError:
        return False
    return shown == {entry.path for entry in files}


def _write_atomically(directory: Path, files: Sequence[VolumeFile]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y_%m_%d_%H_%M_%S", time.gmtime())
    payload = directory / f"..{stamp}.{secrets.token_hex(4)}"
    payload.mkdir(mode=0o755)
    for entry in files:
        path = payload / entry.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry.content)
        path.chmod(entry.mode)
    data_link = directory / DATA_LINK
    previous = os.readlink(data_link) if data_link.is_symlink() else None
    staging = directory / f"{DATA_LINK}_tmp"
    with contextlib.suppress(FileNotFoundError):
        staging.unlink()
    staging.symlink_to(payload.name)
    staging.replace(data_link)  # the switch: readers see the old payload or the new one
    visible = {entry.path.split("/", 1)[0] for entry in files}
    for name in visible:
        link = directory / name
        if not link.is_symlink():
            link.symlink_to(f"{DATA_LINK}/{name}")
    for child in directory.iterdir():
        if not child.name.startswith("..") and child.name not in visible and child.is_symlink():
            child.unlink()
    if previous is not None and previous != payload.name:
        shutil.rmtree(directory / previous, ignore_errors=True)
