"""The parts of a Pod (as Kubernetes API JSON) the kubelet acts on, read once into typed values.

Pods arrive as plain dicts, exactly as the API serves them; this module turns a container's
probes, ports and restart settings into frozen values with the API's defaults filled in
(``periodSeconds`` 10, ``timeoutSeconds`` 1, thresholds 1/3, grace period 30 s), so the state
machines never touch raw JSON. Pure.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

JsonObject = Mapping[str, Any]

DEFAULT_TERMINATION_GRACE_SECONDS = 30


class RestartPolicy(enum.Enum):
    ALWAYS = "Always"
    ON_FAILURE = "OnFailure"
    NEVER = "Never"


class ProbeKind(enum.Enum):
    STARTUP = "startup"
    LIVENESS = "liveness"
    READINESS = "readiness"


class ProbeAction(enum.Enum):
    HTTP_GET = "httpGet"
    TCP_SOCKET = "tcpSocket"
    EXEC = "exec"
    GRPC = "grpc"


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    kind: ProbeKind
    action: ProbeAction
    handler: JsonObject  # the action's own JSON (path/port/host/scheme, command, ...)
    initial_delay: float = 0.0
    period: float = 10.0
    timeout: float = 1.0
    success_threshold: int = 1
    failure_threshold: int = 3
    termination_grace: float | None = None  # the probe's terminationGracePeriodSeconds


@dataclass(frozen=True, slots=True)
class PortSpec:
    name: str | None
    container_port: int
    protocol: str


def restart_policy(pod: JsonObject) -> RestartPolicy:
    value = pod.get("spec", {}).get("restartPolicy") or "Always"
    try:
        return RestartPolicy(value)
    except ValueError:
        return RestartPolicy.ALWAYS


def termination_grace_seconds(pod: JsonObject) -> float:
    """The deletion's grace period if set (``kubectl delete --grace-period``), else the spec's."""
    metadata = pod.get("metadata", {})
    if metadata.get("deletionGracePeriodSeconds") is not None:
        return float(metadata["deletionGracePeriodSeconds"])
    value = pod.get("spec", {}).get("terminationGracePeriodSeconds")
    return float(DEFAULT_TERMINATION_GRACE_SECONDS if value is None else value)


def containers(pod: JsonObject) -> Sequence[JsonObject]:
    return list(pod.get("spec", {}).get("containers") or [])


def read_probe(container: JsonObject, kind: ProbeKind) -> ProbeSpec | None:
    raw = container.get(f"{kind.value}Probe")
    if not raw:
        return None
    for action in ProbeAction:
        if raw.get(action.value) is not None:
            break
    else:
        return None
    success_default = 1
    return ProbeSpec(
        kind=kind,
        action=action,
        handler=raw[action.value],
        initial_delay=float(raw.get("initialDelaySeconds") or 0),
        period=float(raw.get("periodSeconds") or 10),
        timeout=float(raw.get("timeoutSeconds") or 1),
        # liveness and startup probes must use 1 (validation enforces it); readiness may not.
        success_threshold=int(raw.get("successThreshold") or success_default)
        if kind is ProbeKind.READINESS
        else 1,
        failure_threshold=int(raw.get("failureThreshold") or 3),
        termination_grace=None
        if raw.get("terminationGracePeriodSeconds") is None
        else float(raw["terminationGracePeriodSeconds"]),
    )


def read_ports(container: JsonObject) -> tuple[PortSpec, ...]:
    return tuple(
        PortSpec(
            name=port.get("name"),
            container_port=int(port["containerPort"]),
            protocol=port.get("protocol") or "TCP",
        )
        for port in container.get("ports") or []
        if port.get("containerPort") is not None
    )


def resolve_port(port: int | str, ports: Sequence[PortSpec]) -> int | None:
    """A probe's ``port`` is a number or the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    if port.isdigit():
        return int(port)
    for candidate in ports:
        if candidate.name == port:
            return candidate.container_port
    return None
