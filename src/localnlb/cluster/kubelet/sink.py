"""Where the kubelet's pod statuses go: the one seam between the kubelet and the API server.

The embedded cluster wires a sink that PATCHes ``/api/v1/namespaces/NS/pods/NAME/status`` over
HTTP; tests pass an in-memory fake. ``report`` gets the whole ``status`` the kubelet computed
(see :mod:`localnlb.cluster.kubelet.podstatus`); it is called only when the status changed.
"""

from __future__ import annotations

from typing import Any, Protocol


class PodStatusSink(Protocol):
    async def report(self, pod_uid: str, status: dict[str, Any]) -> None: ...
