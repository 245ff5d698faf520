"""A target group with its health-check settings and the NLB defaults for them (reference §3.5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

HTTP_HEALTH_CHECK_PROTOCOLS = frozenset({"HTTP", "HTTPS"})


@dataclass(frozen=True, slots=True)
class HealthCheck:
    protocol: str
    port: str  # "traffic-port" or a port number, as the API shows it
    enabled: bool
    interval_seconds: int
    timeout_seconds: int
    healthy_threshold: int
    unhealthy_threshold: int
    path: str | None = None  # HTTP/HTTPS health checks only
    matcher: str | None = None  # HTTP/HTTPS health checks only

    def resolved_port(self, traffic_port: int) -> int:
        return traffic_port if self.port == "traffic-port" else int(self.port)


def default_health_check(*, protocol: str, target_type: str) -> HealthCheck:
    """AWS's defaults for an NLB target group: TCP on traffic-port, 30/10/5/2 (HTTP HC for alb)."""
    if target_type == "alb":
        return HealthCheck("HTTP", "traffic-port", True, 30, 6, 5, 2, "/", "200-399")
    del protocol  # every NLB TG protocol (TCP, TLS, UDP, TCP_UDP) defaults to a TCP check
    return HealthCheck("TCP", "traffic-port", True, 30, 10, 5, 2)


def default_timeout(health_check_protocol: str) -> int:
    return 6 if health_check_protocol == "HTTP" else 10


@dataclass(frozen=True, slots=True)
class TargetGroup:
    arn: str
    tg_id: str
    name: str
    protocol: str
    port: int
    vpc_id: str
    target_type: str
    ip_address_type: str
    health_check: HealthCheck
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def deregistration_delay_seconds(self) -> int:
        return int(self.attributes.get("deregistration_delay.timeout_seconds", "300"))
