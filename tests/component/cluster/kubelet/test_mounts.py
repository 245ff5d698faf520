"""Bind mounts in a container's own mount namespace: seen by the process, never on the host."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from localnlb.cluster.images.registry import BUILTIN_IMAGES
from localnlb.cluster.kubelet.launch import LaunchSpec, PulledImage
from localnlb.cluster.kubelet.mounts import (
    BindMount,
    can_mount,
    image_paths,
    mount_memory,
    mounts_under,
    unmount_under,
)
from localnlb.cluster.kubelet.runner import ProcessRunner, StartFailed

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="mount namespaces need root")
PYTHON = BUILTIN_IMAGES[-1]

# The process prints what it sees at each path: file content, a directory listing, or whether
# a write is refused.
SHOW = """
import json, os, sys
seen = {}
for path in sys.argv[1:]:
    if os.path.isdir(path):
        seen[path] = sorted(os.listdir(path))
    elif os.path.exists(path):
        seen[path] = open(path).read()
    else:
        seen[path] = None
try:
    open(os.path.join(sys.argv[1], "written"), "w").close()
    seen["write"] = "ok"
except OSError as exc:
    seen["write"] = exc.strerror
seen["cwd"] = os.getcwd()
seen["env"] = os.environ.get("LOCALNLB_VOLUME_MOUNTS")
print(json.dumps(seen))
"""


def spec(argv: list[str], mounts: list[BindMount], working_dir: str) -> LaunchSpec:
    return LaunchSpec(
        container_name="c",
        image=PulledImage(image="python", image_id="python@sha256:0", builtin=PYTHON),
        argv=(sys.executable, "-c", SHOW, *argv),
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        working_dir=working_dir,
        ports=(),
        mounts=tuple(mounts),
    )


async def run(runner: ProcessRunner, launch: LaunchSpec, log: Path) -> dict[str, object]:
    process = await runner.start(launch, log_path=log)
    assert await runner.wait(process) == 0, log.read_text()
    result: dict[str, object] = json.loads(log.read_text().splitlines()[-1])
    return result


@root_only
@pytest.mark.timeout(30)
async def test_mounts_appear_at_their_targets_and_leave_nothing_on_the_host(tmp_path: Path) -> None:
    volume = tmp_path / "volume"
    volume.mkdir()
    (volume / "greeting").write_text("hello")
    single = tmp_path / "single"
    single.write_text("one file")
    tag = uuid.uuid4().hex[:8]
    under_etc = f"/etc/localnlb-test-{tag}/config"  # /etc exists, its child does not
    under_root = f"/localnlb-test-{tag}/data"  # only / exists
    read_only = f"/localnlb-test-{tag}/ro"
    file_target = f"/etc/localnlb-test-{tag}/one"
    launch = spec(
        [under_etc, under_root, read_only, file_target, "/etc/hostname"],
        [
            BindMount(str(volume), under_etc),
            BindMount(str(volume), under_root),
            BindMount(str(volume), read_only, read_only=True),
            BindMount(str(single), file_target),
        ],
        working_dir=under_root,
    )
    seen = await run(ProcessRunner(mount_namespaces=True), launch, tmp_path / "c.log")
    assert seen[under_etc] == ["greeting"]
    assert seen[under_root] == ["greeting"]
    assert seen[file_target] == "one file"
    assert seen["/etc/hostname"] == Path("/etc/hostname").read_text()  # /etc kept its entries
    assert seen["write"] == "ok"  # under_etc is writable and is the volume itself
    assert (volume / "written").exists()
    assert seen["cwd"] == under_root
    assert seen["env"] is None
    assert not Path(f"/etc/localnlb-test-{tag}").exists()
    assert not Path(f"/localnlb-test-{tag}").exists()
    assert str(tmp_path) not in Path("/proc/self/mountinfo").read_text()
    assert not (tmp_path / ".c.root").exists()  # the scratch root goes with the process


@root_only
@pytest.mark.timeout(30)
async def test_a_read_only_mount_refuses_writes(tmp_path: Path) -> None:
    volume = tmp_path / "volume"
    volume.mkdir()
    target = f"/localnlb-test-{uuid.uuid4().hex[:8]}"
    launch = spec([target], [BindMount(str(volume), target, read_only=True)], str(tmp_path))
    seen = await run(ProcessRunner(mount_namespaces=True), launch, tmp_path / "c.log")
    assert seen["write"] == "Read-only file system"
    assert list(volume.iterdir()) == []


@root_only
@pytest.mark.timeout(30)
async def test_a_missing_source_is_a_start_error_with_the_reason(tmp_path: Path) -> None:
    launch = spec(["/x"], [BindMount(str(tmp_path / "absent"), "/x")], str(tmp_path))
    with pytest.raises(StartFailed, match=r'mount source ".*absent": no such file or directory'):
        await ProcessRunner(mount_namespaces=True).start(launch, log_path=tmp_path / "c.log")


@pytest.mark.timeout(30)
async def test_without_namespaces_the_process_gets_the_path_map(tmp_path: Path) -> None:
    volume = tmp_path / "volume"
    volume.mkdir()
    launch = spec(
        [str(volume)], [BindMount(str(volume), "/etc/config", read_only=True)], str(tmp_path)
    )
    seen = await run(ProcessRunner(mount_namespaces=False), launch, tmp_path / "c.log")
    assert json.loads(str(seen["env"])) == {"/etc/config": str(volume)}


@root_only
@pytest.mark.timeout(30)
async def test_a_mount_covering_the_state_dir_keeps_later_sources_and_the_working_dir(
    tmp_path: Path,
) -> None:
    """A pod's emptyDir at /tmp (the workshop's ui) hides the state dir when it lives under
    /tmp: later mounts still find their sources and the process its working dir."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    config = tmp_path / "config"
    config.mkdir()
    (config / "key").write_text("v")
    covered = str(tmp_path.parents[len(tmp_path.parents) - 2])  # the top directory, e.g. /tmp
    target = f"/etc/localnlb-test-{uuid.uuid4().hex[:8]}"
    launch = spec(
        [covered, target],
        [BindMount(str(scratch), covered), BindMount(str(config), target)],
        working_dir=str(tmp_path),
    )
    seen = await run(ProcessRunner(mount_namespaces=True), launch, tmp_path / "c.log")
    # The volume's own (empty) content, plus only the image's files bound back: a localnlb
    # installed under /tmp (as a clean clone in CI may be) must still start its programs.
    kept = {Path(p).relative_to(covered).parts[0] for p in image_paths() if p.startswith(covered)}
    listing = seen[covered]
    assert isinstance(listing, list)
    assert sorted(listing) == sorted(kept)
    assert seen[target] == ["key"]
    assert seen["cwd"] == str(tmp_path)


@root_only
@pytest.mark.timeout(30)
async def test_a_volume_over_the_images_files_leaves_them_in_place(tmp_path: Path) -> None:
    """An emptyDir at the directory localnlb is installed in (the workshop's ui mounts one at
    /tmp, and a clone may live there): the program still finds its files, as in its image."""
    image = tmp_path / "image"
    (image / "bin").mkdir(parents=True)
    (image / "bin" / "tool").write_text("x")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    paths = ["/nonexistent-localnlb-probe", str(image), str(image / "bin")]  # writes nowhere
    launch = spec(paths, [BindMount(str(scratch), str(image))], str(tmp_path))
    hidden = await run(ProcessRunner(mount_namespaces=True, keep=()), launch, tmp_path / "a.log")
    assert hidden[str(image)] == []  # the volume hides what was there
    kept = ProcessRunner(mount_namespaces=True, keep=(str(image / "bin"),))
    seen = await run(kept, launch, tmp_path / "b.log")
    assert seen[str(image)] == ["bin"]
    assert seen[str(image / "bin")] == ["tool"]


@root_only
@pytest.mark.timeout(30)
def test_memory_mounts_under_a_directory_are_found_and_detached(tmp_path: Path) -> None:
    """What ``localnlb down`` uses to clear memory volumes a crashed run left mounted."""
    volume = tmp_path / "pods" / "uid-1" / "volumes" / "cache"
    volume.mkdir(parents=True)
    mount_memory(str(volume), 1 << 20)
    try:
        assert mounts_under(str(tmp_path / "pods")) == [str(volume)]
    finally:
        assert unmount_under(str(tmp_path / "pods")) == [str(volume)]
    assert mounts_under(str(tmp_path)) == []


@root_only
@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv to drop a capability")
@pytest.mark.timeout(30)
def test_root_without_cap_sys_admin_falls_back_to_the_path_map() -> None:
    """Root in an unprivileged container may not mount: the kubelet must notice, not fail
    every pod that has a volume."""
    asks = "from localnlb.cluster.kubelet.mounts import can_mount; print(can_mount())"
    dropped = ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin"]
    result = subprocess.run(
        [*dropped, sys.executable, "-c", asks], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
    assert can_mount()  # this test process may
