"""NLB attribute defaults and rules (reference §3.3–3.5), and the small pure helpers of the API:
markers, the store codec, ARN/DNS shapes."""

from __future__ import annotations

import pytest

from localnlb.elbv2.api.attribute_rules import (
    apply_listener_changes,
    apply_load_balancer_changes,
    load_balancer_defaults,
)
from localnlb.elbv2.api.elbv2_errors import InvalidConfigurationRequest
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.api.pagination import decode_marker, paginate
from localnlb.elbv2.api.target_group_attribute_rules import (
    apply_target_group_changes,
    target_group_defaults,
)
from localnlb.elbv2.model.arns import ArnScope, dns_name, resource_kind
from localnlb.elbv2.model.load_balancer import LbZone, LoadBalancer, LoadBalancerStateCode
from localnlb.elbv2.store import codec


@pytest.mark.parametrize(
    ("protocol", "target_type", "preserve", "terminate"),
    [
        ("TCP", "ip", "false", "false"),
        ("TLS", "ip", "false", "false"),
        ("TCP", "instance", "true", "false"),
        ("UDP", "ip", "true", "true"),
        ("TCP_UDP", "instance", "true", "true"),
    ],
)
def test_target_group_defaults_depend_on_protocol_and_type(
    protocol: str, target_type: str, preserve: str, terminate: str
) -> None:
    defaults = target_group_defaults(protocol=protocol, target_type=target_type)
    assert defaults["preserve_client_ip.enabled"] == preserve
    assert defaults["deregistration_delay.connection_termination.enabled"] == terminate
    assert defaults["deregistration_delay.timeout_seconds"] == "300"
    assert defaults["target_health_state.unhealthy.connection_termination.enabled"] == "true"


def test_unhealthy_draining_needs_connection_termination_off_in_the_same_change() -> None:
    current = target_group_defaults(protocol="TCP", target_type="ip")
    changed = apply_target_group_changes(
        current,
        [
            ("target_health_state.unhealthy.connection_termination.enabled", "false"),
            ("target_health_state.unhealthy.draining_interval_seconds", "120"),
        ],
        protocol="TCP",
        target_type="ip",
    )
    assert changed["target_health_state.unhealthy.draining_interval_seconds"] == "120"
    assert current["target_health_state.unhealthy.draining_interval_seconds"] == "0"  # untouched


def test_alb_target_groups_keep_their_defaults() -> None:
    with pytest.raises(InvalidConfigurationRequest):
        apply_target_group_changes(
            target_group_defaults(protocol="TCP", target_type="alb"),
            [("proxy_protocol_v2.enabled", "true")],
            protocol="TCP",
            target_type="alb",
        )


def test_load_balancer_attribute_rules() -> None:
    internal = load_balancer_defaults(scheme="internal")
    assert internal["ipv6.deny_all_igw_traffic"] == "true"
    changed = apply_load_balancer_changes(
        internal, [("secondary_ips.auto_assigned.per_subnet", "2")]
    )
    with pytest.raises(InvalidConfigurationRequest, match="cannot be decreased"):
        apply_load_balancer_changes(changed, [("secondary_ips.auto_assigned.per_subnet", "1")])
    with_logs = apply_load_balancer_changes(
        internal, [("access_logs.s3.bucket", "logs"), ("access_logs.s3.enabled", "true")]
    )
    assert with_logs["access_logs.s3.enabled"] == "true"


def test_udp_listeners_have_no_tcp_idle_timeout() -> None:
    with pytest.raises(InvalidConfigurationRequest):
        apply_listener_changes({}, [("tcp.idle_timeout.seconds", "100")], protocol="UDP")
    assert apply_listener_changes({}, [("tcp.idle_timeout.seconds", "6000")], protocol="TLS") == {
        "tcp.idle_timeout.seconds": "6000"
    }


def test_markers_page_through_and_reject_garbage() -> None:
    items = list(range(7))
    page, marker = paginate(items, marker=None, page_size=3)
    assert (list(page), marker is not None) == ([0, 1, 2], True)
    page, marker = paginate(items, marker=marker, page_size=3)
    page, marker = paginate(items, marker=marker, page_size=3)
    assert (list(page), marker) == ([6], None)
    with pytest.raises(ValidationError):
        decode_marker("bm9wZQ==")


def test_models_round_trip_through_the_store_codec() -> None:
    scope = ArnScope("us-west-2", "123456789012")
    lb = LoadBalancer(
        arn=scope.load_balancer("web", "0123456789abcdef"),
        lb_id="0123456789abcdef",
        name="web",
        scheme="internal",
        vpc_id="vpc-1",
        ip_address_type="ipv4",
        created_at=10.0,
        active_at=10.5,
        zones=(LbZone("us-west-2a", "subnet-1", "127.9.0.100"),),
        security_groups=("sg-1",),
        attributes={"b": "2", "a": "1"},
    )
    assert codec.decode(LoadBalancer, codec.encode(lb)) == lb
    assert list(codec.decode(LoadBalancer, codec.encode(lb)).attributes) == ["b", "a"]
    assert lb.state_at(10.4) is LoadBalancerStateCode.PROVISIONING
    assert lb.state_at(10.5) is LoadBalancerStateCode.ACTIVE
    assert resource_kind(lb.arn) == "loadbalancer"
    assert resource_kind(scope.listener(lb.arn, "fedcba9876543210")) == "listener"
    assert resource_kind(scope.target_group("tg", "fedcba9876543210")) == "targetgroup"
    assert (
        resource_kind("arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/x")
        is None
    )
    assert dns_name(name="web", lb_id=lb.lb_id, region="us-west-2") == (
        "web-0123456789abcdef.elb.us-west-2.amazonaws.com"
    )
