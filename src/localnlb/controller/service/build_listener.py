"""One listener per Service port (id ``"<port>"``), forwarding to that port's target group.

The listener protocol is the port's (TCP or UDP): TLS listeners need certificates, which have no
local meaning (``ssl-cert`` is reported as unsupported). Listener attributes come from
``aws-load-balancer-listener-attributes.<PROTOCOL>-<port>``.
"""

from __future__ import annotations

from localnlb.controller.model.enums import ActionType, Protocol
from localnlb.controller.model.resources import (
    LISTENER_TYPE,
    Action,
    Attribute,
    ForwardConfig,
    ListenerSpec,
    LoadBalancerSpec,
    Resource,
    TargetGroupSpec,
    TargetGroupTuple,
)
from localnlb.controller.service import constants as c
from localnlb.controller.service.build_context import BuildContext
from localnlb.controller.service.build_target_group import TARGET_GROUP_ARN_FIELD
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import ServicePort

LOAD_BALANCER_ARN_FIELD = "loadBalancerARN"


def build_listener_protocol(port: ServicePort) -> Protocol:
    try:
        return Protocol(port.protocol)
    except ValueError:
        raise BuildError(f"unsupported protocol {port.protocol} on port {port.port}") from None


def build_listener(
    ctx: BuildContext,
    port: ServicePort,
    *,
    protocol: Protocol,
    load_balancer: Resource[LoadBalancerSpec],
    target_group: Resource[TargetGroupSpec],
) -> Resource[ListenerSpec]:
    raw = ctx.annotations.string_map(f"{c.LISTENER_ATTRIBUTES}.{protocol}-{port.port}") or {}
    forward = ForwardConfig(
        target_groups=(TargetGroupTuple(target_group.status_ref(TARGET_GROUP_ARN_FIELD)),)
    )
    spec = ListenerSpec(
        load_balancer_arn=load_balancer.status_ref(LOAD_BALANCER_ARN_FIELD),
        port=port.port,
        protocol=protocol,
        default_actions=(Action(ActionType.FORWARD, forward),),
        listener_attributes=tuple(Attribute(k, raw[k]) for k in sorted(raw)),
        tags=ctx.additional_tags,
    )
    return Resource(LISTENER_TYPE, str(port.port), spec)
