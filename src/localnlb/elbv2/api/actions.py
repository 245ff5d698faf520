"""The explicit ACTIONS tables: every operation of botocore's ELBv2 model and the EC2 operations
localnlb serves, mapped to a handler and a support level. No reflection: an action that is not
in a table is ``InvalidAction``. ``docs/api-coverage.md`` is generated from these tables.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import OperationNotPermitted
from localnlb.elbv2.api.handlers import (
    account,
    attributes,
    ec2_instances,
    ec2_network,
    ec2_security_groups,
    ec2_tags,
    listeners,
    load_balancers,
    tagging,
    target_groups,
    targets,
)

Handler = Callable[[ApiContext, dict[str, Any]], dict[str, Any]]


class Support(enum.Enum):
    SUPPORTED = "supported"
    ALB_ONLY = "ALB-only: answers OperationNotPermitted"
    NOT_SUPPORTED = "not supported: answers OperationNotPermitted"


@dataclass(frozen=True, slots=True)
class Action:
    handler: Handler
    support: Support = Support.SUPPORTED


def _refuse(name: str, support: Support) -> Action:
    reason = (
        "it applies to Application Load Balancers only"
        if support is Support.ALB_ONLY
        else "it is outside what localnlb emulates"
    )

    def handler(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
        raise OperationNotPermitted(
            f"{name} is not supported by localnlb, which emulates Network Load Balancers: {reason}"
        )

    return Action(handler, support)


_ALB_ONLY = (
    "CreateRule",
    "ModifyRule",
    "DeleteRule",
    "DescribeRules",
    "SetRulePriorities",
    "ModifyIpPools",
)
_NOT_SUPPORTED = (
    "CreateTrustStore",
    "ModifyTrustStore",
    "DeleteTrustStore",
    "DescribeTrustStores",
    "DescribeTrustStoreAssociations",
    "DeleteSharedTrustStoreAssociation",
    "AddTrustStoreRevocations",
    "RemoveTrustStoreRevocations",
    "DescribeTrustStoreRevocations",
    "GetTrustStoreCaCertificatesBundle",
    "GetTrustStoreRevocationContent",
    "GetResourcePolicy",
    "DescribeCapacityReservation",
    "ModifyCapacityReservation",
)

ELBV2_ACTIONS: Mapping[str, Action] = {
    "CreateLoadBalancer": Action(load_balancers.create_load_balancer),
    "DescribeLoadBalancers": Action(load_balancers.describe_load_balancers),
    "DeleteLoadBalancer": Action(load_balancers.delete_load_balancer),
    "SetSubnets": Action(load_balancers.set_subnets),
    "SetIpAddressType": Action(load_balancers.set_ip_address_type),
    "SetSecurityGroups": Action(load_balancers.set_security_groups),
    "DescribeLoadBalancerAttributes": Action(attributes.describe_load_balancer_attributes),
    "ModifyLoadBalancerAttributes": Action(attributes.modify_load_balancer_attributes),
    "CreateTargetGroup": Action(target_groups.create_target_group),
    "DescribeTargetGroups": Action(target_groups.describe_target_groups),
    "ModifyTargetGroup": Action(target_groups.modify_target_group),
    "DeleteTargetGroup": Action(target_groups.delete_target_group),
    "DescribeTargetGroupAttributes": Action(attributes.describe_target_group_attributes),
    "ModifyTargetGroupAttributes": Action(attributes.modify_target_group_attributes),
    "RegisterTargets": Action(targets.register_targets),
    "DeregisterTargets": Action(targets.deregister_targets),
    "DescribeTargetHealth": Action(targets.describe_target_health),
    "CreateListener": Action(listeners.create_listener),
    "DescribeListeners": Action(listeners.describe_listeners),
    "ModifyListener": Action(listeners.modify_listener),
    "DeleteListener": Action(listeners.delete_listener),
    "DescribeListenerAttributes": Action(attributes.describe_listener_attributes),
    "ModifyListenerAttributes": Action(attributes.modify_listener_attributes),
    "AddListenerCertificates": Action(listeners.add_listener_certificates),
    "RemoveListenerCertificates": Action(listeners.remove_listener_certificates),
    "DescribeListenerCertificates": Action(listeners.describe_listener_certificates),
    "AddTags": Action(tagging.add_tags),
    "RemoveTags": Action(tagging.remove_tags),
    "DescribeTags": Action(tagging.describe_tags),
    "DescribeAccountLimits": Action(account.describe_account_limits),
    "DescribeSSLPolicies": Action(account.describe_ssl_policies),
    **{name: _refuse(name, Support.ALB_ONLY) for name in _ALB_ONLY},
    **{name: _refuse(name, Support.NOT_SUPPORTED) for name in _NOT_SUPPORTED},
}

EC2_ACTIONS: Mapping[str, Action] = {
    "DescribeVpcs": Action(ec2_network.describe_vpcs),
    "DescribeSubnets": Action(ec2_network.describe_subnets),
    "DescribeAvailabilityZones": Action(ec2_network.describe_availability_zones),
    "RunInstances": Action(ec2_instances.run_instances),
    "TerminateInstances": Action(ec2_instances.terminate_instances),
    "DescribeInstances": Action(ec2_instances.describe_instances),
    "CreateSecurityGroup": Action(ec2_security_groups.create_security_group),
    "DeleteSecurityGroup": Action(ec2_security_groups.delete_security_group),
    "DescribeSecurityGroups": Action(ec2_security_groups.describe_security_groups),
    "AuthorizeSecurityGroupIngress": Action(ec2_security_groups.authorize_security_group_ingress),
    "RevokeSecurityGroupIngress": Action(ec2_security_groups.revoke_security_group_ingress),
    "CreateTags": Action(ec2_tags.create_tags),
    "DeleteTags": Action(ec2_tags.delete_tags),
    "DescribeTags": Action(ec2_tags.describe_tags),
}
