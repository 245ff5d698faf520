"""The resources of a desired stack and their specs.

Field names are snake_case; their JSON names (see ``serialize``) follow the AWS Load Balancer
Controller's model, so a golden stack reads like the real controller's "successfully built
model" log line. Resource type strings are the real controller's; each resource's id is unique
within its stack: ``LoadBalancer``, the listener port (``"80"``), ``<ns>/<name>:<port>`` for a
target group and its binding, ``ManagedLBSecurityGroup``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from localnlb.controller.model.enums import (
    ActionType,
    IpAddressType,
    LoadBalancerType,
    Protocol,
    Scheme,
    TargetGroupIpAddressType,
    TargetType,
)
from localnlb.controller.model.serialize import json_name
from localnlb.controller.model.tokens import ResourceFieldRef, StringToken

SECURITY_GROUP_TYPE = "AWS::EC2::SecurityGroup"
LOAD_BALANCER_TYPE = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER_TYPE = "AWS::ElasticLoadBalancingV2::Listener"
TARGET_GROUP_TYPE = "AWS::ElasticLoadBalancingV2::TargetGroup"
TARGET_GROUP_BINDING_TYPE = "K8S::ElasticLoadBalancingV2::TargetGroupBinding"

TRAFFIC_PORT = "traffic-port"


@dataclass(frozen=True, slots=True)
class Attribute:
    key: str
    value: str


# --- EC2 security group -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IpRange:
    cidr_ip: str = field(metadata=json_name("cidrIP"))


@dataclass(frozen=True, slots=True)
class Ipv6Range:
    cidr_ipv6: str = field(metadata=json_name("cidrIPv6"))


@dataclass(frozen=True, slots=True)
class PrefixList:
    list_id: str = field(metadata=json_name("listID"))


@dataclass(frozen=True, slots=True)
class IpPermission:
    ip_protocol: str
    from_port: int
    to_port: int
    ip_ranges: tuple[IpRange, ...] = ()
    ipv6_ranges: tuple[Ipv6Range, ...] = field(default=(), metadata=json_name("ipv6Range"))
    prefix_lists: tuple[PrefixList, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityGroupSpec:
    group_name: str
    description: str
    tags: Mapping[str, str]
    ingress: tuple[IpPermission, ...]


# --- load balancer and listeners ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubnetMapping:
    subnet_id: str = field(metadata=json_name("subnetID"))
    allocation_id: str | None = field(default=None, metadata=json_name("allocationID"))
    private_ipv4_address: str | None = field(default=None, metadata=json_name("privateIPv4Address"))


@dataclass(frozen=True, slots=True)
class LoadBalancerSpec:
    name: str
    type: LoadBalancerType
    scheme: Scheme
    ip_address_type: IpAddressType
    subnet_mappings: tuple[SubnetMapping, ...] = field(metadata=json_name("subnetMapping"))
    security_groups: tuple[StringToken, ...]
    load_balancer_attributes: tuple[Attribute, ...]
    tags: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class TargetGroupTuple:
    target_group_arn: StringToken = field(metadata=json_name("targetGroupARN"))
    weight: int | None = None


@dataclass(frozen=True, slots=True)
class ForwardConfig:
    target_groups: tuple[TargetGroupTuple, ...]


@dataclass(frozen=True, slots=True)
class Action:
    type: ActionType
    forward_config: ForwardConfig


@dataclass(frozen=True, slots=True)
class ListenerSpec:
    load_balancer_arn: StringToken = field(metadata=json_name("loadBalancerARN"))
    port: int
    protocol: Protocol
    default_actions: tuple[Action, ...]
    listener_attributes: tuple[Attribute, ...]
    tags: Mapping[str, str]

    @property
    def target_group_arns(self) -> tuple[StringToken, ...]:
        return tuple(
            group.target_group_arn
            for action in self.default_actions
            for group in action.forward_config.target_groups
        )


# --- target groups ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HealthCheckMatcher:
    http_code: str


@dataclass(frozen=True, slots=True)
class HealthCheckConfig:
    port: int | str  # a port number or "traffic-port"
    protocol: Protocol
    interval_seconds: int
    timeout_seconds: int
    healthy_threshold_count: int
    unhealthy_threshold_count: int
    path: str | None = None  # HTTP/HTTPS only
    matcher: HealthCheckMatcher | None = None  # HTTP/HTTPS only


@dataclass(frozen=True, slots=True)
class TargetGroupSpec:
    name: str
    target_type: TargetType
    port: int
    protocol: Protocol
    ip_address_type: TargetGroupIpAddressType
    health_check_config: HealthCheckConfig
    target_group_attributes: tuple[Attribute, ...]
    tags: Mapping[str, str]

    def attribute(self, key: str) -> str | None:
        return next((a.value for a in self.target_group_attributes if a.key == key), None)


# --- TargetGroupBinding (a Kubernetes object, elbv2.k8s.aws/v1beta1) ----------------------


@dataclass(frozen=True, slots=True)
class ServiceReference:
    name: str
    port: int | str


@dataclass(frozen=True, slots=True)
class IpBlock:
    cidr: str


@dataclass(frozen=True, slots=True)
class SecurityGroupPeer:
    group_id: StringToken = field(metadata=json_name("groupID"))


@dataclass(frozen=True, slots=True)
class NetworkingPeer:
    """Exactly one of the two is set."""

    ip_block: IpBlock | None = None
    security_group: SecurityGroupPeer | None = None


@dataclass(frozen=True, slots=True)
class NetworkingPort:
    protocol: str  # "TCP" | "UDP"
    port: int | str | None = None  # None: all ports


@dataclass(frozen=True, slots=True)
class NetworkingIngressRule:
    from_: tuple[NetworkingPeer, ...] = field(metadata=json_name("from"))
    ports: tuple[NetworkingPort, ...]


@dataclass(frozen=True, slots=True)
class TargetGroupBindingSpec:
    """The TGB the controller creates; ``name`` and ``namespace`` are its metadata."""

    name: str
    namespace: str
    target_group_arn: StringToken = field(metadata=json_name("targetGroupARN"))
    target_type: TargetType
    service_ref: ServiceReference
    ip_address_type: TargetGroupIpAddressType
    vpc_id: str = field(metadata=json_name("vpcID"))
    networking: tuple[NetworkingIngressRule, ...] = ()
    node_selector: Mapping[str, str] = field(default_factory=dict)  # matchLabels
    multi_cluster_target_group: bool = False


SpecT = TypeVar("SpecT", covariant=True)


@dataclass(frozen=True, slots=True)
class Resource(Generic[SpecT]):
    """One resource of a stack: its type, its id within the stack, and its desired spec."""

    type: str
    id: str
    spec: SpecT

    def status_ref(self, status_field: str) -> ResourceFieldRef:
        return ResourceFieldRef(self.type, self.id, status_field)
