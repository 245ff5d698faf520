"""Pod readiness gates for ip-mode targets (reference §2.11).

A pod created in a namespace labelled ``elbv2.k8s.aws/pod-readiness-gate-inject: enabled``
carries ``target-health.elbv2.k8s.aws/<binding name>`` among its readiness gates. The binding
controller keeps that condition in step with the pod's target: ``True`` only when the target is
``healthy`` (the code, not the docs sample, decides), ``False`` for any other known state with
AWS's reason and description, ``Unknown`` when the target's health is not known; a target just
registered reads ``False / Elb.RegistrationInProgress``. While any gated pod is not ``True`` the
binding is reconciled again every 15 s.
"""

from __future__ import annotations

from dataclasses import dataclass

from localnlb.controller.service.constants import READINESS_GATE_PREFIX
from localnlb.controller.targetgroupbinding.objects import (
    CONDITION_FALSE,
    CONDITION_TRUE,
    CONDITION_UNKNOWN,
    PodInfo,
)
from localnlb.controller.targetgroupbinding.targets import ActualTarget

REQUEUE_SECONDS = 15.0
REGISTRATION_IN_PROGRESS = ("Elb.RegistrationInProgress", "Target registration is in progress")
BINDING_DELETED_MESSAGE = "Target Group Binding is deleted"


@dataclass(frozen=True, slots=True)
class PodCondition:
    type: str
    status: str
    reason: str = ""
    message: str = ""


def readiness_gate_type(binding_name: str) -> str:
    return f"{READINESS_GATE_PREFIX}{binding_name}"


def has_readiness_gate(pod: PodInfo, binding_name: str) -> bool:
    return readiness_gate_type(binding_name) in pod.readiness_gates


def build_target_health_condition(
    binding_name: str, target: ActualTarget | None, *, just_registered: bool = False
) -> PodCondition:
    gate = readiness_gate_type(binding_name)
    if just_registered:
        return PodCondition(gate, CONDITION_FALSE, *REGISTRATION_IN_PROGRESS)
    if target is None:
        return PodCondition(gate, CONDITION_UNKNOWN)
    status = CONDITION_TRUE if target.state == "healthy" else CONDITION_FALSE
    return PodCondition(gate, status, target.reason or "", target.description or "")


def binding_deleted_condition(binding_name: str) -> PodCondition:
    return PodCondition(
        readiness_gate_type(binding_name), CONDITION_TRUE, message=BINDING_DELETED_MESSAGE
    )
