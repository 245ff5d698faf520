"""Target type, target-group port, attributes and the TargetGroupBinding built per port."""

from __future__ import annotations

import pytest

from localnlb.controller.model.enums import TargetType
from localnlb.controller.model.resources import Attribute, TargetGroupSpec
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import ServicePort
from tests.unit.controller.factories import NODE_PORT, build, lb_service

IP = {"aws-load-balancer-nlb-target-type": "ip"}
TWO_PORTS = (
    ServicePort(port=80, name="http", target_port=8080, node_port=30080),
    ServicePort(port=443, name="https", target_port=8443, node_port=30443),
)


def groups(annotations: dict[str, str], **fields: object) -> tuple[TargetGroupSpec, ...]:
    stack = build(lb_service(annotations, **fields))  # type: ignore[arg-type]
    return tuple(g.spec for g in stack.target_groups)


def attributes(annotations: dict[str, str], **fields: object) -> list[dict[str, str]]:
    return [
        {a.key: a.value for a in g.target_group_attributes} for g in groups(annotations, **fields)
    ]


class TestTargetType:
    def test_default_is_instance_on_the_node_port(self) -> None:
        (group,) = groups({})
        assert (group.target_type, group.port) == (TargetType.INSTANCE, NODE_PORT)

    def test_ip_on_the_target_port(self) -> None:
        (group,) = groups(IP)
        assert (group.target_type, group.port) == (TargetType.IP, 8080)

    def test_legacy_nlb_ip_type(self) -> None:
        (group,) = groups({"aws-load-balancer-type": "nlb-ip"}, load_balancer_class=None)
        assert group.target_type is TargetType.IP

    def test_named_target_port_gives_port_1_in_ip_mode(self) -> None:
        named = (ServicePort(port=80, name="http", target_port="http", node_port=NODE_PORT),)
        (group,) = groups(IP, ports=named)
        assert group.port == 1

    def test_default_follows_the_controller_flag(self) -> None:
        stack = build(lb_service(), default_target_type=TargetType.IP)
        assert stack.target_groups[0].spec.target_type is TargetType.IP

    def test_ip_targets_can_be_disabled(self) -> None:
        with pytest.raises(BuildError) as caught:
            build(lb_service(IP), enable_ip_target_type=False)
        assert caught.value.message == "unsupported targetType: ip when EnableIPTargetType is false"

    def test_cluster_ip_service_cannot_use_instance_targets(self) -> None:
        with pytest.raises(BuildError) as caught:
            groups({"aws-load-balancer-nlb-target-type": "instance"}, type="ClusterIP")
        assert caught.value.message == (
            'unsupported service type "ClusterIP" for load balancer target type "instance"'
        )

    def test_cluster_ip_service_works_in_ip_mode(self) -> None:
        (group,) = groups(IP, type="ClusterIP")
        assert group.target_type is TargetType.IP

    def test_unallocated_node_port(self) -> None:
        no_node_port = (ServicePort(port=80, name="http", target_port=8080),)
        with pytest.raises(BuildError) as caught:
            groups({}, ports=no_node_port, allocate_load_balancer_node_ports=False)
        assert caught.value.message == (
            "unable to support instance target type with an unallocated NodePort"
        )

    def test_missing_node_port(self) -> None:
        no_node_port = (ServicePort(port=80, name="http", target_port=8080),)
        with pytest.raises(BuildError) as caught:
            groups({}, ports=no_node_port)
        assert caught.value.message == (
            "TargetGroup port is empty. When using Instance targets, your service be must of "
            "type 'NodePort' or 'LoadBalancer'"
        )


class TestAttributes:
    def test_default_is_proxy_protocol_off_only(self) -> None:
        assert attributes({}) == [{"proxy_protocol_v2.enabled": "false"}]

    def test_global_attributes(self) -> None:
        got = attributes(
            {
                "aws-load-balancer-target-group-attributes": (
                    "preserve_client_ip.enabled=false, proxy_protocol_v2.enabled=true, "
                    "deregistration_delay.timeout_seconds=120"
                )
            }
        )
        assert got == [
            {
                "deregistration_delay.timeout_seconds": "120",
                "preserve_client_ip.enabled": "false",
                "proxy_protocol_v2.enabled": "true",
            }
        ]

    def test_attributes_are_sorted_by_key(self) -> None:
        (group,) = groups({"aws-load-balancer-target-group-attributes": "z=1,a=2"})
        assert [a.key for a in group.target_group_attributes] == [
            "a",
            "proxy_protocol_v2.enabled",
            "z",
        ]

    def test_per_port_attributes_override_the_global_ones(self) -> None:
        got = attributes(
            {
                "aws-load-balancer-target-group-attributes": (
                    "deregistration_delay.timeout_seconds=60"
                ),
                "aws-load-balancer-target-group-attributes.443": (
                    "deregistration_delay.timeout_seconds=10,stickiness.enabled="
                ),
            },
            ports=TWO_PORTS,
        )
        assert got[0]["deregistration_delay.timeout_seconds"] == "60"
        assert got[1]["deregistration_delay.timeout_seconds"] == "10"
        assert "stickiness.enabled" not in got[1]  # an empty per-port value keeps the global one

    def test_preserve_client_ip_must_be_a_bool(self) -> None:
        with pytest.raises(BuildError) as caught:
            groups({"aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=yes"})
        assert caught.value.message == (
            "failed to parse attribute preserve_client_ip.enabled=yes: strconv.ParseBool: "
            'parsing "yes": invalid syntax'
        )

    def test_proxy_protocol_star_wins_over_everything(self) -> None:
        got = attributes(
            {
                "aws-load-balancer-proxy-protocol": "*",
                "aws-load-balancer-proxy-protocol-per-target-group": "80",
                "aws-load-balancer-target-group-attributes": (
                    "proxy_protocol_v2.enabled=false, deregistration_delay.timeout_seconds=120"
                ),
            },
            ports=TWO_PORTS,
        )
        assert [g["proxy_protocol_v2.enabled"] for g in got] == ["true", "true"]
        assert got[0]["deregistration_delay.timeout_seconds"] == "120"

    def test_proxy_protocol_only_accepts_star(self) -> None:
        with pytest.raises(BuildError) as caught:
            groups({"aws-load-balancer-proxy-protocol": "v2"})
        assert caught.value.message == (
            "invalid value v2 for Load Balancer proxy protocol v2 annotation, only value "
            "currently supported is *"
        )

    def test_proxy_protocol_per_target_group(self) -> None:
        got = attributes(
            {
                "aws-load-balancer-proxy-protocol-per-target-group": "443",
                "aws-load-balancer-target-group-attributes": "proxy_protocol_v2.enabled=true",
            },
            ports=TWO_PORTS,
        )
        assert [g["proxy_protocol_v2.enabled"] for g in got] == ["false", "true"]

    def test_proxy_protocol_per_target_group_rejects_names(self) -> None:
        with pytest.raises(BuildError) as caught:
            groups({"aws-load-balancer-proxy-protocol-per-target-group": "80, https"})
        assert (
            caught.value.message == "invalid port number in proxy-protocol-per-target-group: https"
        )


class TestBinding:
    def test_one_target_group_and_binding_per_port(self) -> None:
        stack = build(lb_service(ports=TWO_PORTS))
        assert [g.id for g in stack.target_groups] == ["ui/ui-nlb:80", "ui/ui-nlb:443"]
        assert [b.spec.service_ref.port for b in stack.target_group_bindings] == [80, 443]
        assert [ls.id for ls in stack.listeners] == ["80", "443"]

    def test_binding_is_named_after_its_target_group(self) -> None:
        stack = build(lb_service())
        assert stack.target_group_bindings[0].spec.name == stack.target_groups[0].spec.name
        assert stack.target_group_bindings[0].spec.namespace == "ui"

    def test_target_node_labels_become_the_node_selector(self) -> None:
        stack = build(lb_service({"aws-load-balancer-target-node-labels": "role=edge,zone=a"}))
        assert stack.target_group_bindings[0].spec.node_selector == {"role": "edge", "zone": "a"}

    def test_target_node_labels_are_ignored_in_ip_mode(self) -> None:
        stack = build(lb_service({**IP, "aws-load-balancer-target-node-labels": "role=edge"}))
        assert stack.target_group_bindings[0].spec.node_selector == {}

    @pytest.mark.parametrize(("raw", "expected"), [(None, False), ("true", True), ("false", False)])
    def test_multi_cluster_flag(self, raw: str | None, expected: bool) -> None:
        annotations = {} if raw is None else {"aws-load-balancer-multi-cluster-target-group": raw}
        stack = build(lb_service(annotations))
        assert stack.target_group_bindings[0].spec.multi_cluster_target_group is expected

    def test_multi_cluster_flag_must_be_a_bool(self) -> None:
        with pytest.raises(BuildError, match=r"^failed to parse bool annotation"):
            build(lb_service({"aws-load-balancer-multi-cluster-target-group": "maybe"}))


def test_attribute_values_are_kept_verbatim() -> None:
    (group,) = groups({"aws-load-balancer-target-group-attributes": "stickiness.type=source_ip"})
    assert Attribute("stickiness.type", "source_ip") in group.target_group_attributes
