"""Container lifecycle hooks: ``postStart`` after a container starts, ``preStop`` before it is
killed, each an ``exec``, ``httpGet`` or ``sleep`` action, run as a kubelet runs them.

``preStop`` runs inside the grace period: the SIGTERM comes when the hook is done, with what is
left of the grace period (at least 2 s more if the hook used it all up, as the kubelet allows).
This is what lets a pod keep serving while a load balancer deregisters it. A failed hook is an
event (``FailedPreStopHook`` / ``FailedPostStartHook``); a failed ``postStart`` also gets the
container killed. Thin shell over the probe executors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from localnlb.cluster.kubelet.launch import LaunchSpec
from localnlb.cluster.kubelet.podspec import JsonObject, ProbeAction, ProbeKind, ProbeSpec
from localnlb.cluster.kubelet.probes import ProbeOutcome, run_probe

MINIMUM_GRACE_AFTER_HOOK = 2.0
POST_START = "postStart"
PRE_STOP = "preStop"


def hook_of(container: JsonObject, which: str) -> Mapping[str, Any] | None:
    lifecycle = container.get("lifecycle")
    if not isinstance(lifecycle, Mapping):
        return None
    hook = lifecycle.get(which)
    return hook if isinstance(hook, Mapping) and hook else None


async def run_hook(
    hook: Mapping[str, Any], *, launch: LaunchSpec, pod_ip: str, within: float
) -> ProbeOutcome:
    """Run one hook action to completion, or until ``within`` seconds have passed."""
    sleep = hook.get("sleep")
    if isinstance(sleep, Mapping):
        seconds = sleep.get("seconds")
        if isinstance(seconds, int | float) and not isinstance(seconds, bool):
            await asyncio.sleep(min(max(float(seconds), 0.0), within))
        return ProbeOutcome(True)
    for action in (ProbeAction.EXEC, ProbeAction.HTTP_GET, ProbeAction.TCP_SOCKET):
        handler = hook.get(action.value)
        if isinstance(handler, Mapping):
            spec = ProbeSpec(
                kind=ProbeKind.LIVENESS, action=action, handler=handler, timeout=within
            )
            return await run_probe(
                spec,
                pod_ip=pod_ip,
                ports=launch.ports,
                env=launch.env,
                working_dir=launch.working_dir,
            )
    return ProbeOutcome(False, "lifecycle hook has no action")


def describe_failure(
    hook: Mapping[str, Any], *, container: str, pod_label: str, outcome: ProbeOutcome
) -> str:
    """The kubelet's wording for a failed hook (``Exec lifecycle hook ([cmd]) for ...``)."""
    if isinstance(hook.get("exec"), Mapping):
        command = " ".join(str(part) for part in hook["exec"].get("command") or [])
        return (
            f'Exec lifecycle hook ([{command}]) for Container "{container}" in Pod '
            f"\"{pod_label}\" failed - error: command '{command}' exited with non-zero status, "
            f'message: "{outcome.message}"'
        )
    return (
        f"HTTP lifecycle hook ({(hook.get('httpGet') or {}).get('path', '/')}) for Container "
        f'"{container}" in Pod "{pod_label}" failed - error: {outcome.message}'
    )
