"""One container's life as the kubelet drives it: a sans-IO state machine with an injected clock.

The shell asks :meth:`ContainerMachine.poll` what to do (pull, start, probe, kill), does it and
reports back (``on_pulled``, ``on_started``, ``on_exited``, ``on_probe_result`` ...), and sleeps
until :meth:`wake_at`. The machine owns what the API shows: the waiting reasons
(``ContainerCreating``, ``ErrImagePull`` → ``ImagePullBackOff``, ``CreateContainerConfigError``,
``CrashLoopBackOff`` with the kubelet's ``back-off 10s restarting failed container=...`` message),
running/terminated states, ``restartCount``, ``lastState``, ``started`` and ``ready``, the restart
policy, the crash and image back-offs and the three probes. Pure: no I/O, time from ``clock``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.kubelet import events
from localnlb.cluster.kubelet.backoff import Backoff, go_duration
from localnlb.cluster.kubelet.events import KubeletEvent
from localnlb.cluster.kubelet.podspec import (
    JsonObject,
    ProbeKind,
    ProbeSpec,
    RestartPolicy,
    read_probe,
)
from localnlb.cluster.kubelet.probing import ProbeResult, ProbeTracker
from localnlb.cluster.kubelet.settings import KubeletSettings
from localnlb.common.clock import Clock, rfc3339

START_ERROR_EXIT_CODE = 128
CHANGED = "definition changed"


class Stage(enum.Enum):
    NEEDS_START = "needs-start"
    PULLING = "pulling"
    STARTING = "starting"
    RUNNING = "running"
    KILLING = "killing"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class PullImage:
    pass


@dataclass(frozen=True, slots=True)
class StartContainer:
    pass


@dataclass(frozen=True, slots=True)
class RunProbe:
    kind: ProbeKind


@dataclass(frozen=True, slots=True)
class KillContainer:
    reason: str
    # a probe's own terminationGracePeriodSeconds; None means the pod's
    grace: float | None = None


Action = PullImage | StartContainer | RunProbe | KillContainer


@dataclass(frozen=True, slots=True)
class Termination:
    exit_code: int
    reason: str
    message: str | None
    started_at: float | None  # wall clock; None when it never started
    finished_at: float
    finished_monotonic: float
    container_id: str | None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"exitCode": self.exit_code, "reason": self.reason}
        if self.message:
            body["message"] = self.message
        body["startedAt"] = rfc3339(self.started_at or 0.0)
        body["finishedAt"] = rfc3339(self.finished_at)
        if self.container_id:
            body["containerID"] = self.container_id
        return {"terminated": body}


def _instances_before(previous: JsonObject | None) -> int:
    if not previous or not previous.get("containerID"):
        return 0
    count = previous.get("restartCount")
    return (count if isinstance(count, int) and count >= 0 else 0) + 1


class ContainerMachine:
    def __init__(
        self,
        container: JsonObject,
        *,
        pod_label: str,
        restart_policy: RestartPolicy,
        settings: KubeletSettings,
        clock: Clock,
        previous_status: JsonObject | None = None,
        waiting_reason: str = "ContainerCreating",
    ) -> None:
        """``previous_status``: this container's status as last stored, when a kubelet takes
        over a pod that already ran (localnlb restarted): its next start counts as a restart.
        ``waiting_reason``: what it waits for before its first start (``PodInitializing`` while
        init containers run)."""
        self.name: str = container.get("name", "")
        self.image: str = container.get("image", "")
        self._container = container
        self._pod_label = pod_label  # "name_namespace(uid)", as in the kubelet's messages
        self._policy = restart_policy
        self._settings = settings
        self._clock = clock
        self._crash_backoff = Backoff(settings.crash_backoff)
        self._image_backoff = Backoff(settings.image_backoff)
        self.stage = Stage.NEEDS_START
        self._waiting_reason = waiting_reason
        self._waiting_message: str | None = None
        self._retry_at: float | None = None  # after an error: when to look again
        self._image_failed_at: float | None = None
        self._image_id = ""
        self._pulled = False
        self._stopping = False
        self._kill_reason: str | None = None
        self._container_id: str | None = None
        self._started_wall: float | None = None
        self._instances = _instances_before(previous_status)
        self._terminations: list[Termination] = []
        self._probes: dict[ProbeKind, ProbeTracker] = {}
        self._events: list[KubeletEvent] = []

    # -- what to do ---------------------------------------------------------------------------

    def poll(self) -> list[Action]:
        now = self._clock.monotonic()
        if self.stage is Stage.NEEDS_START:
            return self._poll_start(now)
        if self.stage is Stage.RUNNING:
            return self._poll_running(now)
        return []

    def _poll_start(self, now: float) -> list[Action]:
        if self._stopping:
            self.stage = Stage.DONE
            return []
        if self._retry_at is not None and now < self._retry_at:
            return []
        self._retry_at = None
        last = self._terminations[-1] if self._terminations else None
        if last is not None and self._crash_backoff.in_backoff_since(last.finished_monotonic, now):
            self._set_waiting(
                "CrashLoopBackOff",
                f"back-off {go_duration(self._crash_backoff.delay())} restarting failed "
                f"container={self.name} pod={self._pod_label}",
            )
            self._retry_at = last.finished_monotonic + self._crash_backoff.delay()
            self._emit(events.crash_back_off(self.name, self._pod_label))
            return []
        if not self._pulled:
            if self._image_failed_at is not None and self._image_backoff.in_backoff_since(
                self._image_failed_at, now
            ):
                self._set_waiting("ImagePullBackOff", f'Back-off pulling image "{self.image}"')
                self._retry_at = self._image_failed_at + self._image_backoff.delay()
                self._emit(events.image_back_off(self.image), events.error("ImagePullBackOff"))
                return []
            self.stage = Stage.PULLING
            return [PullImage()]
        if last is not None:
            self._crash_backoff.next(last.finished_monotonic, now)
            self._emit(events.already_present(self.image))
        self.stage = Stage.STARTING
        return [StartContainer()]

    def _poll_running(self, now: float) -> list[Action]:
        actions: list[Action] = []
        startup = self._probes.get(ProbeKind.STARTUP)
        gated = startup is not None and startup.result is not ProbeResult.SUCCESS
        for kind, tracker in self._probes.items():
            if kind is ProbeKind.STARTUP and not gated:
                continue
            if tracker.take_due(now, gated=gated and kind is not ProbeKind.STARTUP):
                actions.append(RunProbe(kind))
        return actions

    def wake_at(self) -> float | None:
        """When :meth:`poll` may next have something to do (monotonic), or None."""
        if self.stage is Stage.NEEDS_START:
            return self._retry_at if self._retry_at is not None else self._clock.monotonic()
        if self.stage is Stage.RUNNING:
            times = [t for t in (p.wake_at() for p in self._probes.values()) if t is not None]
            return min(times, default=None)
        return None

    # -- what happened ------------------------------------------------------------------------

    def on_pulled(self, image_id: str) -> None:
        self._pulled, self._image_id, self._image_failed_at = True, image_id, None
        self.stage = Stage.NEEDS_START
        self._emit(events.already_present(self.image))

    def on_pull_failed(self, reason: str, message: str) -> None:
        now = self._clock.monotonic()
        self._image_backoff.next(now, now)
        self._image_failed_at = now
        self._set_waiting(reason, message)
        if reason == "InvalidImageName":
            self._emit(events.failed(message), events.error(reason))
        else:
            self._emit(events.pulling(self.image), events.failed(message), events.error(reason))
        self._retry_at = now + min(self._settings.error_resync, self._image_backoff.delay())
        self.stage = Stage.NEEDS_START

    def on_create_failed(self, reason: str, message: str) -> None:
        """The container could not be created (``CreateContainerConfigError``): retry later."""
        self._set_waiting(reason, message)
        self._emit(events.error(message))
        self._retry_at = self._clock.monotonic() + self._settings.error_resync
        self.stage = Stage.NEEDS_START

    def on_started(self, container_id: str) -> list[Action]:
        now = self._clock.monotonic()
        self._instances += 1
        self._container_id, self._started_wall = container_id, self._clock.wall()
        self._waiting_reason, self._waiting_message = "ContainerCreating", None
        self._kill_reason = None
        self._probes = {
            kind: ProbeTracker(spec, container_started=now)
            for kind in ProbeKind
            if (spec := read_probe(self._container, kind)) is not None
        }
        self.stage = Stage.RUNNING
        self._emit(events.created(self.name), events.started(self.name))
        if self._stopping:  # stopped while starting: take it down at once
            self._kill_reason = "stop"
            self.stage = Stage.KILLING
            return [KillContainer("stop")]
        return []

    def on_start_failed(self, message: str, container_id: str | None = None) -> None:
        """The runtime could not exec the command: ``StartError``, exit code 128, a crash."""
        self._instances += 1
        self._emit(events.created(self.name), events.error(message))
        self._record_exit(
            START_ERROR_EXIT_CODE, "StartError", message, started=None, container_id=container_id
        )

    def on_exited(self, exit_code: int, *, reason: str | None = None) -> None:
        reason = reason or ("Completed" if exit_code == 0 else "Error")
        self._record_exit(exit_code, reason, None, self._started_wall, self._container_id)

    def _record_exit(
        self,
        exit_code: int,
        reason: str,
        message: str | None,
        started: float | None,
        container_id: str | None,
    ) -> None:
        self._terminations = [
            *self._terminations[-1:],
            Termination(
                exit_code=exit_code,
                reason=reason,
                message=message,
                started_at=started,
                finished_at=self._clock.wall(),
                finished_monotonic=self._clock.monotonic(),
                container_id=container_id,
            ),
        ]
        killed_by_probe = self._kill_reason in ("liveness", "startup")
        self._probes = {}
        restart = not self._stopping and (
            self._kill_reason == CHANGED  # a new definition runs whatever the policy says
            or self._policy is RestartPolicy.ALWAYS
            or (self._policy is RestartPolicy.ON_FAILURE and (exit_code != 0 or killed_by_probe))
        )
        self.stage = Stage.NEEDS_START if restart else Stage.DONE

    def on_probe_result(self, kind: ProbeKind, ok: bool, output: str = "") -> list[Action]:
        """Take a probe's outcome (``output``: why it failed); a liveness/startup failure asks
        for the container's kill."""
        tracker = self._probes.get(kind)
        if tracker is None or self.stage is not Stage.RUNNING:
            return []
        tracker.record(ok)
        if not ok:
            self._emit(events.unhealthy(kind, output))
        if kind is not ProbeKind.READINESS and tracker.result is ProbeResult.FAILURE:
            self._kill_reason = kind.value
            self.stage = Stage.KILLING
            self._emit(events.killing_for_probe(self.name, kind))
            return [KillContainer(kind.value, grace=tracker.spec.termination_grace)]
        return []

    def on_post_start_failed(self) -> list[Action]:
        """A failed ``postStart`` hook: the container is killed (and restarted per policy)."""
        if self.stage is not Stage.RUNNING:
            return []
        self._kill_reason = "postStart"
        self.stage = Stage.KILLING
        return [KillContainer("postStart")]

    def on_spec_changed(self, container: JsonObject) -> list[Action]:
        """The pod's spec now says something else for this container (``kubectl set image`` on
        a pod): a running container is killed and started again from the new definition."""
        if container.get("image", "") == self.image:
            self._container = container
            return []
        self._container, self.image = container, container.get("image", "")
        self._pulled, self._image_id, self._image_failed_at = False, "", None
        self._image_backoff = Backoff(self._settings.image_backoff)
        if self.stage is not Stage.RUNNING:
            return []
        self._kill_reason = CHANGED
        self.stage = Stage.KILLING
        self._emit(events.definition_changed(self.name))
        return [KillContainer(CHANGED)]

    def request_stop(self) -> list[Action]:
        """The pod is going away: no more restarts; a running container is killed."""
        self._stopping = True
        if self.stage is Stage.RUNNING:
            self._emit(events.stopping(self.name))
            self._kill_reason = "stop"
            self.stage = Stage.KILLING
            return [KillContainer("stop")]
        if self.stage is Stage.NEEDS_START:
            self.stage = Stage.DONE
        return []

    @property
    def definition(self) -> JsonObject:
        """The container's spec as the pod gives it now."""
        return self._container

    @property
    def pod_label(self) -> str:
        return self._pod_label

    def probe_spec(self, kind: ProbeKind) -> ProbeSpec | None:
        tracker = self._probes.get(kind)
        return tracker.spec if tracker is not None else None

    def take_events(self) -> list[KubeletEvent]:
        """The events recorded since the last call (the worker passes them on)."""
        taken, self._events = self._events, []
        return taken

    def _emit(self, *new: KubeletEvent) -> None:
        self._events.extend(new)

    def _set_waiting(self, reason: str, message: str | None) -> None:
        self._waiting_reason, self._waiting_message = reason, message

    # -- what the API shows -------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.stage in (Stage.RUNNING, Stage.KILLING)

    @property
    def started(self) -> bool:
        startup = self._probes.get(ProbeKind.STARTUP)
        return self.running and (startup is None or startup.result is ProbeResult.SUCCESS)

    @property
    def ready(self) -> bool:
        if not self.started or self.stage is Stage.KILLING:
            return False
        readiness = self._probes.get(ProbeKind.READINESS)
        return readiness is None or readiness.result is ProbeResult.SUCCESS

    @property
    def finished(self) -> bool:
        return self.stage is Stage.DONE

    @property
    def succeeded(self) -> bool:
        """Finished for good with exit code 0 (an init container that did its job)."""
        last = self.last_termination
        return self.finished and last is not None and last.exit_code == 0

    @property
    def restart_count(self) -> int:
        return max(self._instances - 1, 0)

    @property
    def last_termination(self) -> Termination | None:
        return self._terminations[-1] if self._terminations else None

    def status(self) -> dict[str, Any]:
        """This container's ``containerStatuses[]`` entry, as a real kubelet writes it."""
        shown_termination = self.stage is Stage.DONE and bool(self._terminations)
        if self.running:
            state: dict[str, Any] = {"running": {"startedAt": rfc3339(self._started_wall or 0)}}
        elif shown_termination:
            state = self._terminations[-1].to_json()
        else:
            waiting: dict[str, Any] = {"reason": self._waiting_reason}
            if self._waiting_message:
                waiting["message"] = self._waiting_message
            state = {"waiting": waiting}
        previous = self._terminations[:-1] if shown_termination else self._terminations
        status: dict[str, Any] = {
            "name": self.name,
            "state": state,
            "lastState": previous[-1].to_json() if previous else {},
            "ready": self.ready,
            "restartCount": self.restart_count,
            "image": self.image,
            "imageID": self._image_id,
            "started": self.started,
        }
        container_id = self._container_id or (
            self._terminations[-1].container_id if self._terminations else None
        )
        if container_id:
            status["containerID"] = container_id
        return status
