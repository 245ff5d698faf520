"""Where the kubelet's pod statuses go: the one seam between the kubelet and the API server.

The embedded cluster wires a sink that PATCHes ``/api/v1/namespaces/NS/pods/NAME/status`` over
HTTP; tests pass an in-memory fake. ``report`` gets the ``status`` the kubelet computed (see
:mod:`localnlb.cluster.kubelet.podstatus`); it is called only when the status changed. Its
``conditions`` are only the kubelet's own (``PodReadyToStartContainers``, ``Initialized``,
``Ready``, ``ContainersReady``, ``PodScheduled``): the sink keeps every other condition (readiness
gates) from the stored pod, as the kubelet's status manager merges with a fresh copy.
"""

from __future__ import annotations

from typing import Any, Protocol


class PodStatusSink(Protocol):
    async def report(self, pod_uid: str, status: dict[str, Any]) -> None: ...
