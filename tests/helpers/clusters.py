"""An embedded cluster for a test: its own state dir and VPC octet, stopped when the test ends."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from localnlb.cluster.embedded import ClusterSettings, EmbeddedCluster
from localnlb.cluster.nodes.provisioning import planned_identities
from localnlb.common import statedir
from localnlb.common.addressing import build_address_plan


@contextlib.asynccontextmanager
async def running_cluster(
    tmp_path: Path, *, nodes: int = 3, **settings: Any
) -> AsyncIterator[EmbeddedCluster]:
    """``nodes`` worker nodes in the plan's AZs; ``settings`` as :class:`ClusterSettings` takes
    them (a fast lease, unless given, so node tests do not wait)."""
    plan = build_address_plan(vpc_octet=statedir.vpc_octet_for(tmp_path))
    embedded = EmbeddedCluster(
        ClusterSettings(
            state_dir=tmp_path / "state",
            plan=plan,
            nodes=planned_identities(plan, seed=str(tmp_path), count=nodes),
            **{"lease_period": 1.0, **settings},
        )
    )
    await embedded.start()
    try:
        yield embedded
    finally:
        await embedded.stop(grace=2.0)
