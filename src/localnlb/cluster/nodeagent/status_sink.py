"""The kubelet's statuses, written to the API as a real kubelet writes them.

The kubelet computes a pod's whole status; conditions it does not own (``PodScheduled`` from
the scheduler, readiness gates such as ``target-health.elbv2.k8s.aws/…`` from the load balancer
controller) are kept from what is stored. A write that loses a race re-reads and tries again.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.kinds import Kinds

ATTEMPTS = 3


class RegistryStatusSink:
    def __init__(self, access: Access, kinds: Kinds) -> None:
        self._access = access
        self._kinds = kinds
        self._where: dict[str, tuple[str, str]] = {}  # pod uid -> (namespace, name)

    def track(self, uid: str, namespace: str, name: str) -> None:
        self._where[uid] = (namespace, name)

    def forget(self, uid: str) -> None:
        self._where.pop(uid, None)

    async def report(self, pod_uid: str, status: dict[str, Any]) -> None:
        where = self._where.get(pod_uid)
        if where is None:
            return
        for _ in range(ATTEMPTS):
            pod = self._access.find(self._kinds.pod, *where)
            if pod is None or pod["metadata"].get("uid") != pod_uid:
                return
            try:
                self._access.write_status(self._kinds.pod, pod, merge_status(pod, status))
            except ApiError as error:
                if error.code == 409:
                    continue
                if error.code == 404:
                    return
                raise
            return


def merge_status(pod: dict[str, Any], reported: dict[str, Any]) -> dict[str, Any]:
    ours = {c.get("type") for c in reported.get("conditions") or ()}
    kept = [
        c for c in (pod.get("status") or {}).get("conditions") or () if c.get("type") not in ours
    ]
    return {**reported, "conditions": [*kept, *(reported.get("conditions") or ())]}
