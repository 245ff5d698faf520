"""Account quotas for Network Load Balancers (reference §3.8), as DescribeAccountLimits shows
them and as the create/register operations enforce them. Settings may raise them (benchmarks)."""

from __future__ import annotations

from localnlb.elbv2.api.context import ApiContext

DEFAULT_LIMITS: dict[str, int] = {
    "network-load-balancers": 50,
    "listeners-per-network-load-balancer": 50,
    "target-groups": 3000,
    "targets-per-target-group": 1000,
    "targets-per-network-load-balancer": 3000,
    "targets-per-availability-zone-per-network-load-balancer": 500,
    "target-groups-per-action-on-network-load-balancer": 1,
    "certificates-per-network-load-balancer": 25,
    "network-load-balancer-enis-per-vpc": 1200,
}


def limit(ctx: ApiContext, name: str) -> int:
    return ctx.settings.limit_overrides.get(name, DEFAULT_LIMITS[name])


def all_limits(ctx: ApiContext) -> list[tuple[str, int]]:
    return [(name, limit(ctx, name)) for name in DEFAULT_LIMITS]
