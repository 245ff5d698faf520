"""A listener: a port and protocol on a load balancer whose default action forwards to one TG."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ForwardAction:
    """NLB listeners have exactly one action: forward to exactly one target group."""

    target_group_arn: str
    order: int | None = None


@dataclass(frozen=True, slots=True)
class Listener:
    arn: str
    load_balancer_arn: str
    port: int
    protocol: str
    action: ForwardAction
    ssl_policy: str | None = None
    certificate_arns: tuple[str, ...] = ()
    alpn_policy: tuple[str, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def idle_timeout_seconds(self) -> int:
        return int(self.attributes.get("tcp.idle_timeout.seconds", "350"))
