"""The pod mutator (``mpod.elbv2.k8s.aws``): readiness gates for the pods an ip binding targets.

For each TargetGroupBinding in the pod's namespace with ``targetType: ip`` whose Service has a
non-empty selector matching the pod's labels, the pod gets the readiness gate
``target-health.elbv2.k8s.aws/<binding>`` (once). Gates of the legacy ALB ingress controller
(``target-health.alb.ingress.k8s.aws/...``) are dropped. Reference §2.11; the namespace label
that turns injection on is the webhook's namespaceSelector, not checked here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localnlb.controller.targetgroupbinding.readiness import readiness_gate_type

Raw = dict[str, Any]
LEGACY_GATE_PREFIX = "target-health.alb.ingress.k8s.aws/"


@dataclass(frozen=True, slots=True)
class BindingTarget:
    """What the mutator reads of one TargetGroupBinding."""

    name: str
    target_type: str
    service_name: str


def binding_target(obj: Mapping[str, Any]) -> BindingTarget:
    spec = obj.get("spec") or {}
    return BindingTarget(
        name=str((obj.get("metadata") or {}).get("name", "")),
        target_type=str(spec.get("targetType") or ""),
        service_name=str((spec.get("serviceRef") or {}).get("name", "")),
    )


def _selects(selector: Mapping[str, str] | None, labels: Mapping[str, str]) -> bool:
    """A Service selector: empty selects no pod here (the real webhook skips it)."""
    return bool(selector) and all(labels.get(k) == v for k, v in (selector or {}).items())


def wanted_gates(
    labels: Mapping[str, str],
    bindings: list[BindingTarget],
    selectors: Mapping[str, Mapping[str, str] | None],
) -> list[str]:
    """The gate condition types the pod should carry, in binding-name order. ``selectors``:
    Service name → its ``spec.selector`` (absent Services are skipped)."""
    gates = []
    for binding in sorted(bindings, key=lambda b: b.name):
        if binding.target_type != "ip":
            continue
        if _selects(selectors.get(binding.service_name), labels):
            gates.append(readiness_gate_type(binding.name))
    return gates


def readiness_gate_patch(pod: Mapping[str, Any], gates: list[str]) -> list[Raw]:
    """JSONPatch operations giving ``pod`` the ``gates`` it lacks and dropping legacy ones;
    empty when nothing changes."""
    spec = pod.get("spec") or {}
    current = [g for g in spec.get("readinessGates") or [] if isinstance(g, dict)]
    kept = [
        g for g in current if not str(g.get("conditionType", "")).startswith(LEGACY_GATE_PREFIX)
    ]
    present = {str(g.get("conditionType", "")) for g in kept}
    added = [{"conditionType": gate} for gate in dict.fromkeys(gates) if gate not in present]
    if not added and len(kept) == len(current):
        return []
    wanted = [*kept, *added]
    if "readinessGates" in spec:
        return [{"op": "replace", "path": "/spec/readinessGates", "value": wanted}]
    if not wanted:
        return []
    return [{"op": "add", "path": "/spec/readinessGates", "value": wanted}]
