"""Pod phase and conditions follow the kubelet's getPhase and status/generate.go."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.kubelet.podstatus import build_pod_status, pod_phase
from localnlb.common.clock import rfc3339

T0 = 1_780_000_000.0
GATE = "target-health.elbv2.k8s.aws/k8s-ui-uinlb-e1a2b3c4d5"


def pod(
    *names: str, policy: str = "Always", gates: tuple[str, ...] = (), **status: Any
) -> dict[str, Any]:
    return {
        "metadata": {"name": "p", "namespace": "ui", "uid": "u"},
        "spec": {
            "restartPolicy": policy,
            "containers": [{"name": n, "image": "busybox"} for n in names],
            "readinessGates": [{"conditionType": g} for g in gates],
        },
        "status": status,
    }


def cs(
    name: str, state: str, *, ready: bool = False, exit_code: int = 0, last: bool = False
) -> dict[str, Any]:
    body: dict[str, Any] = {"waiting": {"reason": "X"}} if state == "waiting" else {state: {}}
    if state == "terminated":
        body = {"terminated": {"exitCode": exit_code}}
    return {
        "name": name,
        "state": body,
        "lastState": {"terminated": {"exitCode": 1}} if last else {},
        "ready": ready,
    }


@pytest.mark.parametrize(
    ("policy", "statuses", "phase"),
    [
        ("Always", [cs("a", "waiting")], "Pending"),
        ("Always", [cs("a", "running")], "Running"),
        ("Always", [cs("a", "running"), cs("b", "waiting")], "Pending"),
        ("Always", [cs("a", "running"), cs("b", "waiting", last=True)], "Running"),
        ("Always", [cs("a", "waiting", last=True)], "Running"),  # CrashLoopBackOff
        ("Always", [cs("a", "terminated", exit_code=0)], "Running"),
        ("OnFailure", [cs("a", "terminated", exit_code=0)], "Succeeded"),
        ("OnFailure", [cs("a", "terminated", exit_code=1)], "Running"),
        ("Never", [cs("a", "terminated", exit_code=0)], "Succeeded"),
        ("Never", [cs("a", "terminated", exit_code=2)], "Failed"),
        (
            "Never",
            [cs("a", "terminated", exit_code=0), cs("b", "terminated", exit_code=1)],
            "Failed",
        ),
        ("Always", [], "Pending"),
    ],
)
def test_phase(policy: str, statuses: list[dict[str, Any]], phase: str) -> None:
    names = [s["name"] for s in statuses] or ["a"]
    assert pod_phase(pod(*names, policy=policy), statuses) == phase


def test_terminal_pods_being_deleted_end_failed_or_succeeded() -> None:
    statuses = [cs("a", "terminated", exit_code=143)]
    assert pod_phase(pod("a"), statuses, terminal=True) == "Failed"
    assert pod_phase(pod("a"), [cs("a", "terminated")], terminal=True) == "Succeeded"


def conditions_of(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in status["conditions"]}


def build(p: dict[str, Any], statuses: list[dict[str, Any]], now: float = T0) -> dict[str, Any]:
    return build_pod_status(
        p,
        container_statuses=statuses,
        pod_ip="127.20.1.7",
        host_ip="127.20.0.10",
        start_time=T0,
        now=now,
    )


def test_running_ready_pod_status_is_complete() -> None:
    status = build(pod("ui", qosClass="Burstable"), [cs("ui", "running", ready=True)])
    assert status == {
        "phase": "Running",
        "conditions": [
            {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": rfc3339(T0)}
            for t in (
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled",
            )
        ],
        "hostIP": "127.20.0.10",
        "hostIPs": [{"ip": "127.20.0.10"}],
        "podIP": "127.20.1.7",
        "podIPs": [{"ip": "127.20.1.7"}],
        "startTime": rfc3339(T0),
        "containerStatuses": [cs("ui", "running", ready=True)],
        "qosClass": "Burstable",
    }


def test_unready_and_unknown_containers_are_named_as_go_prints_lists() -> None:
    status = build(pod("a", "b", "c"), [cs("a", "running"), cs("b", "running")])
    ready = conditions_of(status)["Ready"]
    assert ready["status"] == "False"
    assert ready["reason"] == "ContainersNotReady"
    assert ready["message"] == (
        "containers with unknown status: [c], containers with unready status: [a b]"
    )
    assert conditions_of(status)["ContainersReady"]["message"] == ready["message"]


def test_completed_pod_containers_ready_is_pod_completed() -> None:
    status = build(pod("a", policy="Never"), [cs("a", "terminated")])
    assert status["phase"] == "Succeeded"
    assert conditions_of(status)["ContainersReady"]["reason"] == "PodCompleted"
    assert conditions_of(status)["Ready"]["reason"] == "PodCompleted"


def test_readiness_gate_without_its_condition_keeps_the_pod_unready() -> None:
    status = build(pod("ui", gates=(GATE,)), [cs("ui", "running", ready=True)])
    ready = conditions_of(status)["Ready"]
    assert ready["status"] == "False"
    assert ready["reason"] == "ReadinessGatesNotReady"
    assert (
        ready["message"]
        == f'corresponding condition of pod readiness gate "{GATE}" does not exist.'
    )
    assert conditions_of(status)["ContainersReady"]["status"] == "True"


def test_readiness_gate_condition_set_by_the_controller_is_honoured_not_echoed() -> None:
    gate_false = {
        "type": GATE,
        "status": "False",
        "reason": "Elb.InitialHealthChecking",
        "lastProbeTime": None,
        "lastTransitionTime": rfc3339(T0 - 5),
    }
    status = build(
        pod("ui", gates=(GATE,), conditions=[gate_false]), [cs("ui", "running", ready=True)]
    )
    # read, not echoed: the writer keeps others' conditions from the stored pod
    assert GATE not in conditions_of(status)
    assert conditions_of(status)["Ready"]["message"] == (
        f'the status of pod readiness gate "{GATE}" is not "True", but False'
    )
    gate_true = {**gate_false, "status": "True"}
    status = build(
        pod("ui", gates=(GATE,), conditions=[gate_true]), [cs("ui", "running", ready=True)]
    )
    assert conditions_of(status)["Ready"]["status"] == "True"


def test_last_transition_time_moves_only_when_the_status_changes() -> None:
    first = build(pod("a"), [cs("a", "waiting")], now=T0)
    assert conditions_of(first)["Ready"]["lastTransitionTime"] == rfc3339(T0)
    again = build(pod("a", conditions=first["conditions"]), [cs("a", "waiting")], now=T0 + 60)
    assert conditions_of(again)["Ready"]["lastTransitionTime"] == rfc3339(T0)
    ready = build(
        pod("a", conditions=again["conditions"]),
        [cs("a", "running", ready=True)],
        now=T0 + 90,
    )
    assert conditions_of(ready)["Ready"]["lastTransitionTime"] == rfc3339(T0 + 90)
    assert conditions_of(ready)["PodScheduled"]["lastTransitionTime"] == rfc3339(T0)


def test_scheduler_condition_time_is_kept() -> None:
    scheduled = {
        "type": "PodScheduled",
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": rfc3339(T0 - 30),
    }
    status = build(pod("a", conditions=[scheduled]), [cs("a", "waiting")])
    assert conditions_of(status)["PodScheduled"]["lastTransitionTime"] == rfc3339(T0 - 30)
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]


def with_init(*init: str, policy: str = "Always") -> dict[str, Any]:
    p = pod("app", policy=policy)
    p["spec"]["initContainers"] = [{"name": n, "image": "busybox"} for n in init]
    return p


def test_init_containers_keep_the_pod_pending_and_uninitialized() -> None:
    p = with_init("setup", "migrate")
    status = build_pod_status(
        p,
        container_statuses=[cs("app", "waiting")],
        init_container_statuses=[cs("setup", "terminated"), cs("migrate", "running")],
        pod_ip="127.20.1.7",
        host_ip="127.20.0.10",
        start_time=T0,
        now=T0,
    )
    assert status["phase"] == "Pending"
    initialized = conditions_of(status)["Initialized"]
    assert initialized["status"] == "False"
    assert initialized["reason"] == "ContainersNotInitialized"
    assert initialized["message"] == "containers with incomplete status: [migrate]"
    assert [s["name"] for s in status["initContainerStatuses"]] == ["setup", "migrate"]


def test_done_init_containers_initialize_the_pod() -> None:
    status = build_pod_status(
        with_init("setup"),
        container_statuses=[cs("app", "running", ready=True)],
        init_container_statuses=[cs("setup", "terminated")],
        pod_ip="127.20.1.7",
        host_ip="127.20.0.10",
        start_time=T0,
        now=T0,
    )
    assert status["phase"] == "Running"
    assert conditions_of(status)["Initialized"]["status"] == "True"


@pytest.mark.parametrize(("policy", "phase"), [("Never", "Failed"), ("Always", "Pending")])
def test_a_failed_init_container_fails_the_pod_only_under_never(policy: str, phase: str) -> None:
    init = [cs("setup", "terminated", exit_code=1)]
    assert (
        pod_phase(with_init("setup", policy=policy), [cs("app", "waiting")], init_statuses=init)
        == phase
    )
    crash_looping = [cs("setup", "waiting", last=True)]
    assert (
        pod_phase(with_init("setup"), [cs("app", "waiting")], init_statuses=crash_looping)
        == "Pending"
    )


def test_a_sidecar_counts_as_initialized_once_started_and_counts_for_readiness() -> None:
    p = pod("app")
    p["spec"]["initContainers"] = [{"name": "proxy", "image": "busybox", "restartPolicy": "Always"}]
    sidecar_starting = {**cs("proxy", "running"), "started": False}
    status = build_pod_status(
        p,
        container_statuses=[cs("app", "waiting")],
        init_container_statuses=[sidecar_starting],
        pod_ip="127.20.1.7",
        host_ip="127.20.0.10",
        start_time=T0,
        now=T0,
    )
    assert conditions_of(status)["Initialized"]["status"] == "False"
    assert status["phase"] == "Pending"
    sidecar_up = {**cs("proxy", "running"), "started": True, "ready": False}
    status = build_pod_status(
        p,
        container_statuses=[cs("app", "running", ready=True)],
        init_container_statuses=[sidecar_up],
        pod_ip="127.20.1.7",
        host_ip="127.20.0.10",
        start_time=T0,
        now=T0,
    )
    assert conditions_of(status)["Initialized"]["status"] == "True"
    assert status["phase"] == "Running"
    assert conditions_of(status)["ContainersReady"]["message"] == (
        "containers with unready status: [proxy]"
    )
