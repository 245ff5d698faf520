"""The security policies DescribeSSLPolicies lists for TLS listeners (a representative subset
of AWS's, with their protocols; ciphers are not modelled because no TLS is terminated here)."""

from __future__ import annotations

DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"

SSL_POLICIES: dict[str, tuple[str, ...]] = {
    "ELBSecurityPolicy-TLS13-1-2-2021-06": ("TLSv1.2", "TLSv1.3"),
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": ("TLSv1.2", "TLSv1.3"),
    "ELBSecurityPolicy-TLS13-1-3-2021-06": ("TLSv1.3",),
    "ELBSecurityPolicy-TLS13-1-0-2021-06": ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"),
    "ELBSecurityPolicy-2016-08": ("TLSv1", "TLSv1.1", "TLSv1.2"),
    "ELBSecurityPolicy-TLS-1-2-2017-01": ("TLSv1.2",),
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": ("TLSv1.2",),
    "ELBSecurityPolicy-FS-1-2-Res-2020-10": ("TLSv1.2",),
}
SSL_POLICY_NAMES = frozenset(SSL_POLICIES)
