"""The controller's configuration: its flags and feature gates, with the real controller's
defaults (reference §2.14). One frozen value passed down; nothing reads globals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from localnlb.controller.model.enums import Scheme, TargetType
from localnlb.controller.service.constants import DEFAULT_LOAD_BALANCER_CLASS


@dataclass(frozen=True, slots=True)
class ControllerSettings:
    cluster_name: str  # --cluster-name
    vpc_id: str  # --aws-vpc-id
    load_balancer_class: str = DEFAULT_LOAD_BALANCER_CLASS  # --load-balancer-class
    default_target_type: TargetType = TargetType.INSTANCE  # --default-target-type
    default_scheme: Scheme = Scheme.INTERNAL  # --default-load-balancer-scheme
    default_tags: Mapping[str, str] = field(default_factory=dict)  # --default-tags
    external_managed_tags: frozenset[str] = frozenset()  # --external-managed-tags
    enable_backend_security_group: bool = True  # --enable-backend-security-group
    enable_manage_backend_security_group_rules: bool = False
    disable_restricted_sg_rules: bool = False  # --disable-restricted-sg-rules
    max_targets_per_target_group: int = 0  # 0: no cap
    # feature gates
    enable_ip_target_type: bool = True  # EnableIPTargetType
    service_type_load_balancer_only: bool = False  # ServiceTypeLoadBalancerOnly
    nlb_security_group: bool = True  # NLBSecurityGroup
    nlb_health_check_advanced_config: bool = True  # NLBHealthCheckAdvancedConfig
    endpoints_fail_open: bool = True  # EndpointsFailOpen
