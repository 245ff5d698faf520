"""A TargetGroupBinding's desired targets, read through the :class:`ClusterView`.

Instance bindings register the eligible nodes on the Service port's NodePort; ip bindings
register the eligible pod addresses from the Service's EndpointSlices. Pure over the view: the
shell passes its caches, tests pass an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from localnlb.controller.model.enums import TargetGroupIpAddressType, TargetType
from localnlb.controller.targetgroupbinding.errors import BackendNotFoundError, ResolveError
from localnlb.controller.targetgroupbinding.node_endpoints import resolve_node_port_endpoints
from localnlb.controller.targetgroupbinding.pod_endpoints import resolve_pod_endpoints
from localnlb.controller.targetgroupbinding.readiness import readiness_gate_type
from localnlb.controller.targetgroupbinding.targets import (
    TargetDescription,
    node_target,
    pod_target,
)
from localnlb.controller.targetgroupbinding.view import ClusterView

_ADDRESS_TYPES = {TargetGroupIpAddressType.IPV4: "IPv4", TargetGroupIpAddressType.IPV6: "IPv6"}


@dataclass(frozen=True, slots=True)
class BindingRef:
    """What target resolution reads from a TargetGroupBinding object."""

    name: str
    namespace: str
    target_group_arn: str
    service_name: str
    service_port: int | str
    target_type: TargetType
    node_selector: Mapping[str, str] = field(default_factory=dict)
    ip_address_type: TargetGroupIpAddressType = TargetGroupIpAddressType.IPV4
    multi_cluster: bool = False


def binding_from_object(obj: Mapping[str, Any]) -> BindingRef:
    """A TargetGroupBinding (elbv2.k8s.aws/v1beta1) in its Kubernetes object form."""
    metadata = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    service_ref = spec.get("serviceRef") or {}
    target_type = TargetType(spec.get("targetType", TargetType.INSTANCE))
    node_selector = dict((spec.get("nodeSelector") or {}).get("matchLabels") or {})
    if node_selector and target_type is TargetType.IP:
        raise ResolveError("TargetGroupBinding cannot set NodeSelector when TargetType is ip")
    return BindingRef(
        name=str(metadata["name"]),
        namespace=str(metadata.get("namespace", "default")),
        target_group_arn=str(spec.get("targetGroupARN", "")),
        service_name=str(service_ref["name"]),
        service_port=service_ref["port"],
        target_type=target_type,
        node_selector=node_selector,
        ip_address_type=TargetGroupIpAddressType(spec.get("ipAddressType", "ipv4")),
        multi_cluster=bool(spec.get("multiClusterTargetGroup", False)),
    )


@dataclass(frozen=True, slots=True)
class DesiredTargets:
    targets: list[TargetDescription]
    # A gated pod whose containers are not ready yet: look again soon (ip mode only).
    contains_potential_ready: bool = False


def resolve_desired_targets(
    binding: BindingRef,
    view: ClusterView,
    *,
    in_vpc: Callable[[str], bool],
    fail_open: bool = True,
) -> DesiredTargets:
    service = view.get_service(binding.namespace, binding.service_name)
    if service is None:
        raise BackendNotFoundError(f'services "{binding.service_name}" not found')
    if binding.target_type is TargetType.INSTANCE:
        nodes = resolve_node_port_endpoints(
            service,
            binding.service_port,
            view.list_nodes(),
            node_selector=binding.node_selector,
            fail_open=fail_open,
        )
        return DesiredTargets([node_target(endpoint) for endpoint in nodes])
    pods = resolve_pod_endpoints(
        service,
        binding.service_port,
        view.list_endpoint_slices(binding.namespace, binding.service_name),
        pods={pod.name: pod for pod in view.list_pods(binding.namespace)},
        nodes={node.name: node for node in view.list_nodes()},
        address_type=_ADDRESS_TYPES[binding.ip_address_type],
        readiness_gates=frozenset({readiness_gate_type(binding.name)}),
        fail_open=fail_open,
    )
    return DesiredTargets(
        [pod_target(endpoint, in_vpc=in_vpc(endpoint.ip)) for endpoint in pods.endpoints],
        pods.contains_potential_ready,
    )
