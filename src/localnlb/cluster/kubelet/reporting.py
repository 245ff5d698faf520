"""Status reporting for one pod: send the status when it changed, retry when the API is away.

The kubelet's status manager, reduced to what localnlb needs: the status is rebuilt after every
step of the pod worker, compared with the one last delivered, and handed to the
:class:`PodStatusSink` only when different. A failed delivery is retried a second later even if
nothing else changes. The conditions last delivered stand in for the stored ones when the next
status is built, so ``lastTransitionTime`` only moves on a real change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from localnlb.cluster.kubelet.environment import PodContext
from localnlb.cluster.kubelet.podspec import JsonObject
from localnlb.cluster.kubelet.podstatus import KUBELET_CONDITIONS, build_pod_status
from localnlb.cluster.kubelet.sink import PodStatusSink
from localnlb.common.clock import Clock

REPORT_RETRY_SECONDS = 1.0
_log = logging.getLogger(__name__)


class StatusReporter:
    def __init__(self, uid: str, *, sink: PodStatusSink, clock: Clock) -> None:
        self._uid = uid
        self._sink = sink
        self._clock = clock
        self.start_time = clock.wall()
        self.delivered: dict[str, Any] | None = None
        self.retry_at: float | None = None  # monotonic; set while a delivery is owed

    async def report(
        self,
        pod: JsonObject,
        *,
        context: PodContext,
        container_statuses: Sequence[Mapping[str, Any]],
        init_container_statuses: Sequence[Mapping[str, Any]],
        terminal: bool,
    ) -> None:
        status = build_pod_status(
            self._with_delivered_conditions(pod),
            container_statuses=container_statuses,
            init_container_statuses=init_container_statuses,
            pod_ip=context.pod_ip,
            host_ip=context.host_ip,
            start_time=self.start_time,
            now=self._clock.wall(),
            terminal=terminal,
        )
        if status == self.delivered:
            return
        try:
            await self._sink.report(self._uid, status)
        except Exception:  # the API may be away for a moment: try again shortly
            _log.exception("pod %s: reporting status failed", self._uid)
            self.retry_at = self._clock.monotonic() + REPORT_RETRY_SECONDS
            return
        self.retry_at = None
        self.delivered = status

    def _with_delivered_conditions(self, pod: JsonObject) -> JsonObject:
        if self.delivered is None:
            return pod
        stored = pod.get("status") or {}
        others = [
            c for c in stored.get("conditions") or [] if c.get("type") not in KUBELET_CONDITIONS
        ]
        ours = [c for c in self.delivered["conditions"] if c.get("type") in KUBELET_CONDITIONS]
        return {**pod, "status": {**stored, "conditions": [*others, *ours]}}
