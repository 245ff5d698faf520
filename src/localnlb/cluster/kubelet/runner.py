"""Container processes: start one per container instance, stop it gracefully, leave nothing behind.

Each process runs in its own session (so its own process group: the nearest thing to a
container's PID namespace here) with exactly the environment the launch spec gives, stdin from
``/dev/null`` and stdout+stderr appended to the container's log file. Stopping is what a runtime
does: SIGTERM to the group, up to the grace period, then SIGKILL. When the main process exits,
whatever is left in its group is killed too, as a container's processes die with its init.
Exit statuses use the container convention: killed by signal N is exit code 128+N. A spec with
mounts runs in its own mount namespace as root (:mod:`.mounts`); a mount that fails is the
runtime's ``StartError`` with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localnlb.cluster.kubelet.launch import LaunchSpec
from localnlb.cluster.kubelet.mounts import (
    MountNamespace,
    can_mount,
    image_paths,
    path_map_environment,
)
from localnlb.cluster.kubelet.orphans import remove_record, write_record
from localnlb.common.ids import hex_id

SIGNAL_EXIT_BASE = 128


class StartFailed(Exception):
    """The command could not be executed (the runtime's ``StartError``)."""


@dataclass(slots=True)
class ContainerProcess:
    container_id: str
    process: asyncio.subprocess.Process
    log_path: Path
    exited: asyncio.Event = field(default_factory=asyncio.Event)
    exit_code: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid


def exit_code_of(returncode: int) -> int:
    return SIGNAL_EXIT_BASE - returncode if returncode < 0 else returncode


class ProcessRunner:
    def __init__(
        self, *, mount_namespaces: bool | None = None, keep: tuple[str, ...] | None = None
    ) -> None:
        """``mount_namespaces``: give each process its own mounts (default: when root);
        without, a spec's mounts reach the process as a path map (see :mod:`.mounts`).
        ``keep``: host paths no mount may hide (default: the built-in images' files)."""
        self._namespaces = can_mount() if mount_namespaces is None else mount_namespaces
        self._keep = image_paths() if keep is None else keep

    @property
    def mounts(self) -> bool:
        """Whether this runner mounts (as root): pod volumes may then be mounts too."""
        return self._namespaces

    async def start(self, spec: LaunchSpec, *, log_path: Path) -> ContainerProcess:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        if spec.mounts and self._namespaces:
            return await self._start_in_namespace(spec, log_path=log_path)
        env = {**spec.env, **path_map_environment(spec.mounts)}
        return await self._exec(spec, log_path=log_path, env=env, cwd=spec.working_dir)

    async def _start_in_namespace(self, spec: LaunchSpec, *, log_path: Path) -> ContainerProcess:
        scratch = _scratch_for(log_path)  # an empty dir of the kubelet's, removed at exit
        scratch.mkdir(exist_ok=True)
        report_read, report_write = os.pipe()
        namespace = MountNamespace(
            spec.mounts,
            scratch=str(scratch),
            working_dir=spec.working_dir,
            report_fd=report_write,
            keep=self._keep,
        )
        try:
            return await self._exec(
                spec,
                log_path=log_path,
                env=dict(spec.env),
                cwd=None,  # entered inside the namespace: it may be a mount
                preexec_fn=namespace,
                pass_fds=(report_write,),
            )
        except subprocess.SubprocessError:
            os.close(report_write)
            report_write = -1
            detail = os.read(report_read, 4096).decode(errors="replace") or "mount failed"
            raise StartFailed(_start_error(detail)) from None
        finally:
            os.close(report_read)
            if report_write >= 0:
                os.close(report_write)

    async def _exec(
        self, spec: LaunchSpec, *, log_path: Path, env: dict[str, str], cwd: str | None, **how: Any
    ) -> ContainerProcess:
        try:
            with log_path.open("ab") as log:
                process = await asyncio.create_subprocess_exec(
                    *spec.argv,
                    env=env,
                    cwd=cwd,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log,
                    stderr=asyncio.subprocess.STDOUT,
                    start_new_session=True,
                    **how,
                )
        except FileNotFoundError as exc:
            raise StartFailed(_start_error(_not_found(spec, exc))) from None
        except PermissionError:
            raise StartFailed(_start_error(f'exec: "{spec.argv[0]}": permission denied')) from None
        except OSError as exc:
            raise StartFailed(_start_error(f"{spec.argv[0]}: {exc.strerror}")) from None
        write_record(log_path, process.pid)
        return ContainerProcess(
            container_id=f"containerd://{hex_id(64)}", process=process, log_path=log_path
        )

    async def wait(self, container: ContainerProcess) -> int:
        """Wait for the main process; then kill its group's leftovers; return the exit code."""
        returncode = await container.process.wait()
        _signal_group(container.pid, signal.SIGKILL)
        await _group_gone(container.pid)
        remove_record(container.log_path)
        with contextlib.suppress(OSError):
            _scratch_for(container.log_path).rmdir()
        container.exit_code = exit_code_of(returncode)
        container.exited.set()
        return container.exit_code

    async def terminate(self, container: ContainerProcess, *, grace: float) -> None:
        """SIGTERM the group; SIGKILL it if the main process outlives ``grace`` seconds."""
        if container.process.returncode is not None:
            return
        _signal_group(container.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(container.process.wait(), timeout=max(grace, 0.0))
        except TimeoutError:
            _signal_group(container.pid, signal.SIGKILL)
            await container.process.wait()


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes in process group ``pgid``, from ``/proc``."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _live_in_group(int(entry.name), pgid):
            members.append(int(entry.name))
    return members


def _live_in_group(pid: int, pgid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return fields[0] not in ("Z", "X") and int(fields[2]) == pgid


async def _group_gone(pgid: int, *, deadline: float = 2.0) -> None:
    """Wait (bounded) until every process of the group is dead. Dead, not reaped: orphans are
    reaped by init, which may take its time, and are harmless once they are zombies."""
    loop = asyncio.get_running_loop()
    pending = group_members(pgid)
    until = loop.time() + deadline
    while pending and loop.time() < until:
        await asyncio.sleep(0.005)
        pending = [pid for pid in pending if _live_in_group(pid, pgid)]


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _scratch_for(log_path: Path) -> Path:
    return log_path.with_name(f".{log_path.stem}.root")


def _not_found(spec: LaunchSpec, exc: FileNotFoundError) -> str:
    if exc.filename == spec.working_dir:
        return (
            f'chdir to cwd ("{spec.working_dir}") set in config.json failed: '
            "no such file or directory"
        )
    if "/" in spec.argv[0]:
        return f'exec: "{spec.argv[0]}": stat {spec.argv[0]}: no such file or directory'
    return f'exec: "{spec.argv[0]}": executable file not found in $PATH'


def _start_error(detail: str) -> str:
    return (
        "failed to create containerd task: failed to create shim task: OCI runtime create "
        f"failed: runc create failed: unable to start container process: {detail}: unknown"
    )
