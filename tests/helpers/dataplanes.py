"""The data plane as ``localnlb up`` runs it, for the e2e stacks.

``up`` starts ``localnlb elbv2``, which starts the LB nodes with
:func:`~localnlb.dataplane.service.start_dataplane`: the default number of worker processes
(``spawn``), each binding every listener with SO_REUSEPORT, and the engine ``auto`` resolves to
(the kernel's as root with nftables, else user space). The e2e stacks call the same function,
so they test that topology and not a single in-loop engine; only timings are shortened.
"""

from __future__ import annotations

from pathlib import Path

from localnlb.dataplane.service import DataPlane, start_dataplane
from localnlb.dataplane.settings import DataPlaneSettings


async def shipped_dataplane(
    routing_url: str,
    *,
    state_dir: Path,
    hosts_path: Path | None,
    engine: str = "auto",
    metrics_export_seconds: float = 1.0,
) -> DataPlane:
    """The running data plane of ``state_dir``; ``stop()`` it. ``hosts_path`` None: the LB
    names are published nowhere."""
    timings = DataPlaneSettings(
        hosts_path=hosts_path,
        metrics_export_seconds=metrics_export_seconds,
        # The ELBv2 server's stop waits for the long poll it holds: keep it short.
        poll_timeout_seconds=2.0,
    )
    return await start_dataplane(
        routing_url, state_dir=state_dir, hosts_path=hosts_path, engine=engine, base=timings
    )
