"""The calls the synthesizers will make, as Protocols in domain terms.

The boto3 shells (a follow-up) implement these against the local ELBv2/EC2 endpoints; unit tests
implement them in memory. Every call is one AWS API action (named in its docstring), so a shell
stays a thin translation, and the planners in this package decide everything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from localnlb.controller.deploy.actual import (
    ActualListener,
    ActualLoadBalancer,
    ActualTargetGroup,
    ActualTargetGroupBinding,
)
from localnlb.controller.deploy.security_groups import ActualSecurityGroup
from localnlb.controller.model.enums import IpAddressType
from localnlb.controller.model.enums import Protocol as ListenerProtocol
from localnlb.controller.model.resources import (
    HealthCheckConfig,
    IpPermission,
    ListenerSpec,
    LoadBalancerSpec,
    TargetGroupBindingSpec,
    TargetGroupSpec,
)
from localnlb.controller.targetgroupbinding.targets import ActualTarget, TargetDescription


class ElbV2Client(Protocol):
    async def list_load_balancers(self, stack_tags: Mapping[str, str]) -> list[ActualLoadBalancer]:
        """DescribeLoadBalancers + DescribeTags (+ attributes), filtered by the stack tags."""
        ...

    async def create_load_balancer(
        self,
        spec: LoadBalancerSpec,
        *,
        security_groups: Sequence[str],
        tags: Mapping[str, str],
    ) -> ActualLoadBalancer:
        """CreateLoadBalancer (+ ModifyLoadBalancerAttributes for the spec's attributes)."""
        ...

    async def set_subnets(self, arn: str, subnet_ids: Sequence[str]) -> None:
        """SetSubnets."""
        ...

    async def set_security_groups(self, arn: str, group_ids: Sequence[str]) -> None:
        """SetSecurityGroups."""
        ...

    async def set_ip_address_type(self, arn: str, ip_address_type: IpAddressType) -> None:
        """SetIpAddressType."""
        ...

    async def modify_load_balancer_attributes(self, arn: str, changes: Mapping[str, str]) -> None:
        """ModifyLoadBalancerAttributes."""
        ...

    async def delete_load_balancer(self, arn: str) -> None:
        """DeleteLoadBalancer (its listeners go with it)."""
        ...

    async def list_listeners(self, load_balancer_arn: str) -> list[ActualListener]:
        """DescribeListeners (+ tags, attributes)."""
        ...

    async def create_listener(
        self,
        spec: ListenerSpec,
        *,
        load_balancer_arn: str,
        target_group_arns: Sequence[str],
        tags: Mapping[str, str],
    ) -> ActualListener:
        """CreateListener (+ ModifyListenerAttributes)."""
        ...

    async def modify_listener(
        self, arn: str, *, protocol: ListenerProtocol, target_group_arns: Sequence[str]
    ) -> None:
        """ModifyListener."""
        ...

    async def modify_listener_attributes(self, arn: str, changes: Mapping[str, str]) -> None:
        """ModifyListenerAttributes."""
        ...

    async def delete_listener(self, arn: str) -> None:
        """DeleteListener."""
        ...

    async def list_target_groups(self, stack_tags: Mapping[str, str]) -> list[ActualTargetGroup]:
        """DescribeTargetGroups + DescribeTags (+ attributes), filtered by the stack tags."""
        ...

    async def create_target_group(
        self, spec: TargetGroupSpec, *, vpc_id: str, tags: Mapping[str, str]
    ) -> ActualTargetGroup:
        """CreateTargetGroup (+ ModifyTargetGroupAttributes)."""
        ...

    async def modify_target_group(self, arn: str, health_check: HealthCheckConfig) -> None:
        """ModifyTargetGroup (health-check settings)."""
        ...

    async def modify_target_group_attributes(self, arn: str, changes: Mapping[str, str]) -> None:
        """ModifyTargetGroupAttributes."""
        ...

    async def delete_target_group(self, arn: str) -> None:
        """DeleteTargetGroup, retried while the API says ResourceInUse."""
        ...

    async def add_tags(self, arn: str, tags: Mapping[str, str]) -> None:
        """AddTags."""
        ...

    async def remove_tags(self, arn: str, keys: Sequence[str]) -> None:
        """RemoveTags."""
        ...

    async def describe_target_health(self, target_group_arn: str) -> list[ActualTarget]:
        """DescribeTargetHealth."""
        ...

    async def register_targets(
        self, target_group_arn: str, targets: Sequence[TargetDescription]
    ) -> None:
        """RegisterTargets (at most 200 per call)."""
        ...

    async def deregister_targets(
        self, target_group_arn: str, targets: Sequence[TargetDescription]
    ) -> None:
        """DeregisterTargets (at most 200 per call)."""
        ...


class Ec2Client(Protocol):
    async def list_security_groups(
        self, *, vpc_id: str, stack_tags: Mapping[str, str]
    ) -> list[ActualSecurityGroup]:
        """DescribeSecurityGroups filtered by the stack tags (with their ingress rules)."""
        ...

    async def create_security_group(
        self, *, vpc_id: str, name: str, description: str, tags: Mapping[str, str]
    ) -> str:
        """CreateSecurityGroup: the new group id."""
        ...

    async def authorize_ingress(self, group_id: str, permissions: Sequence[IpPermission]) -> None:
        """AuthorizeSecurityGroupIngress."""
        ...

    async def revoke_ingress(self, group_id: str, permissions: Sequence[IpPermission]) -> None:
        """RevokeSecurityGroupIngress."""
        ...

    async def create_tags(self, resource_id: str, tags: Mapping[str, str]) -> None:
        """CreateTags."""
        ...

    async def delete_tags(self, resource_id: str, keys: Sequence[str]) -> None:
        """DeleteTags."""
        ...

    async def delete_security_group(self, group_id: str) -> None:
        """DeleteSecurityGroup, retried while it is still in use (DependencyViolation)."""
        ...


class TargetGroupBindingClient(Protocol):
    """The TargetGroupBinding objects of a stack, in the Kubernetes API."""

    async def list_bindings(
        self, namespace: str, labels: Mapping[str, str]
    ) -> list[ActualTargetGroupBinding]:
        """The bindings with these labels (the stack's)."""
        ...

    async def apply_binding(
        self, spec: TargetGroupBindingSpec, *, target_group_arn: str, labels: Mapping[str, str]
    ) -> None:
        """Create the binding, or update its spec (networking, node selector) if it exists."""
        ...

    async def delete_binding(self, namespace: str, name: str) -> None:
        """Delete it and wait (up to 60 s) until its finalizer ran: its targets are
        deregistered."""
        ...
