"""The TargetGroupBinding validator (``vtargetgroupbinding.elbv2.k8s.aws``), pure: whether a
binding may be created or updated, and if not, the first refusal in the real webhook's words
and in its order (reference §2.10).

On CREATE: required fields, no nodeSelector on ip bindings, the target group not bound by
another binding (unless all of them are multi-cluster), then what ELBv2 says of the group
(:mod:`~localnlb.controller.webhooks.binding_group_checks`). On UPDATE: required fields, the
immutable fields (ARN, target type, IP address type, VPC), nodeSelector, assume role, the
target group not bound by another binding. The shell gathers the other bindings and the
DescribeTargetGroups answer; nothing here calls anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from localnlb.controller.webhooks.binding_group_checks import (
    Described,
    address_and_vpc_refusal,
    protocol_refusal,
)

KIND = "TargetGroupBinding"


@dataclass(frozen=True, slots=True)
class BindingFacts:
    """What the validator reads of one binding (``None``: the field is absent)."""

    namespace: str
    name: str
    uid: str
    target_group_arn: str
    target_group_name: str
    target_type: str | None
    ip_address_type: str | None
    vpc_id: str
    has_node_selector: bool
    multi_cluster: bool
    protocol: str | None
    assumed_role: str


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def binding_facts(obj: Mapping[str, Any], *, namespace: str = "") -> BindingFacts:
    """``namespace``: the request's, for an object whose metadata does not say it."""
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    spec = obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    return BindingFacts(
        namespace=str(metadata.get("namespace") or namespace),
        name=str(metadata.get("name") or ""),
        uid=str(metadata.get("uid") or ""),
        target_group_arn=str(spec.get("targetGroupARN") or ""),
        target_group_name=str(spec.get("targetGroupName") or ""),
        target_type=_text(spec.get("targetType")),
        ip_address_type=_text(spec.get("ipAddressType")),
        vpc_id=str(spec.get("vpcID") or ""),
        has_node_selector=spec.get("nodeSelector") is not None,
        multi_cluster=spec.get("multiClusterTargetGroup") is True,
        protocol=_text(spec.get("targetGroupProtocol")),
        assumed_role=str(spec.get("iamRoleArnToAssume") or ""),
    )


def missing_fields(new: BindingFacts) -> str | None:
    absent = []
    if not new.target_group_arn and not new.target_group_name:
        absent.append("either TargetGroupARN or TargetGroupName")
    if new.target_type is None:
        absent.append("spec.targetType")
    return f"{KIND} must specify these fields: {','.join(absent)}" if absent else None


def changed_immutable_fields(
    new: BindingFacts, old: BindingFacts, *, cluster_vpc_id: str
) -> str | None:
    """A field once set stays; an IP address type may appear only as the default ``ipv4``, a
    VPC only as the cluster's own."""
    changed = []
    if new.target_group_arn != old.target_group_arn:
        changed.append("spec.targetGroupARN")
    if new.target_type != old.target_type:
        changed.append("spec.targetType")
    if old.ip_address_type is None:
        if new.ip_address_type not in (None, "ipv4"):
            changed.append("spec.ipAddressType")
    elif new.ip_address_type != old.ip_address_type:
        changed.append("spec.ipAddressType")
    if old.vpc_id:
        if new.vpc_id != old.vpc_id:
            changed.append("spec.vpcID")
    elif new.vpc_id and new.vpc_id != cluster_vpc_id:
        changed.append("spec.vpcID")
    if not changed:
        return None
    return f"{KIND} update may not change these immutable fields: {','.join(changed)}"


def node_selector_on_ip(new: BindingFacts) -> str | None:
    if new.target_type == "ip" and new.has_node_selector:
        return f"{KIND} cannot set NodeSelector when TargetType is ip"
    return None


def instance_with_assumed_role(new: BindingFacts) -> str | None:
    if new.assumed_role and new.target_type == "instance":
        return "Unable to use instance target type while using assume role"
    return None


def already_bound(new: BindingFacts, others: Iterable[BindingFacts]) -> str | None:
    """Another binding (any namespace) of the same group refuses this one unless every binding
    of the group, this one included, is multi-cluster."""
    arn = new.target_group_arn
    same_group = [
        other for other in others if other.target_group_arn == arn and not _same_object(other, new)
    ]
    if not same_group or (new.multi_cluster and all(o.multi_cluster for o in same_group)):
        return None
    names = " ".join(sorted(f"{o.namespace}/{o.name}" for o in same_group))
    return (
        f"TargetGroup {arn} is already bound to following TargetGroupBindings [{names}]."
        f" Please enable MultiCluster mode on all TargetGroupBindings referencing {arn}"
        " or choose a different Target Group ARN."
    )


def _same_object(a: BindingFacts, b: BindingFacts) -> bool:
    if a.uid and b.uid:
        return a.uid == b.uid
    return (a.namespace, a.name) == (b.namespace, b.name)


def create_refusal(
    new: BindingFacts, *, others: Iterable[BindingFacts], described: Described
) -> str | None:
    """``described``: DescribeTargetGroups of ``new``'s ARN (or why it could not be asked)."""
    checks: list[Callable[[], str | None]] = [
        lambda: missing_fields(new),
        lambda: node_selector_on_ip(new),
        lambda: already_bound(new, others),
        lambda: address_and_vpc_refusal(
            arn=new.target_group_arn,
            ip_address_type=new.ip_address_type,
            vpc_id=new.vpc_id,
            described=described,
        ),
        lambda: instance_with_assumed_role(new),
        lambda: protocol_refusal(
            arn=new.target_group_arn,
            protocol=new.protocol,
            target_type=new.target_type,
            described=described,
        ),
    ]
    return _first(checks)


def update_refusal(
    new: BindingFacts,
    old: BindingFacts,
    *,
    others: Iterable[BindingFacts],
    cluster_vpc_id: str,
) -> str | None:
    checks: list[Callable[[], str | None]] = [
        lambda: missing_fields(new),
        lambda: changed_immutable_fields(new, old, cluster_vpc_id=cluster_vpc_id),
        lambda: node_selector_on_ip(new),
        lambda: instance_with_assumed_role(new),
        lambda: already_bound(new, others),
    ]
    return _first(checks)


def _first(checks: list[Callable[[], str | None]]) -> str | None:
    for check in checks:
        refusal = check()
        if refusal is not None:
            return refusal
    return None
