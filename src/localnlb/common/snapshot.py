"""The routing snapshot: everything an LB node needs to forward, handed over as one value.

The ELBv2 side builds a :class:`RoutingSnapshot` from its store and the health checker's view,
and serves it as JSON (``GET /_localnlb/v1/routing?after=<version>``, a long poll). Data-plane
workers hold the latest one and swap it atomically; they keep forwarding on the last snapshot
they have while the control side restarts (ARCHITECTURE §2 rule 6). Nothing here does I/O.

Field names are snake_case domain names, not AWS wire names; attribute values are already parsed
(booleans are ``bool``, durations are seconds) so that the hot path never parses strings. States
and protocols are string enums whose values are the AWS API's words, so the JSON wire form is
those words; zones are the address plan's zone names, or :data:`ALL_ZONES`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from dataclasses import dataclass, field
from typing import Any, TypeVar

SNAPSHOT_PATH = "/_localnlb/v1/routing"
# The zone of a target outside the VPC (an ``ip`` target registered with AvailabilityZone=all):
# every LB node may send to it, cross-zone or not.
ALL_ZONES = "all"


class TargetState(enum.StrEnum):
    """A target's health state, as DescribeTargetHealth words it (TargetHealthStateEnum)."""

    INITIAL = "initial"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    UNHEALTHY_DRAINING = "unhealthy.draining"
    UNUSED = "unused"
    DRAINING = "draining"
    UNAVAILABLE = "unavailable"


class LoadBalancerState(enum.StrEnum):
    """A load balancer's state code (LoadBalancerStateEnum); the snapshot holds active ones."""

    ACTIVE = "active"
    PROVISIONING = "provisioning"
    ACTIVE_IMPAIRED = "active_impaired"
    FAILED = "failed"


class Protocol(enum.StrEnum):
    """A listener's, target group's or health check's protocol (ELBv2 ProtocolEnum)."""

    TCP = "TCP"
    UDP = "UDP"
    TCP_UDP = "TCP_UDP"
    TLS = "TLS"
    HTTP = "HTTP"
    HTTPS = "HTTPS"


@dataclass(frozen=True, slots=True)
class HealthCheckRoute:
    protocol: Protocol  # TCP, HTTP or HTTPS
    port: str  # "traffic-port" or a port number as a string, as in the API
    path: str | None
    matcher: str | None  # e.g. "200-399"
    interval_seconds: int
    timeout_seconds: int
    healthy_threshold: int
    unhealthy_threshold: int


@dataclass(frozen=True, slots=True)
class TargetRoute:
    id: str  # instance id or IP, as registered
    port: int
    address: str  # the IP to connect to (an instance's private IP for instance targets)
    availability_zone: str  # a zone name, or ALL_ZONES for out-of-VPC ip targets
    state: TargetState
    reason: str | None = None
    # For draining targets: wall-clock time at which the deregistration delay ends.
    draining_until: float | None = None


@dataclass(frozen=True, slots=True)
class TargetGroupRoute:
    arn: str
    name: str
    protocol: Protocol
    port: int
    target_type: str  # "instance" | "ip" | "alb"
    health_check: HealthCheckRoute
    # Parsed target-group attributes (reference §3.5).
    cross_zone: str = "use_load_balancer_configuration"  # "true" | "false" | that default
    deregistration_delay_seconds: int = 300
    terminate_on_deregistration: bool = False
    preserve_client_ip: bool = True
    proxy_protocol_v2: bool = False
    stickiness: bool = False
    terminate_on_unhealthy: bool = True
    unhealthy_draining_interval_seconds: int = 0
    targets: tuple[TargetRoute, ...] = ()


@dataclass(frozen=True, slots=True)
class ListenerRoute:
    arn: str
    port: int
    protocol: Protocol  # TCP, UDP, TCP_UDP or TLS
    target_group_arn: str | None
    tcp_idle_timeout_seconds: int = 350


@dataclass(frozen=True, slots=True)
class LbNodeRoute:
    availability_zone: str
    address: str
    subnet_id: str


@dataclass(frozen=True, slots=True)
class LoadBalancerRoute:
    arn: str
    name: str
    dns_name: str
    scheme: str
    state: LoadBalancerState  # only active load balancers get LB nodes
    cross_zone: bool
    nodes: tuple[LbNodeRoute, ...]
    listeners: tuple[ListenerRoute, ...]
    # Inbound CIDRs allowed by the LB's security groups; None when it has none (all allowed).
    allowed_source_cidrs: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class RoutingSnapshot:
    version: int
    load_balancers: tuple[LoadBalancerRoute, ...] = ()
    target_groups: tuple[TargetGroupRoute, ...] = ()
    _target_groups_by_arn: dict[str, TargetGroupRoute] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        self._target_groups_by_arn.update({tg.arn: tg for tg in self.target_groups})

    def target_group(self, arn: str) -> TargetGroupRoute | None:
        return self._target_groups_by_arn.get(arn)

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data.pop("_target_groups_by_arn")
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> RoutingSnapshot:
        data = json.loads(text)
        return RoutingSnapshot(
            version=int(data["version"]),
            load_balancers=tuple(_load_balancer(lb) for lb in data["load_balancers"]),
            target_groups=tuple(_target_group(tg) for tg in data["target_groups"]),
        )


T = TypeVar("T")


def _build(kind: type[T], data: dict[str, Any], **nested: Any) -> T:
    names = {f.name for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    values = {k: v for k, v in data.items() if k in names}
    values.update(nested)
    return kind(**values)


def _load_balancer(data: dict[str, Any]) -> LoadBalancerRoute:
    cidrs = data.get("allowed_source_cidrs")
    return _build(
        LoadBalancerRoute,
        data,
        state=LoadBalancerState(data["state"]),
        nodes=tuple(_build(LbNodeRoute, n) for n in data["nodes"]),
        listeners=tuple(
            _build(ListenerRoute, li, protocol=Protocol(li["protocol"])) for li in data["listeners"]
        ),
        allowed_source_cidrs=None if cidrs is None else tuple(cidrs),
    )


def _target_group(data: dict[str, Any]) -> TargetGroupRoute:
    check = data["health_check"]
    return _build(
        TargetGroupRoute,
        data,
        protocol=Protocol(data["protocol"]),
        health_check=_build(HealthCheckRoute, check, protocol=Protocol(check["protocol"])),
        targets=tuple(
            _build(TargetRoute, t, state=TargetState(t["state"])) for t in data["targets"]
        ),
    )
