"""The scheduler's volume binding, pure: a pod whose claims are not all bound is not bound yet.

As the scheduler's VolumeBinding plugin does it: a claim that does not exist makes the pod
unschedulable (``persistentvolumeclaim "x" not found``); an unbound claim of a
``WaitForFirstConsumer`` class is annotated with the node chosen for its first pod
(``volume.kubernetes.io/selected-node``) and the pod waits until the provisioner has bound it; a
bound claim whose volume is pinned to a node (``nodeAffinity`` on ``kubernetes.io/hostname``)
keeps the pod on that node.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.volumes import HOSTNAME_LABEL


@dataclass(frozen=True, slots=True)
class VolumeBinding:
    missing: tuple[str, ...] = ()  # claims that do not exist
    unbound: tuple[str, ...] = ()  # claims to annotate with the chosen node, then wait for
    pinned_nodes: frozenset[str] | None = None  # the nodes the bound volumes allow, if limited

    @property
    def ready(self) -> bool:
        return not self.missing and not self.unbound


def claim_names(pod: Mapping[str, Any]) -> list[str]:
    return [
        str(v["persistentVolumeClaim"].get("claimName", ""))
        for v in objects.spec(pod).get("volumes") or ()
        if isinstance(v, dict) and isinstance(v.get("persistentVolumeClaim"), dict)
    ]


def _allowed_nodes(volume: Mapping[str, Any]) -> frozenset[str] | None:
    terms = ((objects.spec(volume).get("nodeAffinity") or {}).get("required") or {}).get(
        "nodeSelectorTerms"
    ) or ()
    allowed: set[str] = set()
    for term in terms:
        for expression in term.get("matchExpressions") or ():
            if expression.get("key") == HOSTNAME_LABEL and expression.get("operator") == "In":
                allowed.update(expression.get("values") or ())
    return frozenset(allowed) if allowed else None


def volume_binding(
    pod: Mapping[str, Any],
    claims: Sequence[Mapping[str, Any]],
    volumes: Sequence[Mapping[str, Any]],
) -> VolumeBinding:
    by_name = {objects.name_of(c): c for c in claims}
    volumes_by_name = {objects.name_of(v): v for v in volumes}
    missing, unbound = [], []
    pinned: frozenset[str] | None = None
    for name in claim_names(pod):
        claim = by_name.get(name)
        if claim is None:
            missing.append(name)
            continue
        bound_to = objects.spec(claim).get("volumeName")
        if not bound_to or bound_to not in volumes_by_name:
            unbound.append(name)
            continue
        allowed = _allowed_nodes(volumes_by_name[bound_to])
        if allowed is not None:
            pinned = allowed if pinned is None else pinned & allowed
    return VolumeBinding(missing=tuple(missing), unbound=tuple(unbound), pinned_nodes=pinned)


def missing_message(missing: Sequence[str], node_count: int) -> str:
    return (
        f"0/{node_count} nodes are available:"
        f' persistentvolumeclaim "{missing[0]}" not found.'
        " preemption: 0/{node_count} nodes are available:"
        " {node_count} Preemption is not helpful for scheduling."
    ).replace("{node_count}", str(node_count))
