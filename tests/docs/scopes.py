"""Where a docs page runs: its environment, working directory and (if it asks) a started localnlb.

A scope is a category (directory) or, when a non-index page asks for its own localnlb, that page.
Exported variables carry from block to block and from page to page within a category (the
workshop merges them into one global environment; here leaving a category restores what it
started with, so categories cannot leak into each other). Every scope has its own
``LOCALNLB_STATE_DIR`` in the test's scratch space, so a page that runs ``localnlb`` by hand never
touches a developer's ``~/.localnlb``; when a scope closes, whatever runs for that state dir is
stopped (``localnlb down``) and background jobs of its blocks are killed.

Front matter ``localnlb: up`` (or ``localnlb: elbv2``) on a category's index page or on a page:
a fresh ``localnlb up --detach`` (``elbv2 --detach``) before the first block, with
``LOCALNLB_STATE_DIR`` exported and ``DIR/env`` applied as if sourced.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localnlb.common import statedir
from localnlb.common.supervisor import RunDir, is_supervisor_running, stop_state_dir
from tests.docs.pages import PageError
from tests.docs.shell import kill_groups

REQUIREMENT_KEY = "localnlb"
START_COMMANDS = {"up": ("up", "--detach"), "elbv2": ("elbv2", "--detach")}
START_TIMEOUT = 240.0
STOP_TIMEOUT = 120.0


@dataclass(slots=True)
class Scope:
    key: Path
    env: dict[str, str]
    cwd: Path
    state_dir: Path
    owns_state_dir: bool
    groups: list[int] = field(default_factory=list)
    error: str | None = None  # a failed set-up: every page in the scope fails with it


def requirement(front_matter: Mapping[str, Any]) -> str | None:
    value = front_matter.get(REQUIREMENT_KEY)
    if value is None or value == "none":
        return None
    if value not in START_COMMANDS:
        raise PageError(
            f"front matter {REQUIREMENT_KEY}: {value!r} is not one of {sorted(START_COMMANDS)}"
        )
    return str(value)


def open_scope(
    key: Path,
    *,
    parent: Scope | None,
    base_env: Mapping[str, str],
    scratch: Path,
    wants: str | None,
) -> Scope:
    env = dict(parent.env if parent is not None else base_env)
    if wants is not None:
        # Pages are run as a reader runs them: load balancer names must resolve, so the started
        # localnlb publishes them in the system hosts file (its own block, removed on down),
        # not in the throw-away file other tests use.
        env.pop("LOCALNLB_HOSTS_FILE", None)
    if parent is None or wants is not None:
        state_dir = Path(tempfile.mkdtemp(prefix="state-", dir=scratch))
        owns = True
    else:
        state_dir, owns = parent.state_dir, False
    env[statedir.STATE_DIR_VARIABLE] = str(state_dir)
    cwd = parent.cwd if parent is not None else Path(tempfile.mkdtemp(prefix="work-", dir=scratch))
    scope = Scope(key=key, env=env, cwd=cwd, state_dir=state_dir, owns_state_dir=owns)
    if wants is not None:
        scope.error = _start(scope, wants)
    return scope


def _start(scope: Scope, wants: str) -> str | None:
    argv = [
        sys.executable,
        "-m",
        "localnlb",
        *START_COMMANDS[wants],
        "--state-dir",
        str(scope.state_dir),
    ]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=scope.env,
            cwd=scope.cwd,
            timeout=START_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"`localnlb {wants} --detach` did not return within {START_TIMEOUT:g}s"
    if done.returncode != 0:
        return (
            f"`localnlb {wants} --detach` failed with code {done.returncode}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )
    scope.env.update(statedir.read_env(scope.state_dir))
    return None


def close_scope(scope: Scope, *, scratch: Path) -> list[str]:
    """Stop what the scope started; returns what could not be stopped cleanly."""
    problems: list[str] = []
    try:
        kill_groups(scope.groups)
    except AssertionError as failure:
        problems.append(str(failure))
    state_dirs = {scope.state_dir} if scope.owns_state_dir else set()
    # A page may have pointed LOCALNLB_STATE_DIR elsewhere; inside our scratch space we stop it too.
    exported = Path(scope.env.get(statedir.STATE_DIR_VARIABLE, str(scope.state_dir)))
    if exported.resolve().is_relative_to(scratch.resolve()) and exported != scope.state_dir:
        state_dirs.add(exported)
    for state_dir in sorted(state_dirs):
        problems += _stop(state_dir, scope.env)
    return problems


def _stop(state_dir: Path, env: Mapping[str, str]) -> list[str]:
    run_dir = RunDir(state_dir)
    if not run_dir.run.is_dir():
        return []
    argv = [sys.executable, "-m", "localnlb", "down", "--state-dir", str(state_dir)]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, env=dict(env), timeout=STOP_TIMEOUT, check=False
        )
        failed = done.returncode != 0
        detail = done.stdout + done.stderr
    except subprocess.TimeoutExpired:
        failed, detail = True, f"did not return within {STOP_TIMEOUT:g}s"
    if failed or is_supervisor_running(run_dir):
        stop_state_dir(run_dir)  # do not leave it running, whatever went wrong
        return [f"`localnlb down --state-dir {state_dir}` failed: {detail}"]
    return []
