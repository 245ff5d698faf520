"""Listeners beyond TCP-forward: TLS listeners with certificates and security policies,
ModifyListener (port, protocol, target group), listener certificates, DescribeSSLPolicies,
DeleteListener, and the listener's idle timeout in the routing snapshot."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.contract.elbv2.conftest import Network, RunningElbv2
from tests.helpers.waiting import wait_until

CERT = "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"
SNI_CERT = "arn:aws:acm:us-west-2:123456789012:certificate/66666666-7777-8888-9999-000000000000"


def test_tls_and_modified_listeners(
    elbv2: Any, network: Network, elbv2_server: RunningElbv2
) -> None:
    lb_arn = elbv2.create_load_balancer(Name="tls", Type="network", Subnets=network.subnet_ids)[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    tcp_tg, tls_tg = (
        elbv2.create_target_group(Name=name, Protocol=protocol, Port=443, VpcId=network.vpc_id)[
            "TargetGroups"
        ][0]["TargetGroupArn"]
        for name, protocol in (("tcp", "TCP"), ("tls", "TLS"))
    )
    tls = elbv2.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol="TLS",
        Port=443,
        Certificates=[{"CertificateArn": CERT}],
        AlpnPolicy=["HTTP2Preferred"],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tls_tg}],
    )["Listeners"][0]
    assert (tls["SslPolicy"], tls["Certificates"], tls["AlpnPolicy"]) == (
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        [{"CertificateArn": CERT}],
        ["HTTP2Preferred"],
    )
    elbv2.add_listener_certificates(
        ListenerArn=tls["ListenerArn"], Certificates=[{"CertificateArn": SNI_CERT}]
    )
    certificates = elbv2.describe_listener_certificates(ListenerArn=tls["ListenerArn"])[
        "Certificates"
    ]
    assert certificates == [
        {"CertificateArn": CERT, "IsDefault": True},
        {"CertificateArn": SNI_CERT, "IsDefault": False},
    ]
    policies = elbv2.describe_ssl_policies(Names=["ELBSecurityPolicy-TLS13-1-2-2021-06"])[
        "SslPolicies"
    ]
    assert policies[0]["SslProtocols"] == ["TLSv1.2", "TLSv1.3"]

    tcp = elbv2.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tcp_tg}],
    )["Listeners"][0]
    with pytest.raises(ClientError) as taken:
        elbv2.modify_listener(ListenerArn=tcp["ListenerArn"], Port=443)
    assert taken.value.response["Error"]["Code"] == "DuplicateListener"
    moved = elbv2.modify_listener(ListenerArn=tcp["ListenerArn"], Port=8080)["Listeners"][0]
    assert (moved["Port"], moved["Protocol"], moved["DefaultActions"][0]["TargetGroupArn"]) == (
        8080,
        "TCP",
        tcp_tg,
    )
    # TLS -> TCP needs a TCP target group, and drops the TLS settings.
    with pytest.raises(ClientError) as incompatible:
        elbv2.modify_listener(ListenerArn=tls["ListenerArn"], Protocol="TCP")
    assert incompatible.value.response["Error"]["Code"] == "IncompatibleProtocols"
    tcp2 = elbv2.create_target_group(Name="tcp2", Protocol="TCP", Port=443, VpcId=network.vpc_id)
    plain = elbv2.modify_listener(
        ListenerArn=tls["ListenerArn"],
        Protocol="TCP",
        DefaultActions=[
            {"Type": "forward", "TargetGroupArn": tcp2["TargetGroups"][0]["TargetGroupArn"]}
        ],
    )["Listeners"][0]
    assert (plain["Protocol"], "SslPolicy" in plain, "Certificates" in plain) == (
        "TCP",
        False,
        False,
    )
    elbv2.modify_listener_attributes(
        ListenerArn=moved["ListenerArn"],
        Attributes=[{"Key": "tcp.idle_timeout.seconds", "Value": "60"}],
    )

    def listeners() -> Any:
        snapshot = elbv2_server.server.feed.snapshot()
        return [
            (li.port, li.protocol, li.tcp_idle_timeout_seconds)
            for lb in snapshot.load_balancers
            for li in lb.listeners
        ]

    assert wait_until(lambda: elbv2_server.call(listeners), timeout=10) == [
        (443, "TCP", 350),
        (8080, "TCP", 60),
    ]
    elbv2.delete_listener(ListenerArn=tls["ListenerArn"])
    remaining = elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"]
    assert [li["Port"] for li in remaining] == [8080]
    with pytest.raises(ClientError) as gone:
        elbv2.describe_listeners(ListenerArns=[tls["ListenerArn"]])
    assert gone.value.response["Error"]["Code"] == "ListenerNotFound"
    elbv2.delete_target_group(TargetGroupArn=tls_tg)  # no longer in use
