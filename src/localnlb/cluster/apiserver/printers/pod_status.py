"""The pod STATUS and READY columns, following kubectl's printPod rules (init containers,
waiting/terminated reasons, Terminating, NodeLost)."""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]


def ready_and_restarts(pod: JsonObject) -> tuple[int, int, int, str]:
    """(ready containers, total containers, restarts, last restart time or "")."""
    spec = pod.get("spec") or {}
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    total = len(spec.get("containers") or [])
    ready = sum(1 for s in statuses if s.get("ready"))
    restarts = sum(int(s.get("restartCount") or 0) for s in statuses)
    last = ""
    for container in statuses:
        finished = ((container.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        if finished and finished > last:
            last = finished
    return ready, total, restarts, last


def pod_status_reason(pod: JsonObject) -> str:
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or ""
    init_statuses = status.get("initContainerStatuses") or []
    initializing = False
    init_count = len((pod.get("spec") or {}).get("initContainers") or [])
    for index, container in enumerate(init_statuses):
        state = container.get("state") or {}
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        if terminated and terminated.get("exitCode") == 0:
            continue
        if terminated:
            reason = "Init:" + (
                terminated.get("reason")
                or (
                    f"Signal:{terminated['signal']}"
                    if terminated.get("signal")
                    else f"ExitCode:{terminated.get('exitCode')}"
                )
            )
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{init_count}"
        initializing = True
        break
    if not initializing:
        has_running = False
        for container in reversed(status.get("containerStatuses") or []):
            state = container.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated:
                reason = (
                    f"Signal:{terminated['signal']}"
                    if terminated.get("signal")
                    else f"ExitCode:{terminated.get('exitCode')}"
                )
            elif state.get("running") and container.get("ready"):
                has_running = True
        if reason == "Completed" and has_running:
            conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
            reason = "Running" if conditions.get("Ready") == "True" else "NotReady"
    deleting = (pod.get("metadata") or {}).get("deletionTimestamp")
    if deleting and status.get("reason") == "NodeLost":
        return "Unknown"
    if deleting:
        return "Terminating"
    return str(reason)
