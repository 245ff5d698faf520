"""Model values → the wire dicts the serializer walks (AWS PascalCase member names live here).

Outputs follow what real AWS returns for NLBs (reference §2.4): no ``SecurityGroups`` key for a
load balancer created without any, no ``HealthCheckPath``/``Matcher`` for TCP health checks,
``LoadBalancerArns`` only when a listener uses the target group, forward actions echoed with
their ``ForwardConfig``.
"""

from __future__ import annotations

from typing import Any

from localnlb.elbv2.model.arns import dns_name, hosted_zone_id
from localnlb.elbv2.model.listener import Listener
from localnlb.elbv2.model.load_balancer import LbZone, LoadBalancer
from localnlb.elbv2.model.target_group import TargetGroup


def present_zone(zone: LbZone) -> dict[str, Any]:
    addresses: list[dict[str, Any]] = []
    if zone.private_ipv4_address is not None:
        addresses.append({"PrivateIPv4Address": zone.private_ipv4_address})
    return {
        "ZoneName": zone.zone_name,
        "SubnetId": zone.subnet_id,
        "LoadBalancerAddresses": addresses,
    }


def present_load_balancer(lb: LoadBalancer, *, region: str, now: float) -> dict[str, Any]:
    result: dict[str, Any] = {
        "LoadBalancerArn": lb.arn,
        "DNSName": dns_name(name=lb.name, lb_id=lb.lb_id, region=region),
        "CanonicalHostedZoneId": hosted_zone_id(region),
        "CreatedTime": lb.created_at,
        "LoadBalancerName": lb.name,
        "Scheme": lb.scheme,
        "VpcId": lb.vpc_id,
        "State": {"Code": lb.state_at(now).value},
        "Type": "network",
        "AvailabilityZones": [present_zone(z) for z in lb.zones],
        "IpAddressType": lb.ip_address_type,
        # Real NLBs report this (the workshop's output shows it); it is "on" only for dual-stack
        # load balancers with UDP listeners that asked for it.
        "EnablePrefixForIpv6SourceNat": "off",
    }
    if lb.security_groups is not None:
        result["SecurityGroups"] = list(lb.security_groups)
        result["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] = (
            lb.enforce_sg_on_private_link or "on"
        )
    return result


def present_target_group(tg: TargetGroup, *, load_balancer_arns: list[str]) -> dict[str, Any]:
    hc = tg.health_check
    result: dict[str, Any] = {
        "TargetGroupArn": tg.arn,
        "TargetGroupName": tg.name,
        "Protocol": tg.protocol,
        "Port": tg.port,
        "VpcId": tg.vpc_id,
        "HealthCheckProtocol": hc.protocol,
        "HealthCheckPort": hc.port,
        "HealthCheckEnabled": hc.enabled,
        "HealthCheckIntervalSeconds": hc.interval_seconds,
        "HealthCheckTimeoutSeconds": hc.timeout_seconds,
        "HealthyThresholdCount": hc.healthy_threshold,
        "UnhealthyThresholdCount": hc.unhealthy_threshold,
        "LoadBalancerArns": load_balancer_arns,
        "TargetType": tg.target_type,
        "IpAddressType": tg.ip_address_type,
    }
    if hc.path is not None:
        result["HealthCheckPath"] = hc.path
    if hc.matcher is not None:
        result["Matcher"] = {"HttpCode": hc.matcher}
    return result


def present_action(listener: Listener) -> dict[str, Any]:
    arn = listener.action.target_group_arn
    action: dict[str, Any] = {
        "Type": "forward",
        "TargetGroupArn": arn,
        "ForwardConfig": {
            "TargetGroups": [{"TargetGroupArn": arn, "Weight": 1}],
            "TargetGroupStickinessConfig": {"Enabled": False},
        },
    }
    if listener.action.order is not None:
        action["Order"] = listener.action.order
    return action


def present_listener(listener: Listener) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ListenerArn": listener.arn,
        "LoadBalancerArn": listener.load_balancer_arn,
        "Port": listener.port,
        "Protocol": listener.protocol,
        "DefaultActions": [present_action(listener)],
    }
    if listener.certificate_arns:
        result["Certificates"] = [{"CertificateArn": listener.certificate_arns[0]}]
    if listener.ssl_policy is not None:
        result["SslPolicy"] = listener.ssl_policy
    if listener.alpn_policy:
        result["AlpnPolicy"] = list(listener.alpn_policy)
    return result


def present_attributes(attributes: dict[str, str] | Any) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in attributes.items()]
