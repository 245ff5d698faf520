"""What a Network Load Balancer listener may be (reference §3.4): protocols, TLS settings, one
forward action to exactly one target group of a compatible protocol, one listener per port."""

from __future__ import annotations

from typing import Any

from localnlb.elbv2.api import lookups
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import (
    ALPNPolicyNotFound,
    IncompatibleProtocols,
    InvalidConfigurationRequest,
    InvalidLoadBalancerAction,
    SSLPolicyNotFound,
    TargetGroupAssociationLimit,
    TooManyActions,
)
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.api.ssl_policies import DEFAULT_TLS_POLICY, SSL_POLICY_NAMES
from localnlb.elbv2.model.listener import ForwardAction
from localnlb.elbv2.model.target_group import TargetGroup

NLB_LISTENER_PROTOCOLS = ("TLS", "TCP", "TCP_UDP", "UDP")
ALPN_POLICIES = ("HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None")
# Listener protocol -> target-group protocols it can forward to.
COMPATIBLE_TARGET_PROTOCOLS = {
    "TCP": ("TCP", "TCP_UDP"),
    "TLS": ("TCP", "TLS"),
    "UDP": ("UDP", "TCP_UDP"),
    "TCP_UDP": ("TCP_UDP",),
}


def check_protocol(protocol: str | None) -> str:
    if protocol is None:
        raise ValidationError("A listener protocol must be specified")
    if protocol not in NLB_LISTENER_PROTOCOLS:
        raise ValidationError(
            f"Listener protocol '{protocol}' must be one of '{', '.join(NLB_LISTENER_PROTOCOLS)}'"
        )
    return protocol


def check_tls(
    protocol: str, *, certificates: list[dict[str, Any]], ssl_policy: str | None, alpn: list[str]
) -> tuple[str | None, tuple[str, ...]]:
    """(policy, certificate ARNs) for a TLS listener; refuses TLS settings on other protocols."""
    if protocol != "TLS":
        if certificates or ssl_policy or alpn:
            raise ValidationError(
                f"Certificates, SSL policies and ALPN policies cannot be specified for "
                f"listeners with protocol '{protocol}'"
            )
        return None, ()
    if len(certificates) != 1:
        raise ValidationError("A certificate must be specified for TLS listeners")
    if certificates[0].get("IsDefault") is not None:
        raise ValidationError("Do not set IsDefault when specifying a listener's certificate")
    policy = ssl_policy or DEFAULT_TLS_POLICY
    if policy not in SSL_POLICY_NAMES:
        raise SSLPolicyNotFound(f"SSL policy '{policy}' not found")
    if len(alpn) > 1:
        raise ValidationError("You can specify only one ALPN policy")
    for name in alpn:
        if name not in ALPN_POLICIES:
            raise ALPNPolicyNotFound(f"ALPN policy '{name}' not found")
    return policy, (str(certificates[0].get("CertificateArn", "")),)


def forward_action(
    ctx: ApiContext, actions: list[dict[str, Any]], *, lb_arn: str, protocol: str
) -> ForwardAction:
    if len(actions) != 1:
        raise TooManyActions("Network Load Balancer listeners support exactly one default action")
    action = actions[0]
    if action["Type"] != "forward":
        raise InvalidLoadBalancerAction(
            f"The action type '{action['Type']}' is not valid for listeners of Network Load "
            "Balancers; use 'forward'"
        )
    arns = []
    if action.get("TargetGroupArn"):
        arns.append(action["TargetGroupArn"])
    for item in (action.get("ForwardConfig") or {}).get("TargetGroups") or []:
        if item.get("TargetGroupArn") and item["TargetGroupArn"] not in arns:
            arns.append(item["TargetGroupArn"])
    if len(arns) != 1:
        raise ValidationError(
            "A forward action of a Network Load Balancer must name exactly one target group"
        )
    tg = lookups.target_group(ctx, arns[0])
    _check_target_group(ctx, tg, lb_arn=lb_arn, protocol=protocol)
    return ForwardAction(tg.arn, action.get("Order"))


def _check_target_group(ctx: ApiContext, tg: TargetGroup, *, lb_arn: str, protocol: str) -> None:
    other_lbs = [
        lb.arn for lb in lookups.load_balancers_of_target_group(ctx, tg.arn) if lb.arn != lb_arn
    ]
    if other_lbs:
        raise TargetGroupAssociationLimit(
            "The following target groups cannot be associated with more than one load "
            f"balancer: '{tg.arn}'"
        )
    if tg.protocol not in COMPATIBLE_TARGET_PROTOCOLS[protocol]:
        raise IncompatibleProtocols(
            f"Listener protocol '{protocol}' is not compatible with target group protocol "
            f"'{tg.protocol}'"
        )
    if tg.target_type == "alb" and protocol != "TCP":
        raise IncompatibleProtocols(
            f"Listener protocol '{protocol}' is not supported with a target group with "
            "target type 'alb'"
        )
    lb = ctx.store.load_balancers.get(lb_arn)
    if lb is not None and tg.vpc_id != lb.vpc_id:
        raise InvalidConfigurationRequest(
            f"Target group '{tg.arn}' is not in the load balancer's VPC"
        )
