"""Fixtures every test tier may use."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import egress
from tests.helpers.octets import worker_octets
from tests.helpers.processes import ProcessGroup, running

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"
WORKSHOP_DIR = SHARED_DIR / "fixtures" / "eks-workshop"

# No test touches the real /etc/hosts: a data plane a test starts (in process, or inside a
# `localnlb elbv2`/`up` subprocess, which inherits this) publishes LB names here unless the test
# passes its own file (--hosts-file, DataPlaneSettings.hosts_path).
os.environ.setdefault(
    "LOCALNLB_HOSTS_FILE", str(Path(tempfile.gettempdir()) / f"localnlb-test-hosts-{os.getpid()}")
)

# Parallel workers (pytest -n) never share a VPC octet: each derives new ones from its own slice.
_OCTETS = worker_octets()
os.environ["LOCALNLB_VPC_OCTETS"] = f"{_OCTETS.start}-{_OCTETS.stop - 1}"


@pytest.fixture(scope="session", autouse=True)
def no_packet_leaves_the_machine() -> Iterator[None]:
    """Network safety, checked for the whole run (issue 13, acceptance 2): every process the
    run starts inherits this worker's cgroup, and nftables counts what its sockets send through
    any interface but ``lo``; a single packet fails the run."""
    if egress.unavailable_reason() is not None:
        yield  # not root here: the data plane's own tests still hold everything to 127/8
        return
    watch = egress.EgressWatch(f"localnlb-tests-{os.getpid()}")
    watch.start()
    try:
        watch.self_check()
        yield
        sent = watch.packets()
        if sent:
            where = ", ".join(watch.destinations()) or "no TCP/UDP destination recorded"
            pytest.fail(f"{sent} packets left this machine's loopback during the run: {where}")
    finally:
        watch.stop()


@pytest.fixture(scope="session", autouse=True)
def no_mount_outlives_the_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A pod's memory volume is a tmpfs on the host until its pod goes; a test that kills a
    cluster outright (or fails before ``localnlb down``) may leave one under its tmp dir. Detach
    them at the end, so that pytest can remove the tmp dirs later (a busy one becomes a garbage
    dir whose clean-up warns at every later run)."""
    yield
    if os.geteuid() == 0:
        from localnlb.cluster.kubelet.mounts import unmount_under

        left = unmount_under(str(tmp_path_factory.getbasetemp()))
        if left:
            print(f"detached {len(left)} mounts the run left: {left[:3]}")


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[ProcessGroup]:
    """Start processes through this; all of them are stopped when the test ends."""
    with running(tmp_path) as group:
        yield group


@pytest.fixture
def workshop_dir() -> Path:
    if not WORKSHOP_DIR.is_dir():
        pytest.fail(f"the workshop fixtures are expected at {WORKSHOP_DIR} (../shared)")
    return WORKSHOP_DIR
