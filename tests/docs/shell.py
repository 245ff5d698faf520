"""Run one bash block (or a hook) the way the workshop's shell does, and read back its exports.

A block runs as ``bash -c`` with ``set -e``; on success it prints a marker and its environment
(``env -0``, so values may hold newlines), which is how exported variables reach the next blocks.
Only the exit code decides; output is kept for TEST_OUTPUT and failure messages, never compared.
Each run is its own process group: a timeout SIGKILLs the whole group (the workshop kills only
bash), and :func:`kill_groups` ends anything a block left running in the background.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from localnlb.common.supervisor.processes import LinuxProcessTable

MARKER = "%%% ENV %%%"
NOT_CARRIED = frozenset({"_", "SHLVL", "PWD", "OLDPWD"})
_PROCESSES = LinuxProcessTable()


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    output: str  # stdout before the marker: what the after-hook gets as TEST_OUTPUT
    stderr: str
    exported: dict[str, str]


class ShellError(AssertionError):
    def __init__(self, message: str, *, code: int, output: str, stderr: str) -> None:
        super().__init__(f"{message}\ncode: {code}\nstdout:\n{output}\nstderr:\n{stderr}")
        self.code = code
        self.output = output


class ShellTimeout(AssertionError):
    def __init__(self, timeout: float, *, output: str, stderr: str) -> None:
        super().__init__(
            f"Script failed to complete within {timeout:g} seconds\n"
            f"stdout:\n{output}\nstderr:\n{stderr}"
        )
        self.timeout = timeout


def run_block(
    command: str, *, timeout: float, env: Mapping[str, str], cwd: Path, groups: list[int]
) -> ExecutionResult:
    """Run a block's commands; raises ShellError on a non-zero exit, ShellTimeout on timeout."""
    script = f"set -e\n{command}\necho '{MARKER}'\nenv -0\n"
    stdout, stderr, code = _run(
        ["bash", "-c", script], timeout=timeout, env=env, cwd=cwd, groups=groups
    )
    before, found, after = stdout.partition(f"{MARKER}\n")
    if code != 0 or not found:
        raise ShellError("Script exit with an error code", code=code, output=before, stderr=stderr)
    exported = {}
    for entry in after.split("\0"):
        name, equals, value = entry.partition("=")
        if equals and name not in NOT_CARRIED:
            exported[name] = value
    return ExecutionResult(output=before, stderr=stderr, exported=exported)


def run_hook(
    hook: Path, phase: str, *, timeout: float, env: Mapping[str, str], cwd: Path, groups: list[int]
) -> None:
    stdout, stderr, code = _run(
        ["bash", str(hook), phase], timeout=timeout, env=env, cwd=cwd, groups=groups
    )
    if code != 0:
        raise ShellError(
            f"Error running '{phase}' hook at {hook}", code=code, output=stdout, stderr=stderr
        )


def _run(
    argv: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str],
    cwd: Path,
    groups: list[int],
) -> tuple[str, str, int]:
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env),
        cwd=cwd,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process.pid)
        out, err = process.communicate()
        raise ShellTimeout(timeout, output=_text(out), stderr=_text(err)) from None
    finally:
        # Remember the group only while something of it still runs (a background job): a live
        # group's id is never reused, so killing it later cannot hit an unrelated process.
        if _PROCESSES.group_has_members(process.pid):
            groups.append(process.pid)
    return _text(out), _text(err), process.returncode


def kill_groups(groups: list[int]) -> None:
    """End whatever the page's blocks and hooks left running in the background."""
    for pgid in groups:
        if _PROCESSES.group_has_members(pgid):
            _kill(pgid)
    # SIGKILL is delivered asynchronously: return only once the groups are really gone.
    deadline = time.monotonic() + 10.0
    while any(_PROCESSES.group_has_members(pgid) for pgid in groups):
        if time.monotonic() >= deadline:
            raise AssertionError(f"background jobs in process groups {groups} survived SIGKILL")
        time.sleep(0.01)
    groups.clear()


def _kill(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _text(data: bytes) -> str:
    return data.decode(errors="replace")
