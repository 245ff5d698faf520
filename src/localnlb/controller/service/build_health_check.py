"""A target group's health check: the defaults per mode and the annotations over them.

Defaults (reference §2.7, the real controller's ``defaultModelBuildTask``):

* instance + externalTrafficPolicy Local + type LoadBalancer: HTTP on spec.healthCheckNodePort,
  path /healthz, interval 10, timeout 6, healthy/unhealthy thresholds 2/2;
* everything else (instance + Cluster, ip): TCP on traffic-port, interval 10, timeout 10,
  thresholds 3/3 (path / if the protocol is changed to HTTP/HTTPS).

Path and matcher (``200-399``) exist only for HTTP/HTTPS checks; the timeout and matcher
annotations are read only with the NLBHealthCheckAdvancedConfig gate (on by default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from localnlb.controller.model.enums import Protocol, TargetType
from localnlb.controller.model.resources import (
    TRAFFIC_PORT,
    HealthCheckConfig,
    HealthCheckMatcher,
)
from localnlb.controller.service import constants as c
from localnlb.controller.service.build_context import BuildContext
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import ETP_LOCAL, SERVICE_TYPE_LOAD_BALANCER

DEFAULT_SUCCESS_CODES = "200-399"
_GO_ATOI = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True)
class HealthCheckDefaults:
    protocol: Protocol
    port: str
    path: str
    interval: int
    timeout: int
    healthy_threshold: int
    unhealthy_threshold: int


DEFAULTS = HealthCheckDefaults(Protocol.TCP, TRAFFIC_PORT, "/", 10, 10, 3, 3)


def local_mode_defaults(health_check_node_port: int) -> HealthCheckDefaults:
    return HealthCheckDefaults(Protocol.HTTP, str(health_check_node_port), "/healthz", 10, 6, 2, 2)


def _protocol(ctx: BuildContext, default: Protocol) -> Protocol:
    raw = ctx.annotations.string(c.HC_PROTOCOL)
    if raw is None:
        return default
    if raw.upper() not in (Protocol.TCP, Protocol.HTTP, Protocol.HTTPS):
        raise BuildError(f"unsupported health check protocol {raw}")
    return Protocol(raw.upper())


def _port(ctx: BuildContext, default: str, target_type: TargetType) -> int | str:
    raw = ctx.annotations.string(c.HC_PORT)
    raw = default if raw is None else raw
    if raw == TRAFFIC_PORT:
        return TRAFFIC_PORT
    if _GO_ATOI.fullmatch(raw):
        return int(raw)
    try:
        port = ctx.lookup_port(raw)
    except BuildError as error:
        raise error.wrapped("failed to resolve healthCheckPort") from None
    if target_type is TargetType.INSTANCE:
        return port.node_port
    if isinstance(port.target_port, int):
        return port.target_port
    raise BuildError(
        "cannot use named healthCheckPort for IP TargetType when service's targetPort is a "
        "named port"
    )


def _int(ctx: BuildContext, suffix: str, default: int) -> int:
    value = ctx.annotations.int32(suffix)
    return default if value is None else value


def build_health_check(ctx: BuildContext, target_type: TargetType) -> HealthCheckConfig:
    service = ctx.service
    local = (
        target_type is TargetType.INSTANCE
        and service.external_traffic_policy == ETP_LOCAL
        and service.type == SERVICE_TYPE_LOAD_BALANCER
    )
    defaults = local_mode_defaults(service.health_check_node_port) if local else DEFAULTS
    advanced = ctx.settings.nlb_health_check_advanced_config
    protocol = _protocol(ctx, defaults.protocol)
    http = protocol is not Protocol.TCP
    path = None
    if http:
        annotated_path = ctx.annotations.string(c.HC_PATH)
        path = defaults.path if annotated_path is None else annotated_path
    matcher = None
    if http and advanced:
        codes = ctx.annotations.string(c.HC_SUCCESS_CODES)
        matcher = HealthCheckMatcher(DEFAULT_SUCCESS_CODES if codes is None else codes)
    port = _port(ctx, defaults.port, target_type)
    interval = _int(ctx, c.HC_INTERVAL, defaults.interval)
    timeout = _int(ctx, c.HC_TIMEOUT, defaults.timeout) if advanced else defaults.timeout
    return HealthCheckConfig(
        port=port,
        protocol=protocol,
        interval_seconds=interval,
        timeout_seconds=timeout,
        healthy_threshold_count=_int(ctx, c.HC_HEALTHY_THRESHOLD, defaults.healthy_threshold),
        unhealthy_threshold_count=_int(ctx, c.HC_UNHEALTHY_THRESHOLD, defaults.unhealthy_threshold),
        path=path,
        matcher=matcher,
    )
