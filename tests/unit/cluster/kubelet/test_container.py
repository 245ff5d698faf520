"""The container state machine, driven by hand with a FakeClock: every state the API shows."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.kubelet.backoff import BackoffSettings
from localnlb.cluster.kubelet.container import (
    ContainerMachine,
    KillContainer,
    PullImage,
    RunProbe,
    Stage,
    StartContainer,
)
from localnlb.cluster.kubelet.podspec import ProbeKind, RestartPolicy
from localnlb.cluster.kubelet.settings import KubeletSettings
from localnlb.common.clock import FakeClock, rfc3339

SETTINGS = KubeletSettings(error_resync=2.0)
LABEL = "web-1_default(u-1)"
IMAGE_ID = "docker.io/library/busybox@sha256:" + "0" * 64


def make(
    clock: FakeClock,
    policy: RestartPolicy = RestartPolicy.ALWAYS,
    settings: KubeletSettings = SETTINGS,
    **container: Any,
) -> ContainerMachine:
    spec = {"name": "app", "image": "busybox", **container}
    return ContainerMachine(
        spec, pod_label=LABEL, restart_policy=policy, settings=settings, clock=clock
    )


def start(machine: ContainerMachine, container_id: str = "containerd://c1") -> None:
    actions = machine.poll()
    if actions == [PullImage()]:
        machine.on_pulled(IMAGE_ID)
        actions = machine.poll()
    assert actions == [StartContainer()]
    assert machine.on_started(container_id) == []


def waiting(machine: ContainerMachine) -> dict[str, Any]:
    state = machine.status()["state"]
    assert "waiting" in state, state
    result: dict[str, Any] = state["waiting"]
    return result


def test_runs_and_reports_like_a_kubelet() -> None:
    clock = FakeClock()
    machine = make(clock)
    assert waiting(machine) == {"reason": "ContainerCreating"}
    assert machine.poll() == [PullImage()]
    assert machine.poll() == []  # the pull is in flight
    machine.on_pulled(IMAGE_ID)
    assert machine.poll() == [StartContainer()]
    assert waiting(machine) == {"reason": "ContainerCreating"}
    assert machine.on_started("containerd://c1") == []
    assert machine.status() == {
        "name": "app",
        "state": {"running": {"startedAt": rfc3339(clock.wall())}},
        "lastState": {},
        "ready": True,
        "restartCount": 0,
        "image": "busybox",
        "imageID": IMAGE_ID,
        "started": True,
        "containerID": "containerd://c1",
    }
    assert machine.wake_at() is None  # no probes: nothing to do until something happens


def test_crash_loop_backs_off_10s_doubling_to_5m_with_the_kubelets_message() -> None:
    clock = FakeClock()
    machine = make(clock)
    start(machine)
    clock.advance(1)
    machine.on_exited(1)
    assert machine.poll() == [StartContainer()]  # the first restart is immediate
    machine.on_started("containerd://c2")
    delays = []
    for attempt in range(2, 9):
        clock.advance(1)
        exited_at = clock.monotonic()
        machine.on_exited(1)
        assert machine.poll() == []
        state = waiting(machine)
        assert state["reason"] == "CrashLoopBackOff"
        delay = machine.wake_at() - exited_at  # type: ignore[operator]
        delays.append(delay)
        assert state["message"].startswith("back-off ")
        assert state["message"].endswith(f" restarting failed container=app pod={LABEL}")
        status = machine.status()
        assert status["lastState"]["terminated"]["exitCode"] == 1
        assert status["lastState"]["terminated"]["reason"] == "Error"
        assert status["restartCount"] == attempt - 1
        assert status["ready"] is False
        assert status["started"] is False
        clock.advance(delay - 0.01)
        assert machine.poll() == []
        clock.advance(0.01)
        assert machine.poll() == [StartContainer()]
        machine.on_started(f"containerd://c{attempt + 1}")
        assert machine.status()["restartCount"] == attempt
    assert delays == pytest.approx([10, 20, 40, 80, 160, 300, 300])


def test_crash_loop_message_names_the_current_delay() -> None:
    clock = FakeClock()
    machine = make(clock)
    start(machine)
    machine.on_exited(2)
    machine.poll()
    machine.on_started("containerd://c2")
    machine.on_exited(2)
    machine.poll()
    assert waiting(machine) == {
        "reason": "CrashLoopBackOff",
        "message": f"back-off 10s restarting failed container=app pod={LABEL}",
    }


def test_ten_minutes_of_running_resets_the_backoff() -> None:
    clock = FakeClock()
    machine = make(clock)
    start(machine)
    for n in range(3):  # build the back-off up to 40 s
        machine.on_exited(1)
        if not machine.poll():  # in back-off: wait it out
            clock.advance(machine.wake_at() - clock.monotonic())  # type: ignore[operator]
            assert machine.poll() == [StartContainer()]
        machine.on_started(f"containerd://r{n}")
    clock.advance(601)  # ran for more than 2 x 5 min
    machine.on_exited(1)
    assert machine.poll() == [StartContainer()]  # immediate again
    machine.on_started("containerd://late")
    clock.advance(1)
    machine.on_exited(1)
    machine.poll()
    assert waiting(machine)["message"].startswith("back-off 10s ")


@pytest.mark.parametrize(
    ("policy", "exit_code", "restarts"),
    [
        (RestartPolicy.ALWAYS, 0, True),
        (RestartPolicy.ALWAYS, 1, True),
        (RestartPolicy.ON_FAILURE, 0, False),
        (RestartPolicy.ON_FAILURE, 1, True),
        (RestartPolicy.NEVER, 0, False),
        (RestartPolicy.NEVER, 1, False),
    ],
)
def test_restart_policy(policy: RestartPolicy, exit_code: int, restarts: bool) -> None:
    clock = FakeClock()
    machine = make(clock, policy)
    start(machine)
    clock.advance(3)
    machine.on_exited(exit_code)
    assert (machine.poll() == [StartContainer()]) is restarts
    if not restarts:
        assert machine.finished
        assert machine.wake_at() is None
        terminated = machine.status()["state"]["terminated"]
        assert terminated["exitCode"] == exit_code
        assert terminated["reason"] == ("Completed" if exit_code == 0 else "Error")
        assert terminated["startedAt"] == rfc3339(clock.wall() - 3)
        assert terminated["finishedAt"] == rfc3339(clock.wall())
        assert terminated["containerID"] == "containerd://c1"
        assert machine.status()["lastState"] == {}
        assert machine.status()["containerID"] == "containerd://c1"


def test_oom_killed_reason_is_kept() -> None:
    clock = FakeClock()
    machine = make(clock, RestartPolicy.NEVER)
    start(machine)
    machine.on_exited(137, reason="OOMKilled")
    assert machine.status()["state"]["terminated"]["reason"] == "OOMKilled"


def test_unknown_image_err_image_pull_then_image_pull_back_off() -> None:
    clock = FakeClock()
    machine = make(clock, image="nginx:1.25")
    message = 'Failed to pull image "nginx:1.25": ... not found'
    retries = []
    for _ in range(4):
        assert machine.poll() == [PullImage()]
        failed_at = clock.monotonic()
        machine.on_pull_failed("ErrImagePull", message)
        assert waiting(machine) == {"reason": "ErrImagePull", "message": message}
        assert machine.poll() == []
        clock.advance(SETTINGS.error_resync)  # the next sync shows the back-off
        assert machine.poll() == []
        assert waiting(machine) == {
            "reason": "ImagePullBackOff",
            "message": 'Back-off pulling image "nginx:1.25"',
        }
        retry_at = machine.wake_at()
        assert retry_at is not None
        retries.append(retry_at - failed_at)
        clock.advance(retry_at - clock.monotonic())
    assert retries == [10, 20, 40, 80]
    assert machine.status()["restartCount"] == 0
    assert machine.status()["imageID"] == ""
    assert machine.status()["started"] is False


def test_create_config_error_is_retried_without_counting_a_restart() -> None:
    clock = FakeClock()
    machine = make(clock)
    assert machine.poll() == [PullImage()]
    machine.on_pulled(IMAGE_ID)
    assert machine.poll() == [StartContainer()]
    machine.on_create_failed("CreateContainerConfigError", 'configmap "ui" not found')
    assert waiting(machine) == {
        "reason": "CreateContainerConfigError",
        "message": 'configmap "ui" not found',
    }
    assert machine.poll() == []
    clock.advance(SETTINGS.error_resync)
    assert machine.poll() == [StartContainer()]
    machine.on_started("containerd://c1")
    assert machine.status()["restartCount"] == 0


def test_start_error_is_a_crash_with_exit_code_128() -> None:
    clock = FakeClock()
    machine = make(clock)
    machine.poll()
    machine.on_pulled(IMAGE_ID)
    machine.poll()
    machine.on_start_failed('... exec: "nope": executable file not found in $PATH: unknown')
    assert machine.poll() == [StartContainer()]
    machine.on_start_failed('... exec: "nope": executable file not found in $PATH: unknown')
    assert machine.poll() == []
    status = machine.status()
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    last = status["lastState"]["terminated"]
    assert last["exitCode"] == 128
    assert last["reason"] == "StartError"
    assert "executable file not found" in last["message"]
    assert last["startedAt"] == "1970-01-01T00:00:00Z"
    assert status["restartCount"] == 1


LIVENESS = {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10}


def test_liveness_failures_kill_and_restart_the_container() -> None:
    clock = FakeClock()
    machine = make(clock, livenessProbe={**LIVENESS, "failureThreshold": 3})
    start(machine)
    assert machine.wake_at() == clock.monotonic()
    for n in range(3):
        assert machine.poll() == [RunProbe(ProbeKind.LIVENESS)]
        actions = machine.on_probe_result(ProbeKind.LIVENESS, False)
        assert actions == ([KillContainer("liveness")] if n == 2 else [])
        clock.advance(10)
    assert machine.stage is Stage.KILLING
    assert machine.poll() == []
    assert machine.status()["ready"] is False
    assert "running" in machine.status()["state"]  # until the process has exited
    machine.on_exited(137)
    assert machine.poll() == [StartContainer()]
    machine.on_started("containerd://c2")
    status = machine.status()
    assert status["restartCount"] == 1
    assert status["lastState"]["terminated"]["exitCode"] == 137
    assert status["lastState"]["terminated"]["reason"] == "Error"
    assert machine.poll() == [RunProbe(ProbeKind.LIVENESS)]  # a fresh probe worker


@pytest.mark.parametrize(
    ("policy", "restarts"),
    [(RestartPolicy.ON_FAILURE, True), (RestartPolicy.NEVER, False)],
)
def test_liveness_kill_restarts_unless_never_even_on_exit_0(
    policy: RestartPolicy, restarts: bool
) -> None:
    clock = FakeClock()
    machine = make(clock, policy, livenessProbe={**LIVENESS, "failureThreshold": 1})
    start(machine)
    assert machine.poll() == [RunProbe(ProbeKind.LIVENESS)]
    assert machine.on_probe_result(ProbeKind.LIVENESS, False) == [KillContainer("liveness")]
    machine.on_exited(0)  # it handled SIGTERM and exited cleanly
    assert (machine.poll() == [StartContainer()]) is restarts


def test_passing_liveness_leaves_it_alone() -> None:
    clock = FakeClock()
    machine = make(
        clock, livenessProbe={**LIVENESS, "initialDelaySeconds": 45, "periodSeconds": 20}
    )
    start(machine)
    assert machine.poll() == []  # initial delay
    assert machine.wake_at() == clock.monotonic() + 20
    clock.advance(60)
    assert machine.poll() == [RunProbe(ProbeKind.LIVENESS)]
    assert machine.on_probe_result(ProbeKind.LIVENESS, True) == []
    assert machine.wake_at() == clock.monotonic() + 20


def test_readiness_drives_ready_and_never_kills() -> None:
    clock = FakeClock()
    machine = make(
        clock,
        readinessProbe={"tcpSocket": {"port": 8080}, "periodSeconds": 5, "failureThreshold": 1},
    )
    start(machine)
    assert machine.status()["ready"] is False
    assert machine.status()["started"] is True
    assert machine.poll() == [RunProbe(ProbeKind.READINESS)]
    machine.on_probe_result(ProbeKind.READINESS, True)
    assert machine.status()["ready"] is True
    clock.advance(5)
    assert machine.poll() == [RunProbe(ProbeKind.READINESS)]
    assert machine.on_probe_result(ProbeKind.READINESS, False) == []
    assert machine.status()["ready"] is False
    assert machine.running
    clock.advance(5)
    assert machine.poll() == [RunProbe(ProbeKind.READINESS)]


def test_startup_probe_gates_liveness_and_readiness() -> None:
    clock = FakeClock()
    machine = make(
        clock,
        startupProbe={"exec": {"command": ["true"]}, "periodSeconds": 1, "failureThreshold": 30},
        livenessProbe={**LIVENESS, "periodSeconds": 1},
        readinessProbe={"tcpSocket": {"port": 8080}, "periodSeconds": 1},
    )
    start(machine)
    assert machine.poll() == [RunProbe(ProbeKind.STARTUP)]
    machine.on_probe_result(ProbeKind.STARTUP, False)
    assert machine.status()["started"] is False
    assert machine.status()["ready"] is False
    clock.advance(1)
    assert machine.poll() == [RunProbe(ProbeKind.STARTUP)]
    machine.on_probe_result(ProbeKind.STARTUP, True)
    assert machine.started
    clock.advance(1)
    assert sorted(machine.poll(), key=str) == sorted(
        [RunProbe(ProbeKind.LIVENESS), RunProbe(ProbeKind.READINESS)], key=str
    )


def test_startup_probe_failure_kills_the_container() -> None:
    clock = FakeClock()
    machine = make(clock, startupProbe={"exec": {"command": ["false"]}, "failureThreshold": 2})
    start(machine)
    assert machine.poll() == [RunProbe(ProbeKind.STARTUP)]
    assert machine.on_probe_result(ProbeKind.STARTUP, False) == []
    clock.advance(10)
    assert machine.poll() == [RunProbe(ProbeKind.STARTUP)]
    assert machine.on_probe_result(ProbeKind.STARTUP, False) == [KillContainer("startup")]


def test_probe_results_for_a_gone_container_are_ignored() -> None:
    clock = FakeClock()
    machine = make(clock, livenessProbe={**LIVENESS, "failureThreshold": 1})
    start(machine)
    assert machine.poll() == [RunProbe(ProbeKind.LIVENESS)]
    machine.on_exited(1)
    assert machine.on_probe_result(ProbeKind.LIVENESS, False) == []


def test_stop_kills_a_running_container_and_prevents_restarts() -> None:
    clock = FakeClock()
    machine = make(clock)
    start(machine)
    assert machine.request_stop() == [KillContainer("stop")]
    machine.on_exited(143)
    assert machine.poll() == []
    assert machine.finished
    assert machine.status()["state"]["terminated"]["exitCode"] == 143


def test_stop_while_waiting_or_starting() -> None:
    clock = FakeClock()
    waiting_machine = make(clock, image="nginx")
    waiting_machine.poll()
    waiting_machine.on_pull_failed("ErrImagePull", "x")
    assert waiting_machine.request_stop() == []
    assert waiting_machine.finished
    starting = make(clock)
    starting.poll()
    starting.on_pulled(IMAGE_ID)
    assert starting.poll() == [StartContainer()]
    assert starting.request_stop() == []
    assert starting.on_started("containerd://late") == [KillContainer("stop")]


def test_short_backoff_settings_for_tests() -> None:
    clock = FakeClock()
    settings = KubeletSettings(crash_backoff=BackoffSettings(initial=0.2, maximum=0.8))
    machine = make(clock, settings=settings)
    start(machine)
    machine.on_exited(1)
    machine.poll()
    machine.on_started("containerd://c2")
    machine.on_exited(1)
    machine.poll()
    assert waiting(machine)["message"].startswith("back-off 200ms ")


def test_a_probes_own_grace_period_is_used_for_its_kill() -> None:
    clock = FakeClock()
    machine = make(
        clock,
        livenessProbe={**LIVENESS, "failureThreshold": 1, "terminationGracePeriodSeconds": 2},
    )
    start(machine)
    assert machine.poll() == [RunProbe(ProbeKind.LIVENESS)]
    assert machine.on_probe_result(ProbeKind.LIVENESS, False) == [
        KillContainer("liveness", grace=2.0)
    ]


def test_taking_over_a_container_that_ran_before_counts_its_next_start_as_a_restart() -> None:
    clock = FakeClock()
    stored = {"name": "app", "restartCount": 4, "containerID": "containerd://old"}
    machine = ContainerMachine(
        {"name": "app", "image": "busybox"},
        pod_label=LABEL,
        restart_policy=RestartPolicy.ALWAYS,
        settings=SETTINGS,
        clock=clock,
        previous_status=stored,
    )
    start(machine)
    assert machine.status()["restartCount"] == 5
    never_ran = ContainerMachine(
        {"name": "app", "image": "busybox"},
        pod_label=LABEL,
        restart_policy=RestartPolicy.ALWAYS,
        settings=SETTINGS,
        clock=clock,
        previous_status={"name": "app", "restartCount": 0, "state": {"waiting": {}}},
    )
    start(never_ran)
    assert never_ran.status()["restartCount"] == 0


def events_of(machine: ContainerMachine) -> list[tuple[str, str, str]]:
    return [(e.type, e.reason, e.message) for e in machine.take_events()]


def test_events_for_a_normal_start_and_stop() -> None:
    clock = FakeClock()
    machine = make(clock)
    start(machine)
    assert events_of(machine) == [
        ("Normal", "Pulled", 'Container image "busybox" already present on machine'),
        ("Normal", "Created", "Created container app"),
        ("Normal", "Started", "Started container app"),
    ]
    machine.request_stop()
    assert events_of(machine) == [("Normal", "Killing", "Stopping container app")]
    assert events_of(machine) == []


def test_events_for_a_failed_pull_and_its_back_off() -> None:
    clock = FakeClock()
    machine = make(clock, image="nginx:1.25")
    machine.poll()
    machine.on_pull_failed("ErrImagePull", 'Failed to pull image "nginx:1.25": ...')
    clock.advance(SETTINGS.error_resync)
    machine.poll()
    assert events_of(machine) == [
        ("Normal", "Pulling", 'Pulling image "nginx:1.25"'),
        ("Warning", "Failed", 'Failed to pull image "nginx:1.25": ...'),
        ("Warning", "Failed", "Error: ErrImagePull"),
        ("Normal", "BackOff", 'Back-off pulling image "nginx:1.25"'),
        ("Warning", "Failed", "Error: ImagePullBackOff"),
    ]


def test_events_for_probe_failures_and_the_kill() -> None:
    clock = FakeClock()
    machine = make(clock, livenessProbe={**LIVENESS, "failureThreshold": 2})
    start(machine)
    machine.take_events()
    for _ in range(2):
        machine.poll()
        machine.on_probe_result(ProbeKind.LIVENESS, False, "HTTP probe failed with statuscode: 404")
        clock.advance(10)
    assert events_of(machine) == [
        ("Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404"),
        ("Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404"),
        ("Normal", "Killing", "Container app failed liveness probe, will be restarted"),
    ]


def test_events_for_a_crash_loop_and_config_errors() -> None:
    clock = FakeClock()
    machine = make(clock)
    machine.poll()
    machine.on_pulled(IMAGE_ID)
    machine.poll()
    machine.on_create_failed("CreateContainerConfigError", 'configmap "ui" not found')
    assert events_of(machine)[-1] == ("Warning", "Failed", 'Error: configmap "ui" not found')
    clock.advance(SETTINGS.error_resync)
    machine.poll()
    machine.on_started("containerd://c1")
    machine.on_exited(1)
    machine.poll()
    machine.on_started("containerd://c2")
    machine.take_events()
    machine.on_exited(1)
    machine.poll()
    assert events_of(machine) == [
        ("Warning", "BackOff", f"Back-off restarting failed container app in pod {LABEL}")
    ]


def test_a_changed_image_restarts_the_container_whatever_the_policy() -> None:
    clock = FakeClock()
    machine = make(clock, RestartPolicy.NEVER)
    start(machine)
    machine.take_events()
    assert machine.on_spec_changed({"name": "app", "image": "busybox"}) == []  # same image
    assert machine.on_spec_changed({"name": "app", "image": "busybox:1.37"}) == [
        KillContainer("definition changed")
    ]
    assert events_of(machine) == [
        ("Normal", "Killing", "Container app definition changed, will be restarted")
    ]
    machine.on_exited(143)
    assert machine.poll() == [PullImage()]
    machine.on_pulled("docker.io/library/busybox@sha256:" + "1" * 64)
    assert machine.poll() == [StartContainer()]
    machine.on_started("containerd://c2")
    status = machine.status()
    assert status["image"] == "busybox:1.37"
    assert status["restartCount"] == 1


def test_a_changed_image_of_a_waiting_container_is_used_at_its_next_start() -> None:
    clock = FakeClock()
    machine = make(clock, image="nginx")
    machine.poll()
    machine.on_pull_failed("ErrImagePull", "x")
    assert machine.on_spec_changed({"name": "app", "image": "busybox"}) == []
    clock.advance(SETTINGS.error_resync)
    assert machine.poll() == [PullImage()]  # no back-off for the new image
