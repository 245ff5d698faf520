"""A pod's volume directory written as the kubelet's atomic writer writes it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from localnlb.cluster.kubelet.volume_files import DATA_LINK, VolumeDirectory
from localnlb.cluster.kubelet.volumes import PlannedVolume, VolumeFile


def config(*files: VolumeFile) -> list[PlannedVolume]:
    return [PlannedVolume("cfg", "configMap", files), PlannedVolume("scratch", "emptyDir")]


def test_files_modes_links_updates_and_repairs(tmp_path: Path) -> None:
    volumes = VolumeDirectory(tmp_path / "uid" / "volumes")
    directories = volumes.apply(
        config(VolumeFile("a", b"1", 0o400), VolumeFile("dir/b", b"2", 0o644))
    )
    cfg = Path(directories["cfg"])
    assert (cfg / "a").read_bytes() == b"1"
    assert stat.S_IMODE((cfg / "a").stat().st_mode) == 0o400
    assert os.readlink(cfg / "a") == f"{DATA_LINK}/a"
    assert (cfg / "dir" / "b").read_bytes() == b"2"
    assert stat.S_IMODE(Path(directories["scratch"]).stat().st_mode) == 0o777
    first = os.readlink(cfg / DATA_LINK)

    volumes.apply(config(VolumeFile("a", b"1", 0o400), VolumeFile("dir/b", b"2", 0o644)))
    assert os.readlink(cfg / DATA_LINK) == first  # unchanged: not rewritten

    volumes.apply(config(VolumeFile("a", b"new", 0o400)))
    assert (cfg / "a").read_bytes() == b"new"
    assert not (cfg / "dir").exists()  # a key that went is gone
    assert not (cfg / first).exists()  # and so is the old payload

    (cfg / os.readlink(cfg / DATA_LINK) / "a").unlink()  # removed underneath
    volumes.apply(config(VolumeFile("a", b"new", 0o400)))
    assert (cfg / "a").read_bytes() == b"new"

    volumes.remove()
    assert not (tmp_path / "uid").exists()
