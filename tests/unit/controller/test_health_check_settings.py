"""Health-check defaults per mode and every health-check annotation (reference §2.7)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from localnlb.controller.model.enums import Protocol
from localnlb.controller.model.resources import HealthCheckConfig, HealthCheckMatcher
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import ServicePort
from tests.unit.controller.factories import NODE_PORT, build, lb_service

IP = {"aws-load-balancer-nlb-target-type": "ip"}
HC_NODE_PORT = 32001


def health_check(annotations: dict[str, str], **fields: object) -> HealthCheckConfig:
    stack = build(lb_service(annotations, **fields))  # type: ignore[arg-type]
    return stack.target_groups[0].spec.health_check_config


class TestDefaults:
    def test_instance_mode_cluster_policy_is_tcp_traffic_port_10_10_3_3(self) -> None:
        assert health_check({}) == HealthCheckConfig("traffic-port", Protocol.TCP, 10, 10, 3, 3)

    def test_ip_mode_is_tcp_traffic_port_10_10_3_3(self) -> None:
        assert health_check(IP) == HealthCheckConfig("traffic-port", Protocol.TCP, 10, 10, 3, 3)

    def test_instance_mode_local_policy_is_http_healthz_on_health_check_node_port(self) -> None:
        check = health_check(
            {}, external_traffic_policy="Local", health_check_node_port=HC_NODE_PORT
        )
        assert check == HealthCheckConfig(
            HC_NODE_PORT, Protocol.HTTP, 10, 6, 2, 2, "/healthz", HealthCheckMatcher("200-399")
        )

    def test_ip_mode_ignores_the_local_policy(self) -> None:
        check = health_check(
            IP, external_traffic_policy="Local", health_check_node_port=HC_NODE_PORT
        )
        assert check.protocol is Protocol.TCP
        assert check.port == "traffic-port"

    def test_local_defaults_apply_to_load_balancer_services_only(self) -> None:
        check = health_check(
            {}, type="NodePort", external_traffic_policy="Local", health_check_node_port=1
        )
        assert check.protocol is Protocol.TCP


class TestAnnotations:
    def test_e2e_http_settings_are_applied_exactly(self) -> None:
        check = health_check(
            {
                **IP,
                "aws-load-balancer-healthcheck-protocol": "HTTP",
                "aws-load-balancer-healthcheck-port": "80",
                "aws-load-balancer-healthcheck-path": "/healthz",
                "aws-load-balancer-healthcheck-interval": "30",
                "aws-load-balancer-healthcheck-timeout": "6",
                "aws-load-balancer-healthcheck-healthy-threshold": "2",
                "aws-load-balancer-healthcheck-unhealthy-threshold": "2",
            }
        )
        assert check == HealthCheckConfig(
            80, Protocol.HTTP, 30, 6, 2, 2, "/healthz", HealthCheckMatcher("200-399")
        )

    @pytest.mark.parametrize("raw", ["http", "Http", "HTTPS", "tcp"])
    def test_protocol_is_case_insensitive(self, raw: str) -> None:
        check = health_check({"aws-load-balancer-healthcheck-protocol": raw})
        assert check.protocol == raw.upper()

    def test_unknown_protocol_is_rejected(self) -> None:
        with pytest.raises(BuildError, match=r"^unsupported health check protocol udp$"):
            health_check({"aws-load-balancer-healthcheck-protocol": "udp"})

    def test_http_without_path_uses_slash_and_default_success_codes(self) -> None:
        check = health_check({"aws-load-balancer-healthcheck-protocol": "HTTP"})
        assert (check.path, check.matcher) == ("/", HealthCheckMatcher("200-399"))

    def test_success_codes(self) -> None:
        check = health_check(
            {
                "aws-load-balancer-healthcheck-protocol": "HTTP",
                "aws-load-balancer-healthcheck-success-codes": "200,204",
            }
        )
        assert check.matcher == HealthCheckMatcher("200,204")

    def test_path_and_success_codes_are_not_sent_for_tcp(self) -> None:
        check = health_check(
            {
                "aws-load-balancer-healthcheck-path": "/x",
                "aws-load-balancer-healthcheck-success-codes": "200",
            }
        )
        assert (check.path, check.matcher) == (None, None)

    def test_timeout_and_matcher_need_the_advanced_config_gate(self) -> None:
        service = lb_service(
            {
                "aws-load-balancer-healthcheck-protocol": "HTTP",
                "aws-load-balancer-healthcheck-timeout": "3",
            }
        )
        check = build(service, nlb_health_check_advanced_config=False).target_groups[0]
        assert check.spec.health_check_config.timeout_seconds == 10
        assert check.spec.health_check_config.matcher is None

    @pytest.mark.parametrize(
        "suffix",
        [
            "aws-load-balancer-healthcheck-interval",
            "aws-load-balancer-healthcheck-timeout",
            "aws-load-balancer-healthcheck-healthy-threshold",
            "aws-load-balancer-healthcheck-unhealthy-threshold",
        ],
    )
    def test_numeric_settings_reject_non_numbers(self, suffix: str) -> None:
        with pytest.raises(BuildError) as caught:
            health_check({suffix: "ten"})
        assert caught.value.message == (
            f"failed to parse int32 annotation, service.beta.kubernetes.io/{suffix}: ten: "
            'strconv.ParseInt: parsing "ten": invalid syntax'
        )


class TestPort:
    def test_traffic_port(self) -> None:
        assert health_check({"aws-load-balancer-healthcheck-port": "traffic-port"}).port == (
            "traffic-port"
        )

    def test_named_port_is_the_node_port_in_instance_mode(self) -> None:
        assert health_check({"aws-load-balancer-healthcheck-port": "http"}).port == NODE_PORT

    def test_named_port_is_the_target_port_in_ip_mode(self) -> None:
        assert health_check({**IP, "aws-load-balancer-healthcheck-port": "http"}).port == 8080

    def test_named_port_with_named_target_port_in_ip_mode_is_rejected(self) -> None:
        named = (ServicePort(port=80, name="http", target_port="web", node_port=NODE_PORT),)
        with pytest.raises(BuildError) as caught:
            health_check({**IP, "aws-load-balancer-healthcheck-port": "http"}, ports=named)
        assert caught.value.message == (
            "cannot use named healthCheckPort for IP TargetType when service's targetPort is a "
            "named port"
        )

    def test_unknown_port_name_is_rejected(self) -> None:
        with pytest.raises(BuildError) as caught:
            health_check({"aws-load-balancer-healthcheck-port": "metrics"})
        assert caught.value.message == (
            "failed to resolve healthCheckPort: unable to find port metrics on service ui/ui-nlb"
        )

    def test_local_policy_port_can_be_overridden(self) -> None:
        check = health_check(
            {"aws-load-balancer-healthcheck-port": "traffic-port"},
            external_traffic_policy="Local",
            health_check_node_port=HC_NODE_PORT,
        )
        assert check.port == "traffic-port"
        assert replace(check, port=HC_NODE_PORT).path == "/healthz"
