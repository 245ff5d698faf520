"""Annotations the controller accepts but that have no meaning on this machine.

They are not errors (a manifest written for EKS must apply unchanged); each one present on a
Service becomes a line of a Warning event, so users see what localnlb did not do.
"""

from __future__ import annotations

from collections.abc import Mapping

from localnlb.controller.service.constants import ANNOTATION_PREFIX, LISTENER_ATTRIBUTES

NO_LOCAL_MEANING: Mapping[str, str] = {
    "aws-load-balancer-ssl-cert": "TLS listeners need ACM certificates; listeners stay TCP",
    "aws-load-balancer-ssl-ports": "TLS listeners need ACM certificates",
    "aws-load-balancer-ssl-negotiation-policy": "TLS listeners need ACM certificates",
    "aws-load-balancer-backend-protocol": "TLS to targets is not supported",
    "aws-load-balancer-alpn-policy": "TLS listeners need ACM certificates",
    "aws-load-balancer-eip-allocations": "there are no Elastic IPs; LB nodes use local addresses",
    "aws-load-balancer-private-ipv4-addresses": "LB node addresses come from the address plan",
    "aws-load-balancer-ipv6-addresses": "LB node addresses come from the address plan",
    "aws-load-balancer-access-log-enabled": "there is no S3 to write access logs to",
    "aws-load-balancer-access-log-s3-bucket-name": "there is no S3 to write access logs to",
    "aws-load-balancer-access-log-s3-bucket-prefix": "there is no S3 to write access logs to",
    "aws-load-balancer-enable-prefix-for-ipv6-source-nat": "IPv6 is not supported",
    "aws-load-balancer-source-nat-ipv6-prefixes": "IPv6 is not supported",
    "aws-load-balancer-minimum-load-balancer-capacity": "capacity reservations do not apply",
    "aws-load-balancer-enable-icmp-for-path-mtu-discovery": "ICMP rules are not enforced",
    "aws-load-balancer-inbound-sg-rules-on-private-link-traffic": "there is no PrivateLink",
    "aws-load-balancer-security-group-prefix-lists": "there are no managed prefix lists",
    "aws-load-balancer-quic-enabled-ports": "QUIC listeners are not supported",
    "aws-load-balancer-enable-tcp-udp-listener": "TCP_UDP listeners are not supported",
}
_WEIGHTED_ACTIONS_PREFIX = "actions."


def collect_annotation_warnings(annotations: Mapping[str, str]) -> list[str]:
    """One message per annotation present that localnlb accepts but does not honour."""
    warnings: list[str] = []
    prefix = f"{ANNOTATION_PREFIX}/"
    for key in sorted(annotations):
        if not key.startswith(prefix):
            continue
        suffix = key[len(prefix) :]
        reason = NO_LOCAL_MEANING.get(suffix)
        if reason is None and suffix.startswith(_WEIGHTED_ACTIONS_PREFIX):
            reason = "weighted target groups are not supported"
        if (
            reason is None
            and suffix.startswith(f"{LISTENER_ATTRIBUTES}.")
            and ("-" not in suffix.rsplit(".", 1)[-1])
        ):
            reason = "expected aws-load-balancer-listener-attributes.<PROTOCOL>-<port>"
        if reason is not None:
            warnings.append(f"annotation {key} has no effect in localnlb: {reason}")
    return warnings


def format_warning_event(warnings: list[str]) -> str:
    return "; ".join(warnings)
