"""The open-files limit: raised to the hard limit in a process started low, read back per pid,
and the line ``localnlb status`` prints from it."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest

from localnlb.cli.status_command import open_files_line
from localnlb.common.limits import open_files_limit_of

RAISE_AND_REPORT = """
import resource
from localnlb.common.limits import raise_open_files_limit, open_files_limit_of
import os
limit = raise_open_files_limit()
print(limit.before, limit.soft, limit.hard, open_files_limit_of(os.getpid()))
"""


def _start_low() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))


def test_a_process_started_with_a_low_soft_limit_raises_it_to_the_hard_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 256:
        pytest.skip(f"the hard limit ({hard}) leaves nothing to raise")
    printed = subprocess.run(
        [sys.executable, "-c", RAISE_AND_REPORT],
        preexec_fn=_start_low,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.split()
    before, soft, reported_hard, from_proc = (int(value) for value in printed)
    assert before == 256
    assert soft == reported_hard == min(hard, 1 << 20)
    assert from_proc == soft


def test_the_limit_of_a_pid_is_read_from_the_kernel() -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if not os.path.exists("/proc/self/limits"):
        pytest.skip("no /proc")
    assert open_files_limit_of(os.getpid()) == soft
    assert open_files_limit_of(2**22 + 7) is None  # no such process


def test_the_status_line() -> None:
    assert open_files_line({"elbv2": 524288, "cluster": 524288}) == (
        "open files limit: 524288 per component"
    )
    assert open_files_line({"elbv2": 524288, "cluster": 1024, "dashboard": None}) == (
        "open files limit: elbv2 524288, cluster 1024"
    )
    assert open_files_line({"elbv2": None}) == "open files limit: unknown"
