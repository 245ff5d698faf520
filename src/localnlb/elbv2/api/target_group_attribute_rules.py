"""Target-group attributes of NLB target groups: keys, defaults by protocol and target type,
value checks and the cross-key rules (reference §3.5)."""

from __future__ import annotations

from collections.abc import Mapping

from localnlb.elbv2.api.attribute_rules import (
    BOOL,
    AttributeRule,
    int_range,
    off_or_range,
    one_of,
)
from localnlb.elbv2.api.elbv2_errors import InvalidConfigurationRequest
from localnlb.elbv2.api.errors import ValidationError

UDP_PROTOCOLS = frozenset({"UDP", "TCP_UDP", "QUIC", "TCP_QUIC"})

TARGET_GROUP_RULES: Mapping[str, AttributeRule] = {
    "deregistration_delay.timeout_seconds": AttributeRule(int_range(0, 3600), "0-3600"),
    "deregistration_delay.connection_termination.enabled": BOOL,
    "preserve_client_ip.enabled": BOOL,
    "proxy_protocol_v2.enabled": BOOL,
    "stickiness.enabled": BOOL,
    "stickiness.type": AttributeRule(one_of("source_ip"), "source_ip"),
    "load_balancing.cross_zone.enabled": AttributeRule(
        one_of("true", "false", "use_load_balancer_configuration"),
        "true, false or use_load_balancer_configuration",
    ),
    "target_group_health.dns_failover.minimum_healthy_targets.count": AttributeRule(
        off_or_range(1, 1000), "off or 1 to the maximum number of targets"
    ),
    "target_group_health.dns_failover.minimum_healthy_targets.percentage": AttributeRule(
        off_or_range(1, 100), "off or 1-100"
    ),
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": AttributeRule(
        int_range(1, 1000), "1 to the maximum number of targets"
    ),
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": (
        AttributeRule(off_or_range(1, 100), "off or 1-100")
    ),
    "target_health_state.unhealthy.connection_termination.enabled": BOOL,
    "target_health_state.unhealthy.draining_interval_seconds": AttributeRule(
        int_range(0, 360000), "0-360000"
    ),
}
OTHER_TYPES_TG_KEYS = frozenset(
    {
        "load_balancing.algorithm.type",
        "load_balancing.algorithm.anomaly_mitigation",
        "slow_start.duration_seconds",
        "stickiness.lb_cookie.duration_seconds",
        "stickiness.app_cookie.cookie_name",
        "stickiness.app_cookie.duration_seconds",
        "lambda.multi_value_headers.enabled",
        "target_failover.on_deregistration",
        "target_failover.on_unhealthy",
    }
)
NOT_SUPPORTED = "The provided target group attribute is not supported"


def target_group_defaults(*, protocol: str, target_type: str) -> dict[str, str]:
    udp = protocol in UDP_PROTOCOLS
    preserve = not (target_type == "ip" and protocol in ("TCP", "TLS"))
    return {
        "deregistration_delay.timeout_seconds": "300",
        "deregistration_delay.connection_termination.enabled": "true" if udp else "false",
        "preserve_client_ip.enabled": "true" if preserve else "false",
        "proxy_protocol_v2.enabled": "false",
        "stickiness.enabled": "false",
        "stickiness.type": "source_ip",
        "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
        "target_group_health.dns_failover.minimum_healthy_targets.count": "1",
        "target_group_health.dns_failover.minimum_healthy_targets.percentage": "off",
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": "off",
        "target_health_state.unhealthy.connection_termination.enabled": "true",
        "target_health_state.unhealthy.draining_interval_seconds": "0",
    }


def apply_target_group_changes(
    current: Mapping[str, str],
    changes: list[tuple[str, str]],
    *,
    protocol: str,
    target_type: str,
) -> dict[str, str]:
    if target_type == "alb" and changes:
        raise InvalidConfigurationRequest(NOT_SUPPORTED)
    result = dict(current)
    for key, value in changes:
        rule = TARGET_GROUP_RULES.get(key)
        if rule is None:
            if key in OTHER_TYPES_TG_KEYS:
                raise InvalidConfigurationRequest(NOT_SUPPORTED)
            raise ValidationError(f"Target group attribute key '{key}' is not recognized")
        if not rule.check(value):
            raise ValidationError(
                f"Target group attribute '{key}' has an invalid value '{value}'; "
                f"expected {rule.expected}"
            )
        result[key] = value
    _check_combinations(result, changes, protocol=protocol)
    return result


def _check_combinations(
    result: Mapping[str, str], changes: list[tuple[str, str]], *, protocol: str
) -> None:
    changed = {key for key, _ in changes}
    if (
        protocol in UDP_PROTOCOLS
        and "preserve_client_ip.enabled" in changed
        and result["preserve_client_ip.enabled"] == "false"
    ):
        raise InvalidConfigurationRequest(
            f"Client IP preservation cannot be disabled for target groups with protocol "
            f"'{protocol}'"
        )
    if (
        "target_health_state.unhealthy.draining_interval_seconds" in changed
        and result["target_health_state.unhealthy.connection_termination.enabled"] == "true"
        and result["target_health_state.unhealthy.draining_interval_seconds"] != "0"
    ):
        raise InvalidConfigurationRequest(
            "'target_health_state.unhealthy.draining_interval_seconds' can be set only when "
            "'target_health_state.unhealthy.connection_termination.enabled' is false"
        )
    dns_count = result["target_group_health.dns_failover.minimum_healthy_targets.count"]
    routing_count = result[
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count"
    ]
    if dns_count != "off" and int(dns_count) < int(routing_count):
        raise InvalidConfigurationRequest(
            "The DNS failover minimum healthy targets count must be greater than or equal to "
            "the unhealthy state routing minimum healthy targets count"
        )
