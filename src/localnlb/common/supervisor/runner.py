"""The supervisor loop: start components in order, keep them running, stop them in reverse.

Starting is sequential: each component must be ready before the next starts (later components
depend on earlier ones: the controller needs the APIs). If one cannot become ready, the start
fails, everything started so far is stopped, and the exit code says so. Once running, a component
that exits is restarted with back-off (see :mod:`.backoff`). Every change is written to
``DIR/run/supervisor.json`` for ``localnlb status`` and for a waiting ``up --detach``.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import time
from collections.abc import Callable, Sequence

import aiohttp

from localnlb.common.clock import Clock, SystemClock
from localnlb.common.supervisor.backoff import BackoffPolicy, Phase, describe_exit
from localnlb.common.supervisor.component import POLL_INTERVAL, RunningComponent
from localnlb.common.supervisor.probes import new_session, probe
from localnlb.common.supervisor.processes import identity_of
from localnlb.common.supervisor.runfiles import SUPERVISOR, RunDir, write_pid
from localnlb.common.supervisor.spec import ComponentSpec
from localnlb.common.supervisor.status import SupervisorStatus, snapshot, write_status

log = logging.getLogger("localnlb.supervisor")

EXIT_STOPPED = 0
EXIT_START_FAILED = 1


class SupervisorPhase(enum.StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


class Supervisor:
    def __init__(
        self,
        run_dir: RunDir,
        specs: Sequence[ComponentSpec],
        *,
        policy: BackoffPolicy | None = None,
        clock: Clock | None = None,
        on_change: Callable[[SupervisorStatus], None] | None = None,
    ) -> None:
        self._run_dir = run_dir
        policy = policy or BackoffPolicy()
        self._components = [RunningComponent.of(spec, policy) for spec in specs]
        self._clock = clock or SystemClock()
        self._on_change = on_change
        self._stop = asyncio.Event()
        self.phase = SupervisorPhase.STARTING
        self.error: str | None = None
        self.failed_component: str | None = None

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self) -> int:
        """Run until :meth:`request_stop`; the caller holds the supervisor lock."""
        write_pid(self._run_dir.pid_file(SUPERVISOR), identity_of(os.getpid()))
        tasks: list[asyncio.Task[None]] = []
        async with new_session() as session:
            try:
                for component in self._components:
                    task = asyncio.create_task(self._keep_running(component, session))
                    tasks.append(task)
                    if not await self._await_startup(component, task):
                        break
                else:
                    self.phase = SupervisorPhase.RUNNING
                    self._publish()
                    stop = asyncio.ensure_future(self._stop.wait())
                    done, _ = await asyncio.wait({stop, *tasks}, return_when="FIRST_COMPLETED")
                    stop.cancel()
                    for keeper in tasks:
                        if keeper in done:
                            self._keeper_died(keeper)
            finally:
                await self._stop_all(tasks)
        return EXIT_START_FAILED if self.phase is SupervisorPhase.FAILED else EXIT_STOPPED

    def _keeper_died(self, task: asyncio.Task[None]) -> None:
        """A keeper task ends only on stop; anything else is a bug that must not go unnoticed,
        or its component would run unsupervised."""
        if self._stop.is_set() or task.cancelled():
            return
        self.phase = SupervisorPhase.FAILED
        self.error = f"supervisor error: {task.exception()!r}"
        log.error("%s", self.error, exc_info=task.exception())
        self._publish()

    async def _await_startup(self, component: RunningComponent, task: asyncio.Task[None]) -> bool:
        tracker, spec = component.tracker, component.spec
        while tracker.phase is not Phase.READY:
            if self._stop.is_set():
                return False
            if task.done():
                self._keeper_died(task)
                return False
            failure = tracker.startup_failure(self._clock.monotonic(), spec.ready_timeout)
            if failure is not None:
                tracker.failed(failure)
                self.phase = SupervisorPhase.FAILED
                self.failed_component = spec.name
                self.error = f"{spec.name} {failure}"
                log.error("start failed: %s", self.error)
                component.note(self._run_dir, f"start failed: {failure}")
                self._publish()
                return False
            await self._pause(POLL_INTERVAL)
        return True

    async def _keep_running(
        self, component: RunningComponent, session: aiohttp.ClientSession
    ) -> None:
        tracker = component.tracker
        while not self._gave_up(component):
            if tracker.next_start_at is not None:
                await self._pause(max(tracker.next_start_at - self._clock.monotonic(), 0.0))
                if self._gave_up(component):
                    return
            tracker.started(self._clock.monotonic())
            try:
                component.spawn(self._run_dir)
            except OSError as exc:  # no such program, no permission: a crash like any other
                code, detail = None, f"cannot start {component.spec.argv[0]}: {exc.strerror}"
            else:
                log.info("%s started (pid %s)", component.spec.name, component.pid)
                self._publish()
                code, detail = await self._watch(component, session)
            if self._gave_up(component):
                return
            now = self._clock.monotonic()
            delay = tracker.exited(code, now, detail=detail) - now
            message = f"{tracker.detail}; restarting in {delay:g}s ({tracker.phase})"
            log.warning("%s %s", component.spec.name, message)
            component.note(self._run_dir, message)
            self._publish()

    def _gave_up(self, component: RunningComponent) -> bool:
        return self._stop.is_set() or component.tracker.phase is Phase.FAILED

    async def _watch(
        self, component: RunningComponent, session: aiohttp.ClientSession
    ) -> tuple[int | None, str]:
        """Probe until ready, then wait for the exit; returns (exit code, why)."""
        process, tracker, spec = component.process, component.tracker, component.spec
        assert process is not None
        assert component.probe_context is not None
        interval = POLL_INTERVAL
        while process.poll() is None and not self._stop.is_set():
            if tracker.phase is Phase.STARTING:
                result = await probe(spec.readiness, component.probe_context, session)
                component.endpoints = result.endpoints
                if result.ready and process.poll() is None:
                    tracker.became_ready(self._clock.monotonic())
                    log.info("%s ready %s", spec.name, result.endpoints)
                    component.note(self._run_dir, f"ready {result.endpoints}")
                    self._publish()
                elif self.phase is SupervisorPhase.RUNNING and tracker.readiness_overdue(
                    self._clock.monotonic(), spec.ready_timeout
                ):
                    await component.terminate()
                    return process.returncode, f"not ready within {spec.ready_timeout:g}s"
                else:
                    tracker.detail = result.detail
            await self._pause(interval)
            interval = min(interval * 1.5, 0.5) if tracker.phase is Phase.STARTING else 0.1
        return process.returncode, describe_exit(process.returncode)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake up at once when a stop is requested."""
        if self._stop.is_set():
            return
        # asyncio.wait, not wait_for: in 3.11 wait_for can swallow a cancellation that races
        # with the event, which would leave a task spinning.
        waiter = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({waiter}, timeout=seconds)
        finally:
            waiter.cancel()

    async def _stop_all(self, tasks: list[asyncio.Task[None]]) -> None:
        if self.phase is not SupervisorPhase.FAILED:
            self.phase = SupervisorPhase.STOPPING
        self._stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for component in reversed(self._components):
            if component.process is None or component.tracker.phase is Phase.PENDING:
                continue
            if component.tracker.phase is not Phase.FAILED:
                component.tracker.stopping()
            self._publish()
            code = await component.terminate()
            component.note(self._run_dir, f"stopped ({describe_exit(code)})")
            if component.tracker.phase is not Phase.FAILED:
                component.tracker.stopped()
            self._run_dir.pid_file(component.spec.name).unlink(missing_ok=True)
            self._run_dir.ready_file(component.spec.name).unlink(missing_ok=True)
        if self.phase is not SupervisorPhase.FAILED:
            self.phase = SupervisorPhase.STOPPED
        self._publish()
        self._run_dir.pid_file(SUPERVISOR).unlink(missing_ok=True)

    def _publish(self) -> None:
        status = snapshot(
            pid=os.getpid(),
            phase=str(self.phase),
            error=self.error,
            failed_component=self.failed_component,
            components=self._components,
            run_dir=self._run_dir,
            updated_at=time.time(),
        )
        try:
            write_status(self._run_dir, status)
        except OSError as exc:  # best effort, like the log notes: never stop supervising
            log.warning("cannot write %s: %s", self._run_dir.status, exc)
        if self._on_change is not None:
            self._on_change(status)
