"""What every handler gets: the store, time, settings, the address plan and the health seam.

``changed()`` must be called after every committed mutation that affects routing; it bumps the
routing snapshot's version so that long polls (data plane, health checker) wake up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from localnlb.common.addressing import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, AddressPlan
from localnlb.common.clock import Clock
from localnlb.elbv2.model.arns import ArnScope
from localnlb.elbv2.model.target_health import ProbedHealth
from localnlb.elbv2.store.store import Store

DEFAULT_CLUSTER_NAME = "eks-workshop"


@dataclass(frozen=True, slots=True)
class ApiSettings:
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID
    cluster_name: str = DEFAULT_CLUSTER_NAME
    # A new load balancer is "provisioning" this long, then "active" (AWS: minutes).
    activation_delay_seconds: float = 0.5
    require_auth: bool = False
    # access key id -> secret access key, checked only with require_auth.
    credentials: dict[str, str] = field(default_factory=dict)
    # Quota name (as DescribeAccountLimits shows it) -> maximum, overriding AWS's defaults.
    limit_overrides: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class ApiContext:
    store: Store
    clock: Clock
    settings: ApiSettings
    plan: AddressPlan
    probed: ProbedHealth
    changed: Callable[[], None]

    @property
    def arns(self) -> ArnScope:
        return ArnScope(self.settings.region, self.settings.account_id)

    def now(self) -> float:
        return self.clock.wall()
