"""Load balancer annotations: scheme, name, IP address type, attributes, tags, subnets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from localnlb.controller.model.enums import IpAddressType, Scheme
from localnlb.controller.model.resources import Attribute, LoadBalancerSpec
from localnlb.controller.service.builder import build_stack
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.view import ExistingLoadBalancer, SubnetInfo
from tests.unit.controller.factories import SETTINGS, VIEW, build, lb_service


def load_balancer(annotations: dict[str, str], **settings: object) -> LoadBalancerSpec:
    return build(lb_service(annotations), **settings).load_balancers[0].spec


class TestScheme:
    @pytest.mark.parametrize("scheme", ["internal", "internet-facing"])
    def test_annotation(self, scheme: str) -> None:
        assert load_balancer({"aws-load-balancer-scheme": scheme}).scheme == scheme

    def test_default_is_internal(self) -> None:
        assert load_balancer({}).scheme is Scheme.INTERNAL

    def test_default_follows_the_controller_flag(self) -> None:
        spec = load_balancer({}, default_scheme=Scheme.INTERNET_FACING)
        assert spec.scheme is Scheme.INTERNET_FACING

    def test_unknown_scheme(self) -> None:
        with pytest.raises(BuildError, match=r"^unknown scheme: public$"):
            load_balancer({"aws-load-balancer-scheme": "public"})

    @pytest.mark.parametrize(
        ("internal", "scheme"), [("true", Scheme.INTERNAL), ("false", Scheme.INTERNET_FACING)]
    )
    def test_deprecated_internal_annotation(self, internal: str, scheme: Scheme) -> None:
        assert load_balancer({"aws-load-balancer-internal": internal}).scheme is scheme

    def test_scheme_annotation_wins_over_internal(self) -> None:
        spec = load_balancer(
            {"aws-load-balancer-scheme": "internal", "aws-load-balancer-internal": "false"}
        )
        assert spec.scheme is Scheme.INTERNAL

    def test_without_annotations_the_existing_load_balancer_keeps_its_scheme(self) -> None:
        view = replace(
            VIEW,
            existing_load_balancer=ExistingLoadBalancer(
                Scheme.INTERNET_FACING, (VIEW.subnets[0].subnet_id,)
            ),
        )
        stack = build_stack(lb_service(), view=view, settings=SETTINGS)
        spec = stack.load_balancers[0].spec
        assert spec.scheme is Scheme.INTERNET_FACING
        assert [m.subnet_id for m in spec.subnet_mappings] == [VIEW.subnets[0].subnet_id]


class TestName:
    def test_explicit_name(self) -> None:
        assert load_balancer({"aws-load-balancer-name": "my-nlb"}).name == "my-nlb"

    def test_name_longer_than_32_is_rejected(self) -> None:
        with pytest.raises(BuildError) as caught:
            load_balancer({"aws-load-balancer-name": "x" * 33})
        assert caught.value.message == "load balancer name cannot be longer than 32 characters"


class TestIpAddressType:
    def test_default_ipv4(self) -> None:
        assert load_balancer({}).ip_address_type is IpAddressType.IPV4

    def test_dualstack(self) -> None:
        spec = load_balancer({"aws-load-balancer-ip-address-type": "dualstack"})
        assert spec.ip_address_type is IpAddressType.DUALSTACK

    def test_unknown(self) -> None:
        with pytest.raises(BuildError, match=r"^unknown IPAddressType: ipv6$"):
            load_balancer({"aws-load-balancer-ip-address-type": "ipv6"})


class TestAttributes:
    def test_none_by_default(self) -> None:
        assert load_balancer({}).load_balancer_attributes == ()

    def test_attributes_annotation_sets_only_listed_keys(self) -> None:
        spec = load_balancer(
            {
                "aws-load-balancer-attributes": (
                    "load_balancing.cross_zone.enabled=true,deletion_protection.enabled=false"
                )
            }
        )
        assert spec.load_balancer_attributes == (
            Attribute("deletion_protection.enabled", "false"),
            Attribute("load_balancing.cross_zone.enabled", "true"),
        )

    def test_cross_zone_annotation(self) -> None:
        spec = load_balancer({"aws-load-balancer-cross-zone-load-balancing-enabled": "true"})
        assert spec.load_balancer_attributes == (
            Attribute("load_balancing.cross_zone.enabled", "true"),
        )

    def test_cross_zone_annotation_wins_over_attributes(self) -> None:
        spec = load_balancer(
            {
                "aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=false",
                "aws-load-balancer-cross-zone-load-balancing-enabled": "true",
            }
        )
        assert spec.load_balancer_attributes == (
            Attribute("load_balancing.cross_zone.enabled", "true"),
        )

    def test_access_logs_only_when_enabled(self) -> None:
        bucket = {"aws-load-balancer-access-log-s3-bucket-name": "logs"}
        assert load_balancer(bucket).load_balancer_attributes == ()
        spec = load_balancer({**bucket, "aws-load-balancer-access-log-enabled": "true"})
        assert spec.load_balancer_attributes == (
            Attribute("access_logs.s3.bucket", "logs"),
            Attribute("access_logs.s3.enabled", "true"),
        )

    def test_invalid_client_routing_policy(self) -> None:
        with pytest.raises(BuildError) as caught:
            load_balancer({"aws-load-balancer-attributes": "dns_record.client_routing_policy=x"})
        assert caught.value.message == (
            "invalid dns_record.client_routing_policy set in annotation "
            "aws-load-balancer-attributes: got 'x' expected one of ['any_availability_zone', "
            "'partial_availability_zone_affinity', 'availability_zone_affinity']"
        )

    def test_malformed_map(self) -> None:
        with pytest.raises(BuildError, match=r"^failed to parse stringMap annotation"):
            load_balancer({"aws-load-balancer-attributes": "cross_zone"})


class TestTags:
    def test_additional_tags_go_on_every_resource(self) -> None:
        stack = build(
            lb_service({"aws-load-balancer-additional-resource-tags": "instance-mode=true, k=v"})
        )
        want = {"instance-mode": "true", "k": "v"}
        assert stack.load_balancers[0].spec.tags == want
        assert stack.target_groups[0].spec.tags == want
        assert stack.listeners[0].spec.tags == want
        assert stack.security_groups[0].spec.tags == want

    def test_default_tags_win_over_the_annotation(self) -> None:
        spec = load_balancer(
            {"aws-load-balancer-additional-resource-tags": "team=a"}, default_tags={"team": "b"}
        )
        assert spec.tags == {"team": "b"}

    def test_external_managed_tag_keys_are_rejected(self) -> None:
        with pytest.raises(BuildError) as caught:
            load_balancer(
                {"aws-load-balancer-additional-resource-tags": "owner=me"},
                external_managed_tags=frozenset({"owner"}),
            )
        assert (
            caught.value.message == "external managed tag key owner cannot be specified on Service"
        )


class TestSubnets:
    def test_discovery_takes_one_subnet_per_zone(self) -> None:
        extra = SubnetInfo("subnet-0zz", "us-west-2a", "127.1.200.0/24")
        view = replace(VIEW, subnets=(*VIEW.subnets, extra))
        stack = build_stack(lb_service(), view=view, settings=SETTINGS)
        ids = [m.subnet_id for m in stack.load_balancers[0].spec.subnet_mappings]
        assert ids == [s.subnet_id for s in VIEW.subnets]

    def test_discovery_prefers_subnets_tagged_for_the_scheme(self) -> None:
        tagged = replace(VIEW.subnets[1], tags={"kubernetes.io/role/internal-elb": "1"})
        view = replace(VIEW, subnets=(VIEW.subnets[0], tagged, VIEW.subnets[2]))
        stack = build_stack(lb_service(), view=view, settings=SETTINGS)
        assert [m.subnet_id for m in stack.load_balancers[0].spec.subnet_mappings] == [
            tagged.subnet_id
        ]

    def test_annotation_by_id_and_name(self) -> None:
        named = replace(VIEW.subnets[2], tags={"Name": "public-c"})
        view = replace(VIEW, subnets=(VIEW.subnets[0], VIEW.subnets[1], named))
        service = lb_service({"aws-load-balancer-subnets": f"{VIEW.subnets[0].subnet_id},public-c"})
        stack = build_stack(service, view=view, settings=SETTINGS)
        assert [m.subnet_id for m in stack.load_balancers[0].spec.subnet_mappings] == [
            VIEW.subnets[0].subnet_id,
            named.subnet_id,
        ]

    def test_unknown_subnet_is_rejected(self) -> None:
        with pytest.raises(BuildError, match=r"^couldn't find all subnets"):
            load_balancer({"aws-load-balancer-subnets": "subnet-nope"})

    def test_two_subnets_in_one_zone_are_rejected(self) -> None:
        extra = SubnetInfo("subnet-0zz", "us-west-2a", "127.1.200.0/24")
        view = replace(VIEW, subnets=(*VIEW.subnets, extra))
        service = lb_service(
            {"aws-load-balancer-subnets": f"{VIEW.subnets[0].subnet_id},subnet-0zz"}
        )
        with pytest.raises(BuildError, match=r"^multiple subnets in same Availability Zone"):
            build_stack(service, view=view, settings=SETTINGS)

    def test_no_subnets_at_all(self) -> None:
        with pytest.raises(BuildError) as caught:
            build_stack(lb_service(), view=replace(VIEW, subnets=()), settings=SETTINGS)
        assert caught.value.message == (
            "unable to resolve at least one subnet (0 match VPC and tags: "
            "[kubernetes.io/role/internal-elb])"
        )
