"""Listeners and their attributes, tracking tags, the Service status, unsupported annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from localnlb.controller.model.enums import Protocol
from localnlb.controller.model.resources import Attribute
from localnlb.controller.model.tokens import ResourceFieldRef, UnresolvedTokenError, resolve_token
from localnlb.controller.service.constants import annotation_key
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import ServicePort
from localnlb.controller.service.status import build_load_balancer_status
from localnlb.controller.service.tracking import resource_tags, stack_tags
from localnlb.controller.service.unsupported import collect_annotation_warnings
from tests.unit.controller.factories import build, lb_service, workshop_service


class TestListeners:
    def test_listener_per_port_forwards_to_its_target_group(self) -> None:
        (listener,) = build(lb_service()).listeners
        assert (listener.id, listener.spec.port, listener.spec.protocol) == ("80", 80, Protocol.TCP)
        assert listener.spec.target_group_arns == (
            ResourceFieldRef(
                "AWS::ElasticLoadBalancingV2::TargetGroup", "ui/ui-nlb:80", "targetGroupARN"
            ),
        )

    def test_udp_port_gives_a_udp_listener(self) -> None:
        udp = (ServicePort(53, protocol="UDP", name="dns", target_port=53, node_port=30053),)
        assert build(lb_service(ports=udp)).listeners[0].spec.protocol is Protocol.UDP

    def test_unsupported_port_protocol(self) -> None:
        sctp = (ServicePort(9, protocol="SCTP", target_port=9, node_port=30009),)
        with pytest.raises(BuildError, match=r"^unsupported protocol SCTP on port 9$"):
            build(lb_service(ports=sctp))

    def test_one_port_number_for_tcp_and_udp_is_rejected(self) -> None:
        both = (
            ServicePort(53, protocol="TCP", name="dns-tcp", target_port=53, node_port=30053),
            ServicePort(53, protocol="UDP", name="dns-udp", target_port=53, node_port=30054),
        )
        with pytest.raises(BuildError, match=r"^port 53 is used by more than one Service port"):
            build(lb_service(ports=both))

    def test_listener_attributes_per_protocol_and_port(self) -> None:
        stack = build(
            lb_service(
                {"aws-load-balancer-listener-attributes.TCP-80": "tcp.idle_timeout.seconds=400"}
            )
        )
        assert stack.listeners[0].spec.listener_attributes == (
            Attribute("tcp.idle_timeout.seconds", "400"),
        )

    def test_listener_attributes_of_another_port_do_not_apply(self) -> None:
        stack = build(
            lb_service(
                {"aws-load-balancer-listener-attributes.TCP-443": "tcp.idle_timeout.seconds=1"}
            )
        )
        assert stack.listeners[0].spec.listener_attributes == ()


class TestTokens:
    def test_token_resolves_once_its_resource_is_deployed(self) -> None:
        ref = ResourceFieldRef("T", "id", "arn")
        assert resolve_token(ref, {("T", "id"): {"arn": "arn:x"}}) == "arn:x"
        assert resolve_token("literal", {}) == "literal"
        with pytest.raises(UnresolvedTokenError):
            resolve_token(ref, {})

    def test_token_serialises_as_a_json_reference(self) -> None:
        assert ResourceFieldRef("T", "ns/name:80", "arn").to_json() == {
            "$ref": "#/resources/T/ns/name:80/status/arn"
        }


class TestTrackingTags:
    def test_resource_tags_carry_cluster_stack_and_resource(self) -> None:
        assert resource_tags(
            cluster_name="eks-workshop",
            stack_id="ui/ui-nlb",
            resource_id="ui/ui-nlb:80",
            spec_tags={"team": "x", "service.k8s.aws/stack": "spoofed"},
        ) == {
            "team": "x",
            "elbv2.k8s.aws/cluster": "eks-workshop",
            "service.k8s.aws/stack": "ui/ui-nlb",
            "service.k8s.aws/resource": "ui/ui-nlb:80",
        }

    def test_stack_tags_find_the_stacks_resources(self) -> None:
        assert stack_tags(cluster_name="c", stack_id="ui/ui-nlb") == {
            "elbv2.k8s.aws/cluster": "c",
            "service.k8s.aws/stack": "ui/ui-nlb",
        }


def test_status_holds_the_lower_cased_hostname_and_ports() -> None:
    status = build_load_balancer_status(
        lb_service(), "K8S-ui-uinlb-e1c1ebaeb4-28a0d1a388d43825.elb.us-west-2.amazonaws.com"
    )
    assert status == {
        "ingress": [
            {
                "hostname": "k8s-ui-uinlb-e1c1ebaeb4-28a0d1a388d43825.elb.us-west-2.amazonaws.com",
                "ports": [{"port": 80, "protocol": "TCP"}],
            }
        ]
    }


class TestUnsupportedAnnotations:
    def test_workshop_manifests_need_no_warning(self, workshop_dir: Path) -> None:
        for ip_mode in (False, True):
            service = workshop_service(workshop_dir, ip_mode=ip_mode)
            assert collect_annotation_warnings(service.annotations) == []

    @pytest.mark.parametrize(
        "suffix",
        [
            "aws-load-balancer-ssl-cert",
            "aws-load-balancer-eip-allocations",
            "aws-load-balancer-private-ipv4-addresses",
            "actions.TCP-80",
        ],
    )
    def test_annotations_without_local_meaning_are_accepted_with_a_warning(
        self, suffix: str
    ) -> None:
        service = lb_service({suffix: "x"})
        assert not build(service).is_empty
        (warning,) = collect_annotation_warnings(service.annotations)
        assert warning.startswith(f"annotation {annotation_key(suffix)} has no effect in localnlb:")

    def test_other_prefixes_are_not_ours_to_judge(self) -> None:
        assert collect_annotation_warnings({"example.com/ssl-cert": "x"}) == []
