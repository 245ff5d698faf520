"""The ``PodConditionWriter`` seam: a pod's target-health readiness-gate condition, written
with a strategic-merge patch of the ``status`` subresource (conditions merge by ``type``).

``lastTransitionTime`` moves only when the status changes; a condition equal to the one the
cache holds is not written at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from lightkube import AsyncClient
from lightkube.resources.core_v1 import Pod
from lightkube.types import PatchType

from localnlb.common.clock import rfc3339
from localnlb.controller.targetgroupbinding.readiness import PodCondition


class KubePodConditions:
    def __init__(
        self, client: AsyncClient, raw_pod: Callable[[str, str], dict[str, Any] | None]
    ) -> None:
        self._client = client
        self._raw_pod = raw_pod  # (namespace, name) → the cached pod object

    async def set_pod_condition(
        self, namespace: str, pod_name: str, condition: PodCondition
    ) -> None:
        cached = self._raw_pod(namespace, pod_name) or {}
        conditions = (cached.get("status") or {}).get("conditions") or []
        previous = next((c for c in conditions if c.get("type") == condition.type), None)
        if previous is not None and (
            previous.get("status"),
            previous.get("reason") or "",
            previous.get("message") or "",
        ) == (condition.status, condition.reason, condition.message):
            return
        transition = (
            previous.get("lastTransitionTime")
            if previous is not None and previous.get("status") == condition.status
            else None
        ) or rfc3339(time.time())
        entry: dict[str, Any] = {
            "type": condition.type,
            "status": condition.status,
            "reason": condition.reason or None,
            "message": condition.message or None,
            "lastProbeTime": None,
            "lastTransitionTime": transition,
        }
        await self._client.patch(
            Pod.Status,
            pod_name,
            {"status": {"conditions": [entry]}},
            namespace=namespace,
            patch_type=PatchType.STRATEGIC,
        )
