"""Target-group attributes, in increasing precedence (reference §2.8):

1. ``proxy_protocol_v2.enabled=false`` (the only attribute the controller always sends);
2. ``target-group-attributes`` (all target groups);
3. ``target-group-attributes.<port>`` (that Service port; an empty value keeps the global one);
4. ``proxy-protocol-per-target-group`` (listed ports true, all others false);
5. ``proxy-protocol: "*"`` (true everywhere).

Only listed keys are set; deploying never resets a key the Service does not mention.
"""

from __future__ import annotations

import re

from localnlb.controller.model.enums import TargetType
from localnlb.controller.model.resources import Attribute
from localnlb.controller.service import constants as c
from localnlb.controller.service.annotations import parse_go_bool
from localnlb.controller.service.build_context import BuildContext
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import ServicePort

PROXY_PROTOCOL_V2 = "proxy_protocol_v2.enabled"
PRESERVE_CLIENT_IP = "preserve_client_ip.enabled"
DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds"
_GO_ATOI = re.compile(r"[+-]?[0-9]+")


def _validated_map(ctx: BuildContext, suffix: str) -> dict[str, str]:
    attributes = ctx.annotations.string_map(suffix) or {}
    raw = attributes.get(PRESERVE_CLIENT_IP)
    if raw is not None:
        try:
            parse_go_bool(raw)
        except BuildError as error:
            raise error.wrapped(f"failed to parse attribute {PRESERVE_CLIENT_IP}={raw}") from None
    return attributes


def _proxy_protocol_ports(ctx: BuildContext) -> set[str] | None:
    raw = ctx.annotations.string(c.PROXY_PROTOCOL_PER_TARGET_GROUP)
    if raw is None:
        return None
    ports: set[str] = set()
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        if not _GO_ATOI.fullmatch(entry):
            raise BuildError(f"invalid port number in proxy-protocol-per-target-group: {entry}")
        ports.add(entry)
    return ports


def build_target_group_attributes(ctx: BuildContext, port: ServicePort) -> tuple[Attribute, ...]:
    attributes = {PROXY_PROTOCOL_V2: "false"}
    attributes.update(_validated_map(ctx, c.TARGET_GROUP_ATTRIBUTES))
    per_port = _validated_map(ctx, f"{c.TARGET_GROUP_ATTRIBUTES}.{port.port}")
    attributes.update({k: v for k, v in per_port.items() if v != ""})
    enabled_ports = _proxy_protocol_ports(ctx)
    if enabled_ports is not None:
        attributes[PROXY_PROTOCOL_V2] = "true" if str(port.port) in enabled_ports else "false"
    proxy_protocol = ctx.annotations.string(c.PROXY_PROTOCOL)
    if proxy_protocol is not None:
        if proxy_protocol != "*":
            raise BuildError(
                f"invalid value {proxy_protocol} for Load Balancer proxy protocol v2 annotation, "
                "only value currently supported is *"
            )
        attributes[PROXY_PROTOCOL_V2] = "true"
    return tuple(Attribute(key, attributes[key]) for key in sorted(attributes))


def preserve_client_ip(attributes: tuple[Attribute, ...], target_type: TargetType) -> bool:
    """As the controller sees it for security-group rules: the attribute, else the mode's
    default (instance true, ip false)."""
    for attribute in attributes:
        if attribute.key == PRESERVE_CLIENT_IP:
            return parse_go_bool(attribute.value)
    return target_type is TargetType.INSTANCE
