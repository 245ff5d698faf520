"""Health-check settings of NLB target groups: defaults, merging a request over the current
settings, and the checks AWS makes on the result (reference §3.5).

Since 2022-11 NLB health checks accept interval 5–300, timeout 2–120 and thresholds 2–10 (ranges
the model's validation already enforces); what is left to check here are the combinations:
protocol by target type, ``traffic-port`` or a port number, timeout vs. interval, path and
matcher only for HTTP/HTTPS checks, and that health checks cannot be disabled.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from localnlb.elbv2.api.elbv2_errors import InvalidConfigurationRequest
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.model.target_group import (
    HTTP_HEALTH_CHECK_PROTOCOLS,
    HealthCheck,
    default_timeout,
)

_HTTP_CODE = re.compile(r"(\d{3})(-(\d{3}))?")


def merge_health_check(current: HealthCheck, params: dict[str, Any]) -> HealthCheck:
    """``current`` with the request's HealthCheck* members applied, defaults filled in."""
    protocol = params.get("HealthCheckProtocol", current.protocol)
    protocol_changed = protocol != current.protocol
    http = protocol in HTTP_HEALTH_CHECK_PROTOCOLS
    matcher = params.get("Matcher") or {}
    timeout = params.get("HealthCheckTimeoutSeconds")
    if timeout is None:
        timeout = default_timeout(protocol) if protocol_changed else current.timeout_seconds
    return dataclasses.replace(
        current,
        protocol=protocol,
        port=params.get("HealthCheckPort", current.port),
        enabled=params.get("HealthCheckEnabled", current.enabled),
        interval_seconds=params.get("HealthCheckIntervalSeconds", current.interval_seconds),
        timeout_seconds=timeout,
        healthy_threshold=params.get("HealthyThresholdCount", current.healthy_threshold),
        unhealthy_threshold=params.get("UnhealthyThresholdCount", current.unhealthy_threshold),
        path=params.get("HealthCheckPath", current.path or "/") if http else None,
        matcher=matcher.get("HttpCode", current.matcher or "200-399") if http else None,
    )


def check_health_check_request(
    params: dict[str, Any], *, protocol: str, current_hc_protocol: str
) -> None:
    """Checks on what was sent (before merging): path/matcher on a TCP check, gRPC codes."""
    hc_protocol = params.get("HealthCheckProtocol", current_hc_protocol)
    matcher = params.get("Matcher")
    if hc_protocol not in HTTP_HEALTH_CHECK_PROTOCOLS:
        if matcher is not None:
            raise InvalidConfigurationRequest(
                "Custom health check matchers are not supported for health checks for target "
                f"groups with the {hc_protocol} protocol"
            )
        if "HealthCheckPath" in params:
            raise InvalidConfigurationRequest(
                "Custom health check paths are not supported for health checks for target "
                f"groups with the {hc_protocol} protocol"
            )
    if matcher is not None and "GrpcCode" in matcher:
        raise InvalidConfigurationRequest(
            f"gRPC health check codes are not supported for target groups with the {protocol} "
            "protocol"
        )


def check_health_check(hc: HealthCheck, *, target_type: str, protocol: str) -> None:
    allowed = ("HTTP", "HTTPS") if target_type == "alb" else ("TCP", "HTTP", "HTTPS")
    if hc.protocol not in allowed:
        raise ValidationError(
            f"Health check protocol '{hc.protocol}' is not supported for target groups with "
            f"protocol '{protocol}' and target type '{target_type}'; use one of "
            f"'{', '.join(allowed)}'"
        )
    if hc.port != "traffic-port" and not (hc.port.isdigit() and 1 <= int(hc.port) <= 65535):
        raise ValidationError(
            f"Health check port '{hc.port}' must be 'traffic-port' or an integer between 1 "
            "and 65535"
        )
    if not hc.enabled:
        raise InvalidConfigurationRequest(
            f'Health check enabled must be true with groups with target type "{target_type}"'
        )
    if hc.protocol == "HTTP" and hc.timeout_seconds >= hc.interval_seconds:
        raise ValidationError(
            f"Health check timeout '{hc.timeout_seconds}' must be smaller than the interval "
            f"'{hc.interval_seconds}'"
        )
    if hc.timeout_seconds > hc.interval_seconds:
        raise ValidationError(
            f"Health check timeout '{hc.timeout_seconds}' must be smaller than or equal to the "
            f"interval '{hc.interval_seconds}'"
        )
    if hc.path is not None and not hc.path.startswith("/"):
        raise ValidationError(f"Health check path '{hc.path}' must begin with a '/' character")
    if hc.matcher is not None:
        _check_http_codes(hc.matcher)


def _check_http_codes(codes: str) -> None:
    for part in codes.split(","):
        found = _HTTP_CODE.fullmatch(part.strip())
        low = int(found.group(1)) if found else 0
        high = int(found.group(3)) if found and found.group(3) else low
        if not found or not (200 <= low <= high <= 599):
            raise ValidationError(
                f"Health check matcher HTTP code '{codes}' must be within '200-599' inclusive"
            )
