"""Which attribute keys a Network Load Balancer, its target groups and listeners accept, their
defaults, and how values are checked (reference §3.3–3.5).

A key that AWS knows but only for another load balancer type is rejected with
``InvalidConfigurationRequest``; a key nobody knows with ``ValidationError … is not recognized``.
Changes are checked as a whole before anything is stored ("if any of the specified attributes
can't be modified as requested, the call fails").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from localnlb.elbv2.api.elbv2_errors import InvalidConfigurationRequest
from localnlb.elbv2.api.errors import ValidationError

Check = Callable[[str], bool]


def _boolean(value: str) -> bool:
    return value in ("true", "false")


def int_range(low: int, high: int) -> Check:
    def check(value: str) -> bool:
        return value.isdigit() and low <= int(value) <= high

    return check


def one_of(*values: str) -> Check:
    return lambda value: value in values


def off_or_range(low: int, high: int) -> Check:
    in_range = int_range(low, high)
    return lambda value: value == "off" or in_range(value)


def _any(value: str) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class AttributeRule:
    check: Check
    expected: str


BOOL = AttributeRule(_boolean, "true or false")

LOAD_BALANCER_RULES: Mapping[str, AttributeRule] = {
    "deletion_protection.enabled": BOOL,
    "load_balancing.cross_zone.enabled": BOOL,
    "access_logs.s3.enabled": BOOL,
    "access_logs.s3.bucket": AttributeRule(_any, "a bucket name"),
    "access_logs.s3.prefix": AttributeRule(_any, "a prefix"),
    "ipv6.deny_all_igw_traffic": BOOL,
    "zonal_shift.config.enabled": BOOL,
    "dns_record.client_routing_policy": AttributeRule(
        one_of(
            "availability_zone_affinity",
            "partial_availability_zone_affinity",
            "any_availability_zone",
        ),
        "availability_zone_affinity, partial_availability_zone_affinity or any_availability_zone",
    ),
    "secondary_ips.auto_assigned.per_subnet": AttributeRule(int_range(0, 7), "0-7"),
}
APPLICATION_ONLY_LB_KEYS = frozenset(
    {
        "idle_timeout.timeout_seconds",
        "client_keep_alive.seconds",
        "connection_logs.s3.enabled",
        "connection_logs.s3.bucket",
        "connection_logs.s3.prefix",
        "health_check_logs.s3.enabled",
        "health_check_logs.s3.bucket",
        "health_check_logs.s3.prefix",
        "routing.http.desync_mitigation_mode",
        "routing.http.drop_invalid_header_fields.enabled",
        "routing.http.preserve_host_header.enabled",
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
        "routing.http.xff_client_port.enabled",
        "routing.http.xff_header_processing.mode",
        "routing.http2.enabled",
        "waf.fail_open.enabled",
    }
)


def load_balancer_defaults(*, scheme: str) -> dict[str, str]:
    return {
        "access_logs.s3.enabled": "false",
        "access_logs.s3.bucket": "",
        "access_logs.s3.prefix": "",
        "deletion_protection.enabled": "false",
        "ipv6.deny_all_igw_traffic": "true" if scheme == "internal" else "false",
        "load_balancing.cross_zone.enabled": "false",
        "dns_record.client_routing_policy": "any_availability_zone",
        "zonal_shift.config.enabled": "false",
        "secondary_ips.auto_assigned.per_subnet": "0",
    }


def apply_load_balancer_changes(
    current: Mapping[str, str], changes: list[tuple[str, str]]
) -> dict[str, str]:
    result = dict(current)
    for key, value in changes:
        rule = LOAD_BALANCER_RULES.get(key)
        if rule is None:
            if key in APPLICATION_ONLY_LB_KEYS:
                raise InvalidConfigurationRequest(
                    f"Load balancer attribute key '{key}' is not supported on load balancers "
                    "with type 'network'"
                )
            raise ValidationError(f"Load balancer attribute key '{key}' is not recognized")
        if not rule.check(value):
            raise ValidationError(
                f"Load balancer attribute '{key}' has an invalid value '{value}'; "
                f"expected {rule.expected}"
            )
        result[key] = value
    per_subnet = "secondary_ips.auto_assigned.per_subnet"
    if int(result[per_subnet]) < int(current.get(per_subnet, "0")):
        raise InvalidConfigurationRequest(f"The value of '{per_subnet}' cannot be decreased")
    if result["access_logs.s3.enabled"] == "true" and not result["access_logs.s3.bucket"]:
        raise ValidationError("The value of 'access_logs.s3.bucket' cannot be empty")
    return result


def apply_listener_changes(
    current: Mapping[str, str], changes: list[tuple[str, str]], *, protocol: str
) -> dict[str, str]:
    result = dict(current)
    for key, value in changes:
        if key == "tcp.idle_timeout.seconds":
            if protocol == "UDP":
                raise InvalidConfigurationRequest(
                    f"Listener attribute key '{key}' is not supported on listeners with "
                    f"protocol '{protocol}'"
                )
            if not int_range(60, 6000)(value):
                raise ValidationError(
                    f"Listener attribute '{key}' has an invalid value '{value}'; "
                    "the valid range is 60-6000"
                )
        elif key.startswith("routing.http."):
            raise InvalidConfigurationRequest(
                f"Listener attribute key '{key}' is not supported on listeners with protocol "
                f"'{protocol}'"
            )
        else:
            raise ValidationError(f"Listener attribute key '{key}' is not recognized")
        result[key] = value
    return result


def listener_defaults(*, protocol: str) -> dict[str, str]:
    return {} if protocol == "UDP" else {"tcp.idle_timeout.seconds": "350"}
