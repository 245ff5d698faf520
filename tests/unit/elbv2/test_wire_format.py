"""Shape-driven parsing and serialisation, checked against botocore itself: what its serializers
send parses back to the same parameters, and what we serialise its parsers read back as the
result dict (ELBv2 Query and EC2 dialects)."""

from __future__ import annotations

import datetime
import urllib.parse
from typing import Any

import pytest
from botocore import parsers, serialize

from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.api.serialize import serialize_error, serialize_result
from localnlb.elbv2.api.service_model import Dialect, operation
from localnlb.elbv2.api.validation import find_violations, violations_message
from localnlb.elbv2.api.wire import parse_params


def _roundtrip_request(dialect: Dialect, name: str, params: dict[str, Any]) -> dict[str, Any]:
    model = operation(dialect, name)
    serializer = serialize.create_serializer(dialect.value)
    body = serializer.serialize_to_request(params, model)["body"]
    # botocore keeps the form as a dict until it is sent; encode and decode it as the wire does.
    wire = urllib.parse.urlencode(body)
    form = dict(urllib.parse.parse_qsl(wire, keep_blank_values=True))
    return parse_params(form, model.input_shape, dialect)


@pytest.mark.parametrize(
    ("dialect", "name", "params"),
    [
        (
            Dialect.QUERY,
            "RegisterTargets",
            {
                "TargetGroupArn": "arn",
                "Targets": [
                    {"Id": "i-1", "Port": 80},
                    {"Id": "127.0.0.1", "AvailabilityZone": "all"},
                ],
            },
        ),
        (
            Dialect.QUERY,
            "CreateListener",
            {
                "LoadBalancerArn": "a",
                "Port": 80,
                "Protocol": "TCP",
                "DefaultActions": [
                    {
                        "Type": "forward",
                        "ForwardConfig": {
                            "TargetGroups": [{"TargetGroupArn": "t", "Weight": 1}],
                            "TargetGroupStickinessConfig": {"Enabled": False},
                        },
                    }
                ],
            },
        ),
        (Dialect.QUERY, "DescribeTags", {"ResourceArns": []}),
        (
            Dialect.QUERY,
            "CreateTargetGroup",
            {"Name": "n", "HealthCheckEnabled": True, "Matcher": {"HttpCode": "200-399"}},
        ),
        (
            Dialect.EC2,
            "DescribeInstances",
            {
                "InstanceIds": ["i-1", "i-2"],
                "Filters": [{"Name": "tag:Name", "Values": ["a", "b"]}],
                "DryRun": False,
            },
        ),
        (
            Dialect.EC2,
            "CreateSecurityGroup",
            {
                "GroupName": "g",
                "Description": "d",
                "TagSpecifications": [
                    {"ResourceType": "security-group", "Tags": [{"Key": "k", "Value": "v"}]}
                ],
            },
        ),
        (
            Dialect.EC2,
            "AuthorizeSecurityGroupIngress",
            {
                "GroupId": "sg-1",
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 80,
                        "ToPort": 80,
                        "IpRanges": [{"CidrIp": "127.0.0.0/8"}],
                    }
                ],
            },
        ),
    ],
)
def test_what_botocore_sends_parses_back_to_the_same_parameters(
    dialect: Dialect, name: str, params: dict[str, Any]
) -> None:
    assert _roundtrip_request(dialect, name, params) == params


def _parse_response(dialect: Dialect, name: str, body: str, status: int = 200) -> dict[str, Any]:
    model = operation(dialect, name)
    parser = parsers.create_parser(dialect.value)
    response = {"body": body.encode(), "headers": {}, "status_code": status}
    parsed: dict[str, Any] = parser.parse(response, model.output_shape)  # type: ignore[arg-type]
    parsed.pop("ResponseMetadata", None)
    return parsed


@pytest.mark.parametrize(
    ("dialect", "name", "result"),
    [
        (
            Dialect.QUERY,
            "DescribeTargetHealth",
            {
                "TargetHealthDescriptions": [
                    {
                        "Target": {"Id": "127.0.0.1", "Port": 80, "AvailabilityZone": "all"},
                        "HealthCheckPort": "80",
                        "TargetHealth": {"State": "healthy"},
                    }
                ]
            },
        ),
        (Dialect.QUERY, "DescribeLoadBalancers", {"LoadBalancers": []}),
        (Dialect.QUERY, "RegisterTargets", {}),
        (
            Dialect.QUERY,
            "DescribeTags",
            {"TagDescriptions": [{"ResourceArn": "a", "Tags": [{"Key": "k<&>", "Value": "v\"'"}]}]},
        ),
        (
            Dialect.EC2,
            "DescribeSubnets",
            {
                "Subnets": [
                    {
                        "SubnetId": "subnet-1",
                        "DefaultForAz": False,
                        "AvailableIpAddressCount": 4000,
                        "Tags": [],
                    }
                ]
            },
        ),
        (
            Dialect.EC2,
            "TerminateInstances",
            {
                "TerminatingInstances": [
                    {"InstanceId": "i-1", "CurrentState": {"Code": 32, "Name": "shutting-down"}}
                ]
            },
        ),
    ],
)
def test_what_we_serialise_botocore_reads_back(
    dialect: Dialect, name: str, result: dict[str, Any]
) -> None:
    body = serialize_result(operation(dialect, name), result, dialect=dialect, request_id="r-1")
    assert _parse_response(dialect, name, body) == result


def test_timestamps_are_aws_style_and_parse_back() -> None:
    created = datetime.datetime(2016, 3, 25, 21, 26, 12, 920000, tzinfo=datetime.UTC)
    result = {"LoadBalancers": [{"LoadBalancerName": "x", "CreatedTime": created.timestamp()}]}
    body = serialize_result(
        operation(Dialect.QUERY, "DescribeLoadBalancers"),
        result,
        dialect=Dialect.QUERY,
        request_id="r",
    )
    assert "<CreatedTime>2016-03-25T21:26:12.920Z</CreatedTime>" in body
    parsed = _parse_response(Dialect.QUERY, "DescribeLoadBalancers", body)
    assert parsed["LoadBalancers"][0]["CreatedTime"] == created


@pytest.mark.parametrize("dialect", [Dialect.QUERY, Dialect.EC2])
def test_errors_parse_as_botocore_expects(dialect: Dialect) -> None:
    body = serialize_error(ValidationError("bad <thing>"), dialect=dialect, request_id="r-9")
    parser = parsers.create_parser(dialect.value)
    response = {"body": body.encode(), "headers": {}, "status_code": 400}
    parsed = parser.parse(response, None)  # type: ignore[arg-type]  # errors need no shape
    assert parsed["Error"]["Code"] == "ValidationError"
    assert parsed["Error"]["Message"] == "bad <thing>"
    assert parsed["ResponseMetadata"]["RequestId"] == "r-9"


def test_validation_collects_every_violation_in_awss_words() -> None:
    model = operation(Dialect.QUERY, "CreateTargetGroup")
    problems = find_violations(
        {
            "Name": "x",
            "Protocol": "SCTP",
            "HealthCheckIntervalSeconds": 1,
            "Tags": [{"Value": "v"}],
        },
        model.input_shape,
    )
    assert violations_message(problems) == (
        "3 validation errors detected: "
        "Value 'SCTP' at 'protocol' failed to satisfy constraint: Member must satisfy enum "
        "value set: [HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE, QUIC, TCP_QUIC]; "
        "Value '1' at 'healthCheckIntervalSeconds' failed to satisfy constraint: Member must "
        "have value greater than or equal to 5; "
        "Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null"
    )
