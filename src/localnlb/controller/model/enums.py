"""Closed sets of the desired stack, spelled as the ELBv2/EC2 APIs and the TargetGroupBinding
CRD spell them.
"""

from __future__ import annotations

import enum


class Protocol(enum.StrEnum):
    TCP = "TCP"
    UDP = "UDP"
    TCP_UDP = "TCP_UDP"
    TLS = "TLS"
    HTTP = "HTTP"
    HTTPS = "HTTPS"


class TargetType(enum.StrEnum):
    INSTANCE = "instance"
    IP = "ip"


class Scheme(enum.StrEnum):
    INTERNAL = "internal"
    INTERNET_FACING = "internet-facing"


class IpAddressType(enum.StrEnum):
    IPV4 = "ipv4"
    DUALSTACK = "dualstack"


class TargetGroupIpAddressType(enum.StrEnum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"


class LoadBalancerType(enum.StrEnum):
    NETWORK = "network"


class ActionType(enum.StrEnum):
    FORWARD = "forward"
