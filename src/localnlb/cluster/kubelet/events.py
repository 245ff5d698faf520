"""The events a kubelet records about a pod's containers (what ``kubectl describe pod`` lists
under Events), with the kubelet's reasons and texts (Kubernetes 1.31).

The container state machine produces them as values; the worker hands them, with the pod and
the container, to a :class:`PodEventRecorder` (the node agent creates ``Event`` objects; the
default records nothing). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from localnlb.cluster.kubelet.podspec import JsonObject, ProbeKind

NORMAL = "Normal"
WARNING = "Warning"


@dataclass(frozen=True, slots=True)
class KubeletEvent:
    type: str  # Normal | Warning
    reason: str
    message: str


class PodEventRecorder(Protocol):
    def record(self, pod: JsonObject, container: str, event: KubeletEvent) -> None:
        """``container`` names the involved object's field path ``spec.containers{<name>}``."""
        ...


class DiscardEvents:
    def record(self, pod: JsonObject, container: str, event: KubeletEvent) -> None:
        return None


def pulling(image: str) -> KubeletEvent:
    return KubeletEvent(NORMAL, "Pulling", f'Pulling image "{image}"')


def already_present(image: str) -> KubeletEvent:
    return KubeletEvent(NORMAL, "Pulled", f'Container image "{image}" already present on machine')


def failed(message: str) -> KubeletEvent:
    return KubeletEvent(WARNING, "Failed", message)


def error(reason_or_message: str) -> KubeletEvent:
    """``Error: ErrImagePull``, ``Error: configmap "ui" not found`` ..."""
    return KubeletEvent(WARNING, "Failed", f"Error: {reason_or_message}")


def image_back_off(image: str) -> KubeletEvent:
    return KubeletEvent(NORMAL, "BackOff", f'Back-off pulling image "{image}"')


def created(container: str) -> KubeletEvent:
    return KubeletEvent(NORMAL, "Created", f"Created container {container}")


def started(container: str) -> KubeletEvent:
    return KubeletEvent(NORMAL, "Started", f"Started container {container}")


def crash_back_off(container: str, pod_label: str) -> KubeletEvent:
    return KubeletEvent(
        WARNING, "BackOff", f"Back-off restarting failed container {container} in pod {pod_label}"
    )


def unhealthy(kind: ProbeKind, output: str) -> KubeletEvent:
    return KubeletEvent(WARNING, "Unhealthy", f"{kind.value.capitalize()} probe failed: {output}")


def killing_for_probe(container: str, kind: ProbeKind) -> KubeletEvent:
    return KubeletEvent(
        NORMAL, "Killing", f"Container {container} failed {kind.value} probe, will be restarted"
    )


def stopping(container: str) -> KubeletEvent:
    return KubeletEvent(NORMAL, "Killing", f"Stopping container {container}")


def definition_changed(container: str) -> KubeletEvent:
    return KubeletEvent(
        NORMAL, "Killing", f"Container {container} definition changed, will be restarted"
    )
