"""A pod worker: runs one pod's containers as local processes to the state its spec asks for.

The thin shell around the pure parts: it asks each :class:`ContainerMachine` what to do, does it
(image "pull" from the built-in registry, process start/kill through :class:`ProcessRunner`,
probes through :func:`run_probe`, lifecycle hooks), feeds the outcomes back, passes the
machines' events to a :class:`PodEventRecorder` and reports the pod's status through a
:class:`StatusReporter` whenever it changed. Init containers run first, one at a time (sidecars
keep running). ``stop`` ends every process (preStop, SIGTERM, the grace period, SIGKILL) and
returns only when all have exited.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localnlb.cluster.dns.resolv_conf import ClusterDnsConfig
from localnlb.cluster.kubelet.claim_mounts import claim_mounts
from localnlb.cluster.kubelet.container import (
    Action,
    ContainerMachine,
    KillContainer,
    PullImage,
    RunProbe,
    StartContainer,
)
from localnlb.cluster.kubelet.environment import ContainerConfigError, PodContext
from localnlb.cluster.kubelet.events import (
    WARNING,
    DiscardEvents,
    KubeletEvent,
    PodEventRecorder,
)
from localnlb.cluster.kubelet.hooks import (
    MINIMUM_GRACE_AFTER_HOOK,
    POST_START,
    PRE_STOP,
    describe_failure,
    hook_of,
    run_hook,
)
from localnlb.cluster.kubelet.launch import (
    ImagePullError,
    LaunchSpec,
    build_launch_spec,
    pull_image,
)
from localnlb.cluster.kubelet.logs import container_log_path, pod_log_dir, rotate_for_restart
from localnlb.cluster.kubelet.mounts import BindMount
from localnlb.cluster.kubelet.pod_dns import resolv_conf_mount
from localnlb.cluster.kubelet.podspec import (
    JsonObject,
    RestartPolicy,
    containers,
    init_containers,
    init_restart_policy,
    is_sidecar,
    restart_policy,
    termination_grace_seconds,
)
from localnlb.cluster.kubelet.probes import ProbeOutcome, run_probe
from localnlb.cluster.kubelet.reporting import StatusReporter
from localnlb.cluster.kubelet.runner import ContainerProcess, ProcessRunner, StartFailed
from localnlb.cluster.kubelet.settings import KubeletSettings
from localnlb.cluster.kubelet.sink import PodStatusSink
from localnlb.cluster.kubelet.volume_files import VolumeDirectory, pod_volumes_root
from localnlb.cluster.kubelet.volumes import VolumeSetupError, plan_mounts, planned_volumes
from localnlb.common.clock import Clock, SystemClock

_log = logging.getLogger(__name__)
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def default_host_env() -> dict[str, str]:
    """What every container process starts from (an image's ENV): a PATH and a locale."""
    return {"PATH": os.environ.get("PATH", DEFAULT_PATH), "LANG": "C.UTF-8"}


@dataclass(frozen=True, slots=True)
class KubeletConfig:
    log_root: Path  # DIR/pods
    python_executable: str = sys.executable
    host_env: Mapping[str, str] = field(default_factory=default_host_env)
    settings: KubeletSettings = field(default_factory=KubeletSettings)
    cluster_dns: ClusterDnsConfig | None = None  # --cluster-dns/--cluster-domain; None: unset


class PodWorker:
    def __init__(
        self,
        pod: JsonObject,
        context: PodContext,
        *,
        config: KubeletConfig,
        sink: PodStatusSink,
        runner: ProcessRunner | None = None,
        clock: Clock | None = None,
        events: PodEventRecorder | None = None,
    ) -> None:
        self._pod = pod
        self.uid: str = pod.get("metadata", {}).get("uid", "")
        self._context = context
        self._config = config
        self._events = events or DiscardEvents()
        self._runner = runner or ProcessRunner()
        self._clock = clock or SystemClock()
        metadata = pod.get("metadata", {})
        label = f"{metadata.get('name')}_{metadata.get('namespace') or 'default'}({self.uid})"
        status = pod.get("status") or {}
        stored = {
            entry.get("name"): entry
            for key in ("initContainerStatuses", "containerStatuses")
            for entry in status.get(key) or []
            if isinstance(entry, dict)
        }
        policy = restart_policy(pod)
        waiting = "PodInitializing" if init_containers(pod) else "ContainerCreating"

        def machine(container: JsonObject, policy: RestartPolicy) -> ContainerMachine:
            return ContainerMachine(
                container,
                pod_label=label,
                restart_policy=policy,
                settings=config.settings,
                clock=self._clock,
                previous_status=stored.get(container.get("name")),
                waiting_reason=waiting,
            )

        # init containers run one at a time, in order, each to success, before the others
        self.init_machines = {
            c.get("name", ""): machine(c, init_restart_policy(c, policy))
            for c in init_containers(pod)
        }
        self._sidecars = {c.get("name") for c in init_containers(pod) if is_sidecar(c)}
        self.machines = {c.get("name", ""): machine(c, policy) for c in containers(pod)}
        self.processes: dict[str, ContainerProcess] = {}
        self._launch_specs: dict[str, LaunchSpec] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._starting: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._reporter = StatusReporter(self.uid, sink=sink, clock=self._clock)
        self._grace = termination_grace_seconds(pod)
        self._stopped = False
        self._volumes = VolumeDirectory(
            pod_volumes_root(config.log_root, self.uid), memory_mounts=self._runner.mounts
        )
        self._volume_dirs: dict[str, str] | None = None  # None until every volume is set up
        self._volume_sync_at = 0.0  # monotonic: when the volumes are next brought up to date
        self._mount_error: str | None = None
        self._closing = False  # stop() ends the loop

    @property
    def status(self) -> dict[str, Any] | None:
        """The last status reported."""
        return self._reporter.delivered

    async def start(self) -> None:
        pod_log_dir(self._config.log_root, self._pod).mkdir(parents=True, exist_ok=True)
        self._loop = asyncio.create_task(self._run(), name=f"pod-worker-{self.uid}")

    def update(self, pod: JsonObject, context: PodContext | None = None) -> None:
        """A newer copy of the pod from the API (e.g. a readiness gate's condition changed), and
        of what it refers to (a ConfigMap that now exists). Containers already running keep the
        environment they started with, as on a real node."""
        self._pod = pod
        if context is not None:
            self._context = context
        for container in [*init_containers(pod), *containers(pod)]:
            machine = self.machines.get(container.get("name", "")) or self.init_machines.get(
                container.get("name", "")
            )
            if machine is not None:
                for action in machine.on_spec_changed(container):
                    self._dispatch(machine, action)
        self._volume_sync_at = 0.0  # what the volumes hold may have changed
        self._wake.set()

    async def stop(self, grace: float | None = None) -> None:
        """Stop every container (SIGTERM, ``grace`` seconds, SIGKILL) and report the end state."""
        if grace is not None:
            self._grace = grace
        for machine in self._all_machines():
            for action in machine.request_stop():
                self._dispatch(machine, action)
        # a container being started now is killed as soon as it is up (see on_started)
        await asyncio.gather(*self._starting, return_exceptions=True)
        while self.processes:
            await asyncio.gather(*(p.exited.wait() for p in list(self.processes.values())))
            await asyncio.sleep(0)  # let the exit waiters record the exits
        if self._loop is not None:
            # Python 3.11's wait_for swallows a cancel that meets a wake-up (update() wakes the
            # loop as the deletion arrives): the flag ends the loop even then.
            self._closing = True
            self._wake.set()
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._stopped = True
        if self._loop is not None:  # a pod never started here keeps the status it has
            await self._report_if_changed()

    # -- the loop -------------------------------------------------------------------------------

    def _all_machines(self) -> list[ContainerMachine]:
        return [*self.init_machines.values(), *self.machines.values()]

    def _active_machines(self) -> list[ContainerMachine]:
        """Init containers in order: each must succeed before the next starts; a sidecar
        (``restartPolicy: Always``) must have started and then keeps running. Then the regular
        containers. Nothing further once an init container failed for good (under ``Never``)."""
        active: list[ContainerMachine] = []
        for name, machine in self.init_machines.items():
            if name in self._sidecars:
                active.append(machine)
                if not machine.started:
                    return active
            elif not machine.succeeded:
                return active if machine.finished else [*active, machine]
        return [*active, *self.machines.values()]

    def remove_volumes(self) -> None:
        """The pod is gone: its volumes go too (call after :meth:`stop`)."""
        self._volumes.remove()

    def _sync_volumes(self) -> None:
        """Set up the pod's volumes, and keep them in step with their ConfigMaps and Secrets
        (at each update of the pod's context and every ``volume_resync`` seconds)."""
        now = self._clock.monotonic()
        if now < self._volume_sync_at:
            return
        try:
            self._volume_dirs = self._volumes.apply(planned_volumes(self._pod, self._context))
        except (VolumeSetupError, OSError) as exc:
            self._volume_sync_at = now + self._config.settings.error_resync
            if str(exc) != self._mount_error:  # once per distinct failure, not every retry
                self._mount_error = str(exc)
                _log.info("pod %s: %s", self.uid, exc)
                self._events.record(self._pod, "", KubeletEvent(WARNING, "FailedMount", str(exc)))
            return
        self._mount_error = None
        self._volume_sync_at = now + self._config.settings.volume_resync

    async def _run(self) -> None:
        while not self._closing:
            self._wake.clear()
            self._sync_volumes()
            acted = self._volume_dirs is not None  # no container starts before its volumes
            while acted:
                acted = False
                for machine in self._active_machines():
                    for action in machine.poll():
                        acted = True
                        self._dispatch(machine, action)
            await self._report_if_changed()
            wakes = [w for m in self._active_machines() if (w := m.wake_at()) is not None]
            if self._reporter.retry_at is not None:
                wakes.append(self._reporter.retry_at)
            wakes.append(self._volume_sync_at)
            timeout = max(min(wakes) - self._clock.monotonic(), 0.001) if wakes else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    def _dispatch(self, machine: ContainerMachine, action: Action) -> None:
        if isinstance(action, PullImage):
            try:
                machine.on_pulled(pull_image(machine.image).image_id)
            except ImagePullError as exc:
                _log.info("pod %s: %s", self.uid, exc.message)
                machine.on_pull_failed(exc.reason, exc.message)
        elif isinstance(action, StartContainer):
            starting = self._spawn(self._start_container(machine))
            self._starting.add(starting)
            starting.add_done_callback(self._starting.discard)
        elif isinstance(action, RunProbe):
            self._spawn(self._probe(machine, action))
        elif isinstance(action, KillContainer):
            process = self.processes.get(machine.name)
            if process is not None:
                _log.info("pod %s: killing %s (%s)", self.uid, machine.name, action.reason)
                grace = self._grace if action.grace is None else action.grace
                self._spawn(self._kill(machine, process, grace=grace))

    def _spawn(self, work: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _start_container(self, machine: ContainerMachine) -> None:
        try:
            spec = self._launch_spec_for(machine)
        except ContainerConfigError as exc:
            machine.on_create_failed("CreateContainerConfigError", str(exc))
            self._wake.set()
            return
        except Exception as exc:  # never leave a container stuck in "starting"
            _log.exception("pod %s: cannot build container %s", self.uid, machine.name)
            machine.on_create_failed("CreateContainerError", str(exc))
            self._wake.set()
            return
        log_path = container_log_path(self._config.log_root, self._pod, machine.name)
        try:
            if machine.last_termination is not None:
                rotate_for_restart(log_path)
            process = await self._runner.start(spec, log_path=log_path)
        except StartFailed as exc:
            machine.on_start_failed(str(exc))
            self._wake.set()
            return
        except OSError as exc:  # the log file could not be opened
            machine.on_create_failed("CreateContainerError", f"failed to create log file: {exc}")
            self._wake.set()
            return
        self._launch_specs[machine.name] = spec
        self.processes[machine.name] = process
        self._spawn(self._await_exit(machine, process))
        for action in machine.on_started(process.container_id):
            self._dispatch(machine, action)
        post_start = hook_of(machine.definition, POST_START)
        if post_start is not None:
            self._spawn(self._post_start(machine, process, post_start))
        self._wake.set()

    async def _kill(
        self, machine: ContainerMachine, process: ContainerProcess, *, grace: float
    ) -> None:
        """preStop inside the grace period, then SIGTERM, then SIGKILL (see :mod:`.hooks`)."""
        hook = hook_of(machine.definition, PRE_STOP)
        launch = self._launch_specs.get(machine.name)
        if hook is not None and launch is not None and grace > 0:
            began = self._clock.monotonic()
            outcome = await run_hook(hook, launch=launch, pod_ip=self._context.pod_ip, within=grace)
            if not outcome.ok:
                self._hook_failed(machine, "FailedPreStopHook", hook, outcome)
            remaining = grace - (self._clock.monotonic() - began)
            # a hook that used up the grace period still buys the process a short SIGTERM
            grace = remaining if remaining > 0 else MINIMUM_GRACE_AFTER_HOOK
        await self._runner.terminate(process, grace=grace)

    async def _post_start(
        self, machine: ContainerMachine, process: ContainerProcess, hook: Mapping[str, Any]
    ) -> None:
        launch = self._launch_specs[machine.name]
        outcome = await run_hook(
            hook, launch=launch, pod_ip=self._context.pod_ip, within=self._grace
        )
        if not outcome.ok and self.processes.get(machine.name) is process:
            self._hook_failed(machine, "FailedPostStartHook", hook, outcome)
            for action in machine.on_post_start_failed():
                self._dispatch(machine, action)
            self._wake.set()

    def _hook_failed(
        self, machine: ContainerMachine, reason: str, hook: Mapping[str, Any], outcome: ProbeOutcome
    ) -> None:
        message = describe_failure(
            hook, container=machine.name, pod_label=machine.pod_label, outcome=outcome
        )
        _log.info("pod %s: %s", self.uid, message)
        self._events.record(self._pod, machine.name, KubeletEvent(WARNING, reason, message))

    def _launch_spec_for(self, machine: ContainerMachine) -> LaunchSpec:
        container = next(
            (
                c
                for c in [*init_containers(self._pod), *containers(self._pod)]
                if c.get("name") == machine.name
            ),
            {"name": machine.name, "image": machine.image},
        )
        return build_launch_spec(
            self._pod,
            container,
            pull_image(machine.image),
            self._context,
            python_executable=self._config.python_executable,
            host_env=self._config.host_env,
            default_working_dir=str(pod_log_dir(self._config.log_root, self._pod)),
            mounts=self._container_mounts(container),
        )

    def _container_mounts(self, container: JsonObject) -> list[BindMount]:
        """What this container sees mounted where, in order: its pod volumes' mounts first;
        other mounts (a pod's resolv.conf, persistent volumes) are appended here."""
        mounts = plan_mounts(container, self._pod, self._volume_dirs or {})
        claims = claim_mounts(self._pod, container, self._context.claim_directories)
        for claim in claims:  # a subPath is made on first use, as the kubelet makes it
            Path(claim.source).mkdir(parents=True, exist_ok=True)
        mounts = [*mounts, *claims]
        resolv_conf = resolv_conf_mount(
            self._pod,
            self._config.cluster_dns,
            pod_dir=pod_log_dir(self._config.log_root, self._pod),
        )
        return [*mounts, resolv_conf] if resolv_conf is not None else mounts

    async def _await_exit(self, machine: ContainerMachine, process: ContainerProcess) -> None:
        code = await self._runner.wait(process)
        _log.info("pod %s: container %s exited with %d", self.uid, machine.name, code)
        machine.on_exited(code)
        if self.processes.get(machine.name) is process:
            del self.processes[machine.name]
        self._wake.set()

    async def _probe(self, machine: ContainerMachine, action: RunProbe) -> None:
        probe = machine.probe_spec(action.kind)
        launch = self._launch_specs.get(machine.name)
        if probe is None or launch is None:
            return
        outcome = await run_probe(
            probe,
            pod_ip=self._context.pod_ip,
            ports=launch.ports,
            env=launch.env,
            working_dir=launch.working_dir,
        )
        for follow_up in machine.on_probe_result(action.kind, outcome.ok, outcome.message):
            self._dispatch(machine, follow_up)
        self._wake.set()

    def _flush_events(self) -> None:
        for machine in self._all_machines():
            for event in machine.take_events():
                try:
                    self._events.record(self._pod, machine.name, event)
                except Exception:  # events are best effort, as on a real node
                    _log.exception("pod %s: recording an event failed", self.uid)

    async def _report_if_changed(self) -> None:
        self._flush_events()
        await self._reporter.report(
            self._pod,
            context=self._context,
            container_statuses=[m.status() for m in self.machines.values()],
            init_container_statuses=[m.status() for m in self.init_machines.values()],
            terminal=self._stopped,
        )
