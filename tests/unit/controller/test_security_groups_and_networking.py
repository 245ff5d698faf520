"""Source ranges → the managed security group's ingress; the binding's networking rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from localnlb.controller.model.resources import (
    IpBlock,
    IpPermission,
    IpRange,
    Ipv6Range,
    NetworkingIngressRule,
    NetworkingPeer,
    NetworkingPort,
    SecurityGroupPeer,
)
from localnlb.controller.model.tokens import ResourceFieldRef
from localnlb.controller.service.builder import build_stack
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import ServicePort
from tests.unit.controller.factories import (
    BACKEND_SG,
    NODE_PORT,
    SETTINGS,
    VIEW,
    build,
    lb_service,
)

RANGES = "load-balancer-source-ranges"


def ingress(annotations: dict[str, str], **fields: object) -> tuple[IpPermission, ...]:
    stack = build(lb_service(annotations, **fields))  # type: ignore[arg-type]
    return stack.security_groups[0].spec.ingress


class TestSourceRanges:
    def test_one_rule_per_port_and_cidr_on_the_listener_port(self) -> None:
        assert ingress({RANGES: "127.0.0.0/8, 192.0.2.0/24"}) == (
            IpPermission("tcp", 80, 80, ip_ranges=(IpRange("127.0.0.0/8"),)),
            IpPermission("tcp", 80, 80, ip_ranges=(IpRange("192.0.2.0/24"),)),
        )

    def test_no_ranges_means_everyone(self) -> None:
        assert ingress({}) == (IpPermission("tcp", 80, 80, ip_ranges=(IpRange("0.0.0.0/0"),)),)

    def test_dualstack_default_adds_ipv6_everyone(self) -> None:
        got = ingress({"aws-load-balancer-ip-address-type": "dualstack"})
        assert got[1] == IpPermission("tcp", 80, 80, ipv6_ranges=(Ipv6Range("::/0"),))

    def test_spec_ranges_win_over_the_annotation(self) -> None:
        got = ingress({RANGES: "192.0.2.0/24"}, load_balancer_source_ranges=("10.0.0.0/8",))
        assert [p.ip_ranges[0].cidr_ip for p in got] == ["10.0.0.0/8"]

    def test_ipv6_range_needs_dualstack(self) -> None:
        with pytest.raises(BuildError, match=r"^unsupported v6 cidr 2001:db8::/32 when lb is not"):
            ingress({RANGES: "2001:db8::/32"})

    def test_udp_port_rule_is_udp(self) -> None:
        udp = (ServicePort(port=53, protocol="UDP", name="dns", target_port=53, node_port=30053),)
        assert ingress({}, ports=udp)[0].ip_protocol == "udp"


class TestLoadBalancerSecurityGroups:
    def test_managed_and_backend_groups(self) -> None:
        stack = build(lb_service())
        assert stack.load_balancers[0].spec.security_groups == (
            ResourceFieldRef("AWS::EC2::SecurityGroup", "ManagedLBSecurityGroup", "groupID"),
            BACKEND_SG,
        )
        assert stack.security_groups[0].spec.description == (
            "[k8s] Managed SecurityGroup for LoadBalancer"
        )

    def test_custom_groups_replace_the_managed_one(self) -> None:
        stack = build(lb_service({"aws-load-balancer-security-groups": "sg-1, sg-2"}))
        assert stack.security_groups == ()
        assert stack.load_balancers[0].spec.security_groups == ("sg-1", "sg-2")
        assert stack.target_group_bindings[0].spec.networking == ()

    def test_custom_groups_with_managed_backend_rules(self) -> None:
        stack = build(
            lb_service(
                {
                    "aws-load-balancer-security-groups": "sg-1",
                    "aws-load-balancer-manage-backend-security-group-rules": "true",
                }
            )
        )
        assert stack.load_balancers[0].spec.security_groups == ("sg-1", BACKEND_SG)
        assert stack.target_group_bindings[0].spec.networking != ()

    def test_custom_group_by_name(self) -> None:
        view = replace(VIEW, security_groups_by_name={"edge": "sg-0edge"})
        service = lb_service({"aws-load-balancer-security-groups": "edge"})
        stack = build_stack(service, view=view, settings=SETTINGS)
        assert stack.load_balancers[0].spec.security_groups == ("sg-0edge",)

    def test_unknown_custom_group(self) -> None:
        with pytest.raises(BuildError, match=r"^couldn't find all securityGroups"):
            build(lb_service({"aws-load-balancer-security-groups": "edge"}))

    def test_disabled_nlb_security_groups(self) -> None:
        stack = build(lb_service({"aws-load-balancer-disable-nlb-sg": "true"}))
        assert stack.security_groups == ()
        assert stack.load_balancers[0].spec.security_groups == ()


class TestBindingNetworking:
    def test_backend_group_may_reach_the_node_port(self) -> None:
        (rule,) = build(lb_service()).target_group_bindings[0].spec.networking
        assert rule == NetworkingIngressRule(
            from_=(NetworkingPeer(security_group=SecurityGroupPeer(BACKEND_SG)),),
            ports=(NetworkingPort("TCP", NODE_PORT),),
        )

    def test_ip_mode_opens_the_pod_port(self) -> None:
        stack = build(lb_service({"aws-load-balancer-nlb-target-type": "ip"}))
        assert stack.target_group_bindings[0].spec.networking[0].ports == (
            NetworkingPort("TCP", 8080),
        )

    def test_a_separate_health_check_port_is_opened_too(self) -> None:
        stack = build(lb_service(external_traffic_policy="Local", health_check_node_port=32001))
        assert stack.target_group_bindings[0].spec.networking[0].ports == (
            NetworkingPort("TCP", NODE_PORT),
            NetworkingPort("TCP", 32001),
        )

    def test_unrestricted_rules_open_all_ports(self) -> None:
        stack = build(lb_service(), disable_restricted_sg_rules=True)
        assert stack.target_group_bindings[0].spec.networking[0].ports == (NetworkingPort("TCP"),)

    def test_without_a_backend_group_there_are_no_rules(self) -> None:
        stack = build_stack(
            lb_service(), view=replace(VIEW, backend_security_group_id=None), settings=SETTINGS
        )
        assert stack.target_group_bindings[0].spec.networking == ()
        assert len(stack.load_balancers[0].spec.security_groups) == 1

    def test_legacy_mode_opens_the_node_port_to_the_client_ranges(self) -> None:
        stack = build(
            lb_service({"aws-load-balancer-disable-nlb-sg": "true", RANGES: "192.0.2.0/24"})
        )
        rules = stack.target_group_bindings[0].spec.networking
        assert rules[0] == NetworkingIngressRule(
            (NetworkingPeer(ip_block=IpBlock("192.0.2.0/24")),), (NetworkingPort("TCP", NODE_PORT),)
        )
        # Health checks come from the load balancer's subnets, which the client ranges miss.
        assert [p.ip_block.cidr for p in rules[1].from_ if p.ip_block] == [
            s.cidr for s in VIEW.subnets
        ]

    def test_legacy_mode_ip_targets_admit_the_load_balancer_subnets(self) -> None:
        stack = build(
            lb_service(
                {
                    "aws-load-balancer-disable-nlb-sg": "true",
                    "aws-load-balancer-nlb-target-type": "ip",
                }
            )
        )
        (rule,) = stack.target_group_bindings[0].spec.networking
        assert [p.ip_block.cidr for p in rule.from_ if p.ip_block] == [s.cidr for s in VIEW.subnets]

    def test_legacy_mode_backend_rules_can_be_switched_off(self) -> None:
        stack = build(
            lb_service(
                {
                    "aws-load-balancer-disable-nlb-sg": "true",
                    "aws-load-balancer-manage-backend-security-group-rules": "false",
                }
            )
        )
        assert stack.target_group_bindings[0].spec.networking == ()
