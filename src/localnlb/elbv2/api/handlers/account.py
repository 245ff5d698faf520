"""DescribeAccountLimits and DescribeSSLPolicies: static tables, paged like AWS's."""

from __future__ import annotations

from typing import Any

from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import SSLPolicyNotFound
from localnlb.elbv2.api.limits import all_limits
from localnlb.elbv2.api.pagination import paginate
from localnlb.elbv2.api.ssl_policies import SSL_POLICIES


def describe_account_limits(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    limits = [{"Name": name, "Max": str(value)} for name, value in all_limits(ctx)]
    page, next_marker = paginate(
        limits, marker=params.get("Marker"), page_size=params.get("PageSize")
    )
    result: dict[str, Any] = {"Limits": list(page)}
    if next_marker is not None:
        result["NextMarker"] = next_marker
    return result


def describe_ssl_policies(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    names = params.get("Names") or list(SSL_POLICIES)
    unknown = [n for n in names if n not in SSL_POLICIES]
    if unknown:
        raise SSLPolicyNotFound(f"SSL policy '{unknown[0]}' not found")
    policies = [
        {
            "Name": name,
            "SslProtocols": list(SSL_POLICIES[name]),
            "Ciphers": [],
            "SupportedLoadBalancerTypes": ["application", "network"],
        }
        for name in names
    ]
    page, next_marker = paginate(
        policies, marker=params.get("Marker"), page_size=params.get("PageSize")
    )
    result: dict[str, Any] = {"SslPolicies": list(page)}
    if next_marker is not None:
        result["NextMarker"] = next_marker
    return result
