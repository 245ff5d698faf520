"""The lifecycle every server in localnlb follows.

Each listener (ELBv2 API, Kubernetes API, LB node listeners, NodePort forwarders, health-check
scheduler, dashboard) is a :class:`Service`: ``await start()`` binds and returns once it accepts,
``await stop(grace)`` stops accepting, lets work in flight finish for up to ``grace`` seconds and
then cancels it. Tests bind port 0 and read ``bound_address`` back.
"""

from __future__ import annotations

from typing import Protocol


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self, grace: float = 5.0) -> None: ...

    @property
    def bound_address(self) -> tuple[str, int]:
        """The (host, port) actually bound; meaningful only after ``start``."""
        ...
