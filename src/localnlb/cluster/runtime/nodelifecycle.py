"""The node lifecycle loop: nodes whose kubelet went silent or NotReady take their pods out.

Runs every few seconds (leases expire with time, not with events) and on node changes.
Decisions come from :mod:`localnlb.cluster.nodes.lifecycle`: a silent node's conditions become
Unknown, it gets the unreachable/not-ready taints, and its pods' Ready condition goes False — so
their endpoints leave service. Taints are removed again when the node is Ready.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.nodes.lifecycle import (
    NOT_READY_TAINT,
    UNREACHABLE_TAINT,
    judge_node,
    pod_not_ready_conditions,
    unknown_conditions,
)
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.store.events import Change
from localnlb.common.clock import rfc3339

SWEEP = ("", "nodes")
PERIOD_SECONDS = 2.0
LIFECYCLE_TAINTS = (UNREACHABLE_TAINT, NOT_READY_TAINT)


def _renew_time(lease: dict[str, Any] | None) -> float | None:
    text = ((lease or {}).get("spec") or {}).get("renewTime")
    if not text:
        return None
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()


class NodeLifecycleLoop:
    def __init__(self, access: Access, kinds: Kinds) -> None:
        self._access = access
        self._kinds = kinds

    def keys_for(self, change: Change) -> list[tuple[str, str]]:
        del change
        return [SWEEP]

    def reconcile(self, key: tuple[str, str]) -> None:
        del key
        wall = self._access.registry.clock.wall()
        now = rfc3339(wall)
        for node in self._access.items(self._kinds.node):
            name = objects.name_of(node)
            lease = self._access.find(self._kinds.lease, "kube-node-lease", name)
            verdict = judge_node(node, lease_renewed_at=_renew_time(lease), now=wall)
            if verdict.mark_unknown:
                status = dict(node.get("status") or {})
                status["conditions"] = unknown_conditions(node, now=now)
                node = self._access.write_status(self._kinds.node, node, status)
            spec = objects.spec(node)  # a Node may be written with no spec at all
            kept = [t for t in spec.get("taints") or () if t.get("key") not in LIFECYCLE_TAINTS]
            wanted = [*kept, *({**t, "timeAdded": now} for t in verdict.taints)]
            current = spec.get("taints") or []
            if [(t.get("key"), t.get("effect")) for t in current] != [
                (t.get("key"), t.get("effect")) for t in wanted
            ]:
                node = {**node, "spec": {**spec, "taints": wanted}}
                node = self._access.update(self._kinds.node, node)
            if verdict.pods_not_ready:
                self._mark_pods_not_ready(name, now)

    def _mark_pods_not_ready(self, node_name: str, now: str) -> None:
        for pod in self._access.items(self._kinds.pod):
            if objects.spec(pod).get("nodeName") != node_name:
                continue
            if not objects.condition_true(pod, "Ready"):
                continue
            status = dict(pod.get("status") or {})
            status["conditions"] = pod_not_ready_conditions(pod, now=now)
            self._access.write_status(self._kinds.pod, pod, status)
