"""In-memory fakes for the controller's seams."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from localnlb.controller.deploy.actual import (
    ActualListener,
    ActualLoadBalancer,
    ActualTargetGroup,
    ActualTargetGroupBinding,
)
from localnlb.controller.deploy.security_groups import ActualSecurityGroup
from localnlb.controller.model.enums import IpAddressType, Protocol
from localnlb.controller.model.resources import (
    HealthCheckConfig,
    IpPermission,
    ListenerSpec,
    LoadBalancerSpec,
    TargetGroupBindingSpec,
    TargetGroupSpec,
)
from localnlb.controller.runtime.aws_calls import AwsApiError
from localnlb.controller.service.objects import Service
from localnlb.controller.targetgroupbinding.objects import EndpointSliceInfo, NodeInfo, PodInfo
from localnlb.controller.targetgroupbinding.targets import ActualTarget, TargetDescription
from localnlb.elbv2.model.arns import dns_name


@dataclass
class FakeClusterView:
    """A ClusterView over plain lists; tests mutate them to play cluster events."""

    services: list[Service] = field(default_factory=list)
    nodes: list[NodeInfo] = field(default_factory=list)
    slices: dict[tuple[str, str], list[EndpointSliceInfo]] = field(default_factory=dict)
    pods: list[PodInfo] = field(default_factory=list)

    def get_service(self, namespace: str, name: str) -> Service | None:
        return next((s for s in self.services if (s.namespace, s.name) == (namespace, name)), None)

    def list_nodes(self) -> Sequence[NodeInfo]:
        return list(self.nodes)

    def list_endpoint_slices(
        self, namespace: str, service_name: str
    ) -> Sequence[EndpointSliceInfo]:
        return list(self.slices.get((namespace, service_name), []))

    def list_pods(self, namespace: str) -> Sequence[PodInfo]:
        return [p for p in self.pods if p.namespace == namespace]


# --- deploy seams ---------------------------------------------------------------------------


ARN_PREFIX = "arn:aws:elasticloadbalancing:us-west-2:123456789012"


def _matches(tags: Mapping[str, str], wanted: Mapping[str, str]) -> bool:
    return all(tags.get(k) == v for k, v in wanted.items())


@dataclass
class FakeElbV2:
    """ELBv2 in memory, enough for the deployer: resources keyed by ARN, a call log."""

    load_balancers: dict[str, ActualLoadBalancer] = field(default_factory=dict)
    listeners: dict[str, tuple[str, ActualListener]] = field(default_factory=dict)  # arn → (lb, l)
    target_groups: dict[str, ActualTargetGroup] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _id(self) -> str:
        return f"{next(self._serial):016x}"

    def _retag(self, arn: str, tags: dict[str, str]) -> None:
        if arn in self.load_balancers:
            self.load_balancers[arn] = replace(self.load_balancers[arn], tags=tags)
        elif arn in self.target_groups:
            self.target_groups[arn] = replace(self.target_groups[arn], tags=tags)
        else:
            lb_arn, listener = self.listeners[arn]
            self.listeners[arn] = (lb_arn, replace(listener, tags=tags))

    def tags_of(self, arn: str) -> dict[str, str]:
        if arn in self.load_balancers:
            return dict(self.load_balancers[arn].tags)
        if arn in self.target_groups:
            return dict(self.target_groups[arn].tags)
        return dict(self.listeners[arn][1].tags)

    async def list_load_balancers(self, stack_tags: Mapping[str, str]) -> list[ActualLoadBalancer]:
        return [lb for lb in self.load_balancers.values() if _matches(lb.tags, stack_tags)]

    async def create_load_balancer(
        self, spec: LoadBalancerSpec, *, security_groups: Sequence[str], tags: Mapping[str, str]
    ) -> ActualLoadBalancer:
        self.calls.append(f"CreateLoadBalancer {spec.name}")
        suffix = self._id()
        lb = ActualLoadBalancer(
            arn=f"{ARN_PREFIX}:loadbalancer/net/{spec.name}/{suffix}",
            name=spec.name,
            scheme=spec.scheme,
            dns_name=dns_name(name=spec.name, lb_id=suffix, region="us-west-2"),
            ip_address_type=spec.ip_address_type,
            subnet_ids=tuple(m.subnet_id for m in spec.subnet_mappings),
            security_groups=tuple(security_groups),
            attributes={a.key: a.value for a in spec.load_balancer_attributes},
            tags=dict(tags),
        )
        self.load_balancers[lb.arn] = lb
        return lb

    async def set_subnets(self, arn: str, subnet_ids: Sequence[str]) -> None:
        self.calls.append("SetSubnets")
        self.load_balancers[arn] = replace(self.load_balancers[arn], subnet_ids=tuple(subnet_ids))

    async def set_security_groups(self, arn: str, group_ids: Sequence[str]) -> None:
        self.calls.append("SetSecurityGroups")
        lb = self.load_balancers[arn]
        self.load_balancers[arn] = replace(lb, security_groups=tuple(group_ids))

    async def set_ip_address_type(self, arn: str, ip_address_type: IpAddressType) -> None:
        self.calls.append("SetIpAddressType")
        lb = self.load_balancers[arn]
        self.load_balancers[arn] = replace(lb, ip_address_type=ip_address_type)

    async def modify_load_balancer_attributes(self, arn: str, changes: Mapping[str, str]) -> None:
        self.calls.append(f"ModifyLoadBalancerAttributes {dict(changes)}")
        lb = self.load_balancers[arn]
        self.load_balancers[arn] = replace(lb, attributes={**lb.attributes, **changes})

    async def delete_load_balancer(self, arn: str) -> None:
        self.calls.append(f"DeleteLoadBalancer {self.load_balancers[arn].name}")
        del self.load_balancers[arn]
        for listener_arn in [k for k, (lb, _) in self.listeners.items() if lb == arn]:
            del self.listeners[listener_arn]

    async def list_listeners(self, load_balancer_arn: str) -> list[ActualListener]:
        return [ls for lb, ls in self.listeners.values() if lb == load_balancer_arn]

    async def create_listener(
        self,
        spec: ListenerSpec,
        *,
        load_balancer_arn: str,
        target_group_arns: Sequence[str],
        tags: Mapping[str, str],
    ) -> ActualListener:
        self.calls.append(f"CreateListener {spec.port}")
        arn = f"{load_balancer_arn.replace(':loadbalancer/', ':listener/')}/{self._id()}"
        listener = ActualListener(
            arn,
            spec.port,
            spec.protocol,
            tuple(target_group_arns),
            {a.key: a.value for a in spec.listener_attributes},
            dict(tags),
        )
        self.listeners[arn] = (load_balancer_arn, listener)
        return listener

    async def modify_listener(
        self, arn: str, *, protocol: Protocol, target_group_arns: Sequence[str]
    ) -> None:
        self.calls.append("ModifyListener")
        lb, listener = self.listeners[arn]
        updated = replace(listener, protocol=protocol, target_group_arns=tuple(target_group_arns))
        self.listeners[arn] = (lb, updated)

    async def modify_listener_attributes(self, arn: str, changes: Mapping[str, str]) -> None:
        self.calls.append(f"ModifyListenerAttributes {dict(changes)}")
        lb, listener = self.listeners[arn]
        self.listeners[arn] = (lb, replace(listener, attributes={**listener.attributes, **changes}))

    async def delete_listener(self, arn: str) -> None:
        self.calls.append("DeleteListener")
        del self.listeners[arn]

    async def list_target_groups(self, stack_tags: Mapping[str, str]) -> list[ActualTargetGroup]:
        return [g for g in self.target_groups.values() if _matches(g.tags, stack_tags)]

    async def create_target_group(
        self, spec: TargetGroupSpec, *, vpc_id: str, tags: Mapping[str, str]
    ) -> ActualTargetGroup:
        self.calls.append(f"CreateTargetGroup {spec.name}")
        arn = f"{ARN_PREFIX}:targetgroup/{spec.name}/{self._id()}"
        group = ActualTargetGroup(
            arn,
            spec.name,
            spec.target_type,
            spec.protocol,
            spec.port,
            spec.health_check_config,
            {a.key: a.value for a in spec.target_group_attributes},
            dict(tags),
        )
        self.target_groups[arn] = group
        return group

    async def modify_target_group(self, arn: str, health_check: HealthCheckConfig) -> None:
        self.calls.append("ModifyTargetGroup")
        self.target_groups[arn] = replace(self.target_groups[arn], health_check=health_check)

    async def modify_target_group_attributes(self, arn: str, changes: Mapping[str, str]) -> None:
        self.calls.append(f"ModifyTargetGroupAttributes {dict(changes)}")
        group = self.target_groups[arn]
        self.target_groups[arn] = replace(group, attributes={**group.attributes, **changes})

    async def delete_target_group(self, arn: str) -> None:
        """Refused while a listener forwards to it, as the API refuses it (and the shell gives
        up retrying)."""
        if any(arn in ls.target_group_arns for _, ls in self.listeners.values()):
            raise AwsApiError(
                "delete_target_group",
                "ResourceInUse",
                f"Target group '{arn}' is currently in use by a listener or a rule",
            )
        self.calls.append(f"DeleteTargetGroup {self.target_groups[arn].name}")
        del self.target_groups[arn]

    async def add_tags(self, arn: str, tags: Mapping[str, str]) -> None:
        self.calls.append(f"AddTags {dict(tags)}")
        self._retag(arn, {**self.tags_of(arn), **tags})

    async def remove_tags(self, arn: str, keys: Sequence[str]) -> None:
        self.calls.append(f"RemoveTags {list(keys)}")
        self._retag(arn, {k: v for k, v in self.tags_of(arn).items() if k not in keys})

    async def describe_target_health(self, target_group_arn: str) -> list[ActualTarget]:
        return []

    async def register_targets(
        self, target_group_arn: str, targets: Sequence[TargetDescription]
    ) -> None:
        raise NotImplementedError

    async def deregister_targets(
        self, target_group_arn: str, targets: Sequence[TargetDescription]
    ) -> None:
        raise NotImplementedError


@dataclass
class FakeEc2:
    """EC2 security groups in memory; it sees ``elbv2``'s load balancers, which use them."""

    elbv2: FakeElbV2
    groups: dict[str, ActualSecurityGroup] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def list_security_groups(
        self, *, vpc_id: str, stack_tags: Mapping[str, str]
    ) -> list[ActualSecurityGroup]:
        return [g for g in self.groups.values() if _matches(g.tags, stack_tags)]

    async def create_security_group(
        self, *, vpc_id: str, name: str, description: str, tags: Mapping[str, str]
    ) -> str:
        group_id = f"sg-{next(self._serial):017x}"
        self.calls.append(f"CreateSecurityGroup {name}")
        self.groups[group_id] = ActualSecurityGroup(group_id, name, (), dict(tags))
        return group_id

    async def authorize_ingress(self, group_id: str, permissions: Sequence[IpPermission]) -> None:
        self.calls.append(f"AuthorizeSecurityGroupIngress {len(permissions)}")
        group = self.groups[group_id]
        self.groups[group_id] = replace(group, ingress=(*group.ingress, *permissions))

    async def revoke_ingress(self, group_id: str, permissions: Sequence[IpPermission]) -> None:
        self.calls.append(f"RevokeSecurityGroupIngress {len(permissions)}")
        group = self.groups[group_id]
        kept = tuple(p for p in group.ingress if p not in permissions)
        self.groups[group_id] = replace(group, ingress=kept)

    async def create_tags(self, resource_id: str, tags: Mapping[str, str]) -> None:
        group = self.groups[resource_id]
        self.groups[resource_id] = replace(group, tags={**group.tags, **tags})

    async def delete_tags(self, resource_id: str, keys: Sequence[str]) -> None:
        group = self.groups[resource_id]
        self.groups[resource_id] = replace(
            group, tags={k: v for k, v in group.tags.items() if k not in keys}
        )

    async def delete_security_group(self, group_id: str) -> None:
        """Refused while a load balancer uses the group, as the API refuses it (and the shell
        gives up retrying)."""
        if any(group_id in lb.security_groups for lb in self.elbv2.load_balancers.values()):
            raise AwsApiError(
                "delete_security_group",
                "DependencyViolation",
                f"resource {group_id} has a dependent object",
            )
        self.calls.append("DeleteSecurityGroup")
        del self.groups[group_id]


@dataclass
class FakeBindings:
    """TargetGroupBinding objects; deleting one records the order against ELBv2's calls."""

    elbv2: FakeElbV2
    objects: dict[tuple[str, str], tuple[ActualTargetGroupBinding, dict[str, str]]] = field(
        default_factory=dict
    )

    async def list_bindings(
        self, namespace: str, labels: Mapping[str, str]
    ) -> list[ActualTargetGroupBinding]:
        return [
            binding
            for (ns, _), (binding, own) in self.objects.items()
            if ns == namespace and _matches(own, labels)
        ]

    async def apply_binding(
        self, spec: TargetGroupBindingSpec, *, target_group_arn: str, labels: Mapping[str, str]
    ) -> None:
        binding = ActualTargetGroupBinding(spec.name, spec.namespace, target_group_arn)
        if (spec.namespace, spec.name) not in self.objects:
            self.elbv2.calls.append(f"create TargetGroupBinding {spec.name}")
        self.objects[(spec.namespace, spec.name)] = (binding, dict(labels))

    async def delete_binding(self, namespace: str, name: str) -> None:
        self.elbv2.calls.append(f"delete TargetGroupBinding {name}")
        del self.objects[(namespace, name)]
