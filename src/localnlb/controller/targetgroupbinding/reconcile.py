"""One TargetGroupBinding reconcile: make the target group's targets match the endpoints.

Resolve the desired targets through the cluster view, read the registered ones, deregister what
is gone *first*, then register what is new (in calls of at most 200), then bring the pods'
target-health readiness gates in step with the targets' health. Returns when to look again:
in 15 s while a gated pod is not yet ready or a potentially ready pod exists, else never (the
next cluster event triggers the next reconcile).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from localnlb.controller.targetgroupbinding.objects import CONDITION_TRUE
from localnlb.controller.targetgroupbinding.readiness import (
    REQUEUE_SECONDS,
    PodCondition,
    binding_deleted_condition,
    build_target_health_condition,
    has_readiness_gate,
    readiness_gate_type,
)
from localnlb.controller.targetgroupbinding.resolve import BindingRef, resolve_desired_targets
from localnlb.controller.targetgroupbinding.targets import (
    ActualTarget,
    TargetDescription,
    chunked,
    diff_targets,
)
from localnlb.controller.targetgroupbinding.view import ClusterView


class TargetsClient(Protocol):
    """The target calls of ELBv2 (a subset of ``deploy.seams.ElbV2Client``)."""

    async def describe_target_health(self, target_group_arn: str) -> list[ActualTarget]: ...

    async def register_targets(
        self, target_group_arn: str, targets: Sequence[TargetDescription]
    ) -> None: ...

    async def deregister_targets(
        self, target_group_arn: str, targets: Sequence[TargetDescription]
    ) -> None: ...


class PodConditionWriter(Protocol):
    async def set_pod_condition(
        self, namespace: str, pod_name: str, condition: PodCondition
    ) -> None:
        """Patch the pod's status condition (only when it differs)."""
        ...


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    registered: tuple[TargetDescription, ...]
    deregistered: tuple[TargetDescription, ...]
    requeue_after: float | None


async def reconcile_binding(
    binding: BindingRef,
    *,
    view: ClusterView,
    targets: TargetsClient,
    pods: PodConditionWriter,
    in_vpc: Callable[[str], bool],
    fail_open: bool = True,
    max_targets: int = 0,
    owned_keys: frozenset[str] | None = None,
) -> ReconcileResult:
    desired = resolve_desired_targets(binding, view, in_vpc=in_vpc, fail_open=fail_open)
    actual = await targets.describe_target_health(binding.target_group_arn)
    changes = diff_targets(
        desired.targets,
        actual,
        owned_keys=owned_keys if binding.multi_cluster else None,
        max_targets=max_targets,
    )
    for chunk in chunked(changes.deregister):
        await targets.deregister_targets(binding.target_group_arn, chunk)
    for chunk in chunked(changes.register):
        await targets.register_targets(binding.target_group_arn, chunk)
    gates_pending = await _update_readiness_gates(
        binding, view=view, pods=pods, actual=actual, just_registered=changes.register
    )
    requeue = gates_pending or desired.contains_potential_ready
    return ReconcileResult(
        changes.register, changes.deregister, REQUEUE_SECONDS if requeue else None
    )


async def _update_readiness_gates(
    binding: BindingRef,
    *,
    view: ClusterView,
    pods: PodConditionWriter,
    actual: list[ActualTarget],
    just_registered: tuple[TargetDescription, ...],
) -> bool:
    """Set each gated pod's condition from its target's health; True if any is not True."""
    gate = readiness_gate_type(binding.name)
    gated = [p for p in view.list_pods(binding.namespace) if has_readiness_gate(p, binding.name)]
    if not gated:
        return False
    health_by_ip = {t.target.id: t for t in actual if not t.is_draining}
    new_ips = {t.id for t in just_registered}
    ip_of_pod = _pod_addresses(binding, view)
    pending = False
    for pod in gated:
        ip = ip_of_pod.get(pod.name)
        if ip is None:
            continue  # not an endpoint (yet): its gate waits for registration
        condition = build_target_health_condition(
            binding.name, health_by_ip.get(ip), just_registered=ip in new_ips
        )
        if pod.conditions.get(gate) != condition.status or condition.status != CONDITION_TRUE:
            await pods.set_pod_condition(pod.namespace, pod.name, condition)
        pending |= condition.status != CONDITION_TRUE
    return pending


def _pod_addresses(binding: BindingRef, view: ClusterView) -> dict[str, str]:
    addresses: dict[str, str] = {}
    for slice_ in view.list_endpoint_slices(binding.namespace, binding.service_name):
        for endpoint in slice_.endpoints:
            if endpoint.target_kind == "Pod" and endpoint.addresses:
                addresses[endpoint.target_name] = endpoint.addresses[0]
    return addresses


async def cleanup_binding(
    binding: BindingRef,
    *,
    view: ClusterView,
    targets: TargetsClient,
    pods: PodConditionWriter,
    owned_keys: frozenset[str] | None = None,
) -> tuple[TargetDescription, ...]:
    """The binding is being deleted: deregister all its targets (only its own with
    multi-cluster) and release every pod its readiness gate holds; then its finalizer may go."""
    actual = await targets.describe_target_health(binding.target_group_arn)
    changes = diff_targets([], actual, owned_keys=owned_keys if binding.multi_cluster else None)
    for chunk in chunked(changes.deregister):
        await targets.deregister_targets(binding.target_group_arn, chunk)
    for pod in view.list_pods(binding.namespace):
        if has_readiness_gate(pod, binding.name):
            await pods.set_pod_condition(
                pod.namespace, pod.name, binding_deleted_condition(binding.name)
            )
    return changes.deregister
