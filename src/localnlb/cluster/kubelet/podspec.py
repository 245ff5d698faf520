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
from typing import Any, TypeVar

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
    deletion = _number(metadata.get("deletionGracePeriodSeconds"), None, minimum=0)
    if deletion is not None:
        return deletion
    spec_grace = pod.get("spec", {}).get("terminationGracePeriodSeconds")
    return _number(spec_grace, DEFAULT_TERMINATION_GRACE_SECONDS, minimum=0)


def _number(value: object, default: _D, *, minimum: float) -> float | _D:
    """A numeric field as given, or ``default`` when absent or not a number (the API validates;
    the kubelet still never falls over a bad one)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        return default
    return float(value)


def _count(value: object, default: int) -> int:
    return int(_number(value, default, minimum=1))


_D = TypeVar("_D", float, None)


def containers(pod: JsonObject) -> Sequence[JsonObject]:
    return list(pod.get("spec", {}).get("containers") or [])


def init_containers(pod: JsonObject) -> Sequence[JsonObject]:
    return list(pod.get("spec", {}).get("initContainers") or [])


def is_sidecar(container: JsonObject) -> bool:
    """An init container with ``restartPolicy: Always`` runs beside the others (Kubernetes 1.29)."""
    return container.get("restartPolicy") == "Always"


def init_restart_policy(container: JsonObject, policy: RestartPolicy) -> RestartPolicy:
    """Init containers are retried until they succeed, unless the pod never restarts anything;
    sidecars are always restarted."""
    if is_sidecar(container):
        return RestartPolicy.ALWAYS
    return RestartPolicy.NEVER if policy is RestartPolicy.NEVER else RestartPolicy.ON_FAILURE


def read_probe(container: JsonObject, kind: ProbeKind) -> ProbeSpec | None:
    raw = container.get(f"{kind.value}Probe")
    if not raw:
        return None
    for action in ProbeAction:
        if raw.get(action.value) is not None:
            break
    else:
        return None
    handler = raw[action.value]
    return ProbeSpec(
        kind=kind,
        action=action,
        handler=handler if isinstance(handler, Mapping) else {},
        initial_delay=_number(raw.get("initialDelaySeconds"), 0, minimum=0),
        # fractions of a second are not valid API values; the kubelet takes them for tests
        period=_number(raw.get("periodSeconds"), 10, minimum=0.01),
        timeout=_number(raw.get("timeoutSeconds"), 1, minimum=0.01),
        # liveness and startup probes must use 1 (validation enforces it); readiness may not.
        success_threshold=_count(raw.get("successThreshold"), 1)
        if kind is ProbeKind.READINESS
        else 1,
        failure_threshold=_count(raw.get("failureThreshold"), 3),
        termination_grace=_number(raw.get("terminationGracePeriodSeconds"), None, minimum=0),
    )


def read_ports(container: JsonObject) -> tuple[PortSpec, ...]:
    return tuple(
        PortSpec(
            name=port.get("name"),
            container_port=port["containerPort"],
            protocol=port.get("protocol") or "TCP",
        )
        for port in container.get("ports") or []
        if isinstance(port, Mapping) and isinstance(port.get("containerPort"), int)
    )


def resolve_port(port: object, ports: Sequence[PortSpec]) -> int | None:
    """A probe's ``port`` is a number or the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    if not isinstance(port, str):
        return None
    if port.isdigit():
        return int(port)
    for candidate in ports:
        if candidate.name == port:
            return candidate.container_port
    return None
