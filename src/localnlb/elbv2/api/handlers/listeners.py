"""CreateListener, DescribeListeners, ModifyListener, DeleteListener and the listener
certificate operations (TLS listeners)."""

from __future__ import annotations

import dataclasses
from typing import Any

from localnlb.common.ids import hex_id
from localnlb.elbv2.api import lookups
from localnlb.elbv2.api.attribute_rules import listener_defaults
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import (
    DuplicateListener,
    InvalidConfigurationRequest,
    TooManyCertificates,
    TooManyListeners,
)
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.api.limits import limit
from localnlb.elbv2.api.listener_rules import check_protocol, check_tls, forward_action
from localnlb.elbv2.api.naming import tags_from_params
from localnlb.elbv2.api.pagination import paginate
from localnlb.elbv2.api.presenters import present_listener
from localnlb.elbv2.model.listener import Listener


def _port(params: dict[str, Any]) -> int:
    port = params.get("Port")
    if port is None:
        raise ValidationError("A listener port must be specified")
    return int(port)


def _check_port_free(ctx: ApiContext, lb_arn: str, port: int, *, except_arn: str | None) -> None:
    for other in ctx.store.listeners.of_load_balancer(lb_arn):
        if other.port == port and other.arn != except_arn:
            raise DuplicateListener(
                f"A listener already exists on this port for this load balancer '{lb_arn}'"
            )


def create_listener(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    lb = lookups.load_balancer(ctx, params["LoadBalancerArn"])
    protocol = check_protocol(params.get("Protocol"))
    port = _port(params)
    policy, certificates = check_tls(
        protocol,
        certificates=params.get("Certificates") or [],
        ssl_policy=params.get("SslPolicy"),
        alpn=params.get("AlpnPolicy") or [],
    )
    if params.get("MutualAuthentication"):
        raise InvalidConfigurationRequest(
            "Mutual authentication is supported only for HTTPS listeners"
        )
    action = forward_action(ctx, params["DefaultActions"], lb_arn=lb.arn, protocol=protocol)
    tags = tags_from_params(params.get("Tags"))
    existing = ctx.store.listeners.of_load_balancer(lb.arn)
    for other in existing:
        if other.port == port and (other.protocol, other.action.target_group_arn) == (
            protocol,
            action.target_group_arn,
        ):
            return {"Listeners": [present_listener(other)]}  # idempotent create
    _check_port_free(ctx, lb.arn, port, except_arn=None)
    if len(existing) >= limit(ctx, "listeners-per-network-load-balancer"):
        raise TooManyListeners(
            "You've reached the limit on the number of listeners per load balancer"
        )
    listener = Listener(
        arn=ctx.arns.listener(lb.arn, hex_id(16)),
        load_balancer_arn=lb.arn,
        port=port,
        protocol=protocol,
        action=action,
        ssl_policy=policy,
        certificate_arns=certificates,
        alpn_policy=tuple(params.get("AlpnPolicy") or ()),
        attributes=listener_defaults(protocol=protocol),
    )
    with ctx.store.transaction():
        ctx.store.listeners.put(listener)
        ctx.store.tags.add(listener.arn, tags)
    ctx.changed()
    return {"Listeners": [present_listener(listener)]}


def describe_listeners(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    lb_arn = params.get("LoadBalancerArn")
    arns = params.get("ListenerArns") or []
    if not lb_arn and not arns:
        raise ValidationError("You must specify either listener ARNs or a load balancer ARN")
    if lb_arn and arns:
        raise ValidationError(
            "Listener ARNs and a load balancer ARN cannot be specified at the same time"
        )
    if lb_arn:
        lookups.load_balancer(ctx, lb_arn)
        found = sorted(ctx.store.listeners.of_load_balancer(lb_arn), key=lambda li: li.port)
    else:
        found = [lookups.listener(ctx, arn) for arn in dict.fromkeys(arns)]
    page, next_marker = paginate(
        found, marker=params.get("Marker"), page_size=params.get("PageSize")
    )
    result: dict[str, Any] = {"Listeners": [present_listener(li) for li in page]}
    if next_marker is not None:
        result["NextMarker"] = next_marker
    return result


def modify_listener(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    listener = lookups.listener(ctx, params["ListenerArn"])
    protocol = check_protocol(params.get("Protocol", listener.protocol))
    port = int(params.get("Port", listener.port))
    tls_unchanged = protocol == listener.protocol == "TLS"
    certificates = params.get("Certificates")
    if certificates is None and tls_unchanged:
        certificates = [{"CertificateArn": listener.certificate_arns[0]}]
    policy, certificate_arns = check_tls(
        protocol,
        certificates=certificates or [],
        ssl_policy=params.get("SslPolicy", listener.ssl_policy if tls_unchanged else None),
        alpn=params.get("AlpnPolicy", list(listener.alpn_policy) if tls_unchanged else []),
    )
    action = listener.action
    actions = params.get("DefaultActions")
    if actions is not None or protocol != listener.protocol:
        action = forward_action(
            ctx,
            actions or [{"Type": "forward", "TargetGroupArn": action.target_group_arn}],
            lb_arn=listener.load_balancer_arn,
            protocol=protocol,
        )
    _check_port_free(ctx, listener.load_balancer_arn, port, except_arn=listener.arn)
    updated = dataclasses.replace(
        listener,
        port=port,
        protocol=protocol,
        action=action,
        ssl_policy=policy,
        certificate_arns=certificate_arns + listener.certificate_arns[1:] if policy else (),
        alpn_policy=tuple(params.get("AlpnPolicy", listener.alpn_policy if policy else ())),
        attributes=listener.attributes or listener_defaults(protocol=protocol),
    )
    with ctx.store.transaction():
        ctx.store.listeners.put(updated)
    ctx.changed()
    return {"Listeners": [present_listener(updated)]}


def delete_listener(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    listener = lookups.listener(ctx, params["ListenerArn"])
    with ctx.store.transaction():
        ctx.store.listeners.delete(listener.arn)
        ctx.store.tags.remove(listener.arn, list(ctx.store.tags.of(listener.arn)))
    ctx.changed()
    return {}


def _tls_listener(ctx: ApiContext, arn: str) -> Listener:
    listener = lookups.listener(ctx, arn)
    if listener.protocol != "TLS":
        raise InvalidConfigurationRequest(
            f"Certificates are supported only for TLS listeners, not '{listener.protocol}'"
        )
    return listener


def add_listener_certificates(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    listener = _tls_listener(ctx, params["ListenerArn"])
    arns = list(listener.certificate_arns)
    for certificate in params["Certificates"]:
        if certificate.get("CertificateArn") and certificate["CertificateArn"] not in arns:
            arns.append(certificate["CertificateArn"])
    if len(arns) > limit(ctx, "certificates-per-network-load-balancer"):
        raise TooManyCertificates("You've reached the limit on the number of certificates")
    updated = dataclasses.replace(listener, certificate_arns=tuple(arns))
    with ctx.store.transaction():
        ctx.store.listeners.put(updated)
    return {"Certificates": [{"CertificateArn": a, "IsDefault": False} for a in arns[1:]]}


def remove_listener_certificates(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    listener = _tls_listener(ctx, params["ListenerArn"])
    removing = {c.get("CertificateArn") for c in params["Certificates"]}
    if listener.certificate_arns[0] in removing:
        raise ValidationError("The default certificate of a listener cannot be removed")
    kept = tuple(a for a in listener.certificate_arns if a not in removing)
    with ctx.store.transaction():
        ctx.store.listeners.put(dataclasses.replace(listener, certificate_arns=kept))
    return {}


def describe_listener_certificates(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    listener = lookups.listener(ctx, params["ListenerArn"])
    return {
        "Certificates": [
            {"CertificateArn": arn, "IsDefault": index == 0}
            for index, arn in enumerate(listener.certificate_arns)
        ]
    }
