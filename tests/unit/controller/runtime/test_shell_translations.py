"""The shells' pure translations: which Service changes count, the TargetGroupBinding object the
deployer writes, botocore errors into the core's errors, ELBv2 health checks and EC2 rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError

from localnlb.controller.model.enums import Protocol
from localnlb.controller.model.resources import (
    HealthCheckConfig,
    HealthCheckMatcher,
    IpPermission,
    IpRange,
)
from localnlb.controller.runtime.aws_calls import AwsApiError, AwsUnavailableError, translate
from localnlb.controller.runtime.aws_ec2 import permission_from_api, permission_params
from localnlb.controller.runtime.aws_elbv2 import health_check_from_api, health_check_params
from localnlb.controller.runtime.kube_bindings import binding_spec_object, crd_manifest
from localnlb.controller.runtime.service_controller import service_changed
from localnlb.controller.service.builder import build_stack
from tests.unit.controller.factories import SETTINGS, VIEW, workshop_service


def test_status_and_finalizer_changes_do_not_count_as_service_changes() -> None:
    metadata: dict[str, Any] = {"annotations": {"a": "1"}}
    base: dict[str, Any] = {"metadata": metadata, "spec": {"type": "LoadBalancer"}}
    status = {**base, "status": {"loadBalancer": {"ingress": [{"hostname": "x"}]}}}
    finalizer = {**base, "metadata": {**metadata, "finalizers": ["f"]}}
    assert not service_changed(base, status)
    assert not service_changed(base, finalizer)
    assert service_changed(base, {**base, "metadata": {"annotations": {"a": "2"}}})
    assert service_changed(base, {**base, "spec": {"type": "NodePort"}})
    deleted = {
        **base,
        "metadata": {**base["metadata"], "deletionTimestamp": "2026-01-01T00:00:00Z"},
    }
    assert service_changed(base, deleted)
    assert service_changed(None, base)


def test_binding_object_as_the_real_controller_writes_it(workshop_dir: Path) -> None:
    stack = build_stack(workshop_service(workshop_dir, ip_mode=True), view=VIEW, settings=SETTINGS)
    [binding] = stack.target_group_bindings
    body = binding_spec_object(binding.spec, target_group_arn="arn:tg")
    assert body["targetGroupARN"] == "arn:tg"
    assert (body["targetType"], body["ipAddressType"]) == ("ip", "ipv4")
    assert body["serviceRef"] == {"name": "ui-nlb", "port": 80}
    assert body["vpcID"] == SETTINGS.vpc_id
    [rule] = body["networking"]["ingress"]
    assert rule["from"] == [{"securityGroup": {"groupID": VIEW.backend_security_group_id}}]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8080}]
    assert "nodeSelector" not in body
    assert "multiClusterTargetGroup" not in body


def test_crd_is_elbv2_v1beta1_with_the_real_print_columns() -> None:
    crd = crd_manifest()
    assert crd["metadata"]["name"] == "targetgroupbindings.elbv2.k8s.aws"
    [version] = crd["spec"]["versions"]
    assert (version["name"], version["served"], version["storage"]) == ("v1beta1", True, True)
    columns = [c["name"] for c in version["additionalPrinterColumns"]]
    assert columns == ["SERVICE-NAME", "SERVICE-PORT", "TARGET-TYPE", "ARN", "NAME", "AGE"]
    spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert spec["required"] == ["serviceRef"]
    assert spec["properties"]["targetType"]["enum"] == ["instance", "ip"]


def test_client_errors_keep_their_code_and_connection_errors_are_unavailable() -> None:
    error = ClientError(
        {"Error": {"Code": "ResourceInUse", "Message": "in use"}}, "DeleteTargetGroup"
    )
    translated = translate("delete_target_group", error)
    assert isinstance(translated, AwsApiError)
    assert (translated.code, translated.aws_message) == ("ResourceInUse", "in use")
    unreachable = translate("x", EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    assert isinstance(unreachable, AwsUnavailableError)


def test_health_check_round_trip_through_the_api_shapes() -> None:
    config = HealthCheckConfig(
        port=31999,
        protocol=Protocol.HTTP,
        interval_seconds=10,
        timeout_seconds=6,
        healthy_threshold_count=2,
        unhealthy_threshold_count=2,
        path="/healthz",
        matcher=HealthCheckMatcher("200-399"),
    )
    params = health_check_params(config)
    assert params["HealthCheckPort"] == "31999"
    described = {**params, "Matcher": {"HttpCode": "200-399"}}
    assert health_check_from_api(described) == config
    tcp = health_check_from_api({"HealthCheckPort": "traffic-port", "HealthCheckProtocol": "TCP"})
    assert (tcp.port, tcp.path, tcp.matcher) == ("traffic-port", None, None)


def test_ingress_rules_round_trip_through_the_ec2_shapes() -> None:
    rule = IpPermission("tcp", 80, 80, ip_ranges=(IpRange("127.0.0.0/8"),))
    [params] = permission_params([rule])
    assert params["IpRanges"] == [{"CidrIp": "127.0.0.0/8"}]
    assert permission_from_api(params) == rule
