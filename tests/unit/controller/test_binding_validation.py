"""The TargetGroupBinding validator's rules, in the real webhook's words and order: required
fields, immutable fields on UPDATE, no nodeSelector on ip bindings, one binding per target group
unless all are multi-cluster, instance targets without assume role, and on CREATE the group's
IP address type, VPC and protocol as ELBv2 describes them."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.controller.webhooks.binding_group_checks import (
    Described,
    address_and_vpc_refusal,
    protocol_refusal,
)
from localnlb.controller.webhooks.binding_validation import (
    BindingFacts,
    already_bound,
    binding_facts,
    changed_immutable_fields,
    create_refusal,
    missing_fields,
    update_refusal,
)

ARN = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/tg/0123456789abcdef"
VPC = "vpc-0123456789abcdef0"
GROUP = {"TargetGroupArn": ARN, "Protocol": "TCP", "VpcId": VPC, "IpAddressType": "ipv4"}
FOUND = Described(groups=(GROUP,))


def obj(name: str = "b", namespace: str = "ui", uid: str = "", **spec: Any) -> dict[str, Any]:
    metadata = {"name": name, "namespace": namespace, **({"uid": uid} if uid else {})}
    base = {"targetGroupARN": ARN, "targetType": "ip", "serviceRef": {"name": "s", "port": 80}}
    return {"metadata": metadata, "spec": {**base, **spec}}


def facts(name: str = "b", namespace: str = "ui", uid: str = "", **spec: Any) -> BindingFacts:
    return binding_facts(obj(name, namespace, uid, **spec))


def test_facts_read_absent_fields_as_absent() -> None:
    read = binding_facts({"metadata": {"name": "b"}, "spec": None}, namespace="req")
    assert read == BindingFacts(
        namespace="req",
        name="b",
        uid="",
        target_group_arn="",
        target_group_name="",
        target_type=None,
        ip_address_type=None,
        vpc_id="",
        has_node_selector=False,
        multi_cluster=False,
        protocol=None,
        assumed_role="",
    )
    assert binding_facts({}).name == ""
    # an empty selector is still a selector (Go: non-nil); JSON null is none
    assert facts(nodeSelector={}).has_node_selector
    assert not facts(nodeSelector=None).has_node_selector
    assert not facts(multiClusterTargetGroup="true").multi_cluster


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, None),
        ({"targetType": None}, "TargetGroupBinding must specify these fields: spec.targetType"),
        (
            {"targetGroupARN": "", "targetType": None},
            "TargetGroupBinding must specify these fields:"
            " either TargetGroupARN or TargetGroupName,spec.targetType",
        ),
        ({"targetGroupARN": "", "targetGroupName": "tg"}, None),
    ],
)
def test_required_fields(spec: dict[str, Any], expected: str | None) -> None:
    assert missing_fields(facts(**spec)) == expected


CLUSTER_VPC = "vpc-11111111"


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ({}, {}, ""),
        ({}, {"targetGroupARN": ARN + "0"}, "spec.targetGroupARN"),
        ({}, {"targetType": "instance"}, "spec.targetType"),
        ({"targetType": None}, {}, "spec.targetType"),
        (
            {},
            {"targetGroupARN": "x", "targetType": "instance"},
            "spec.targetGroupARN,spec.targetType",
        ),
        ({}, {"ipAddressType": "ipv4"}, ""),  # the default may be written down
        ({}, {"ipAddressType": "ipv6"}, "spec.ipAddressType"),
        ({"ipAddressType": "ipv4"}, {}, "spec.ipAddressType"),
        ({"ipAddressType": "ipv4"}, {"ipAddressType": "ipv6"}, "spec.ipAddressType"),
        ({"ipAddressType": "ipv6"}, {"ipAddressType": "ipv6"}, ""),
        ({}, {"vpcID": CLUSTER_VPC}, ""),  # the cluster's own VPC may be written down
        ({}, {"vpcID": VPC}, "spec.vpcID"),
        ({"vpcID": VPC}, {}, "spec.vpcID"),
        ({"vpcID": VPC}, {"vpcID": CLUSTER_VPC}, "spec.vpcID"),
        ({"vpcID": VPC}, {"vpcID": VPC}, ""),
        (
            {"ipAddressType": "ipv4", "vpcID": VPC},
            {"targetGroupARN": "x", "targetType": "instance", "ipAddressType": "ipv6"},
            "spec.targetGroupARN,spec.targetType,spec.ipAddressType,spec.vpcID",
        ),
    ],
)
def test_immutable_fields(old: dict[str, Any], new: dict[str, Any], changed: str) -> None:
    refusal = changed_immutable_fields(facts(**new), facts(**old), cluster_vpc_id=CLUSTER_VPC)
    if not changed:
        assert refusal is None
    else:
        assert (
            refusal == f"TargetGroupBinding update may not change these immutable fields: {changed}"
        )


SELECTOR = {"matchLabels": {"zone": "a"}}
NODE_SELECTOR_ON_IP = "TargetGroupBinding cannot set NodeSelector when TargetType is ip"


def test_node_selector_only_on_instance_bindings() -> None:
    ip = facts(nodeSelector=SELECTOR)
    assert create_refusal(ip, others=[], described=FOUND) == NODE_SELECTOR_ON_IP
    assert update_refusal(ip, facts(), others=[], cluster_vpc_id="") == NODE_SELECTOR_ON_IP
    instance = facts(targetType="instance", nodeSelector=SELECTOR)
    assert create_refusal(instance, others=[], described=FOUND) is None


def test_assume_role_only_with_ip_targets() -> None:
    message = "Unable to use instance target type while using assume role"
    role = "arn:aws:iam::1:role/r"
    instance = facts(targetType="instance", iamRoleArnToAssume=role)
    assert create_refusal(instance, others=[], described=FOUND) == message
    assert update_refusal(instance, instance, others=[], cluster_vpc_id="") == message
    assert create_refusal(facts(iamRoleArnToAssume=role), others=[], described=FOUND) is None
    wrong_protocol_too = facts(
        targetType="instance", iamRoleArnToAssume=role, targetGroupProtocol="UDP"
    )
    assert create_refusal(wrong_protocol_too, others=[], described=FOUND) == message


def bound_message(*names: str) -> str:
    return (
        f"TargetGroup {ARN} is already bound to following TargetGroupBindings [{' '.join(names)}]."
        f" Please enable MultiCluster mode on all TargetGroupBindings referencing {ARN}"
        " or choose a different Target Group ARN."
    )


def test_one_binding_per_target_group_in_any_namespace() -> None:
    new = facts("new", "ui")
    other_group = facts("x", targetGroupARN=ARN + "0")
    assert already_bound(new, [other_group]) is None
    others = [facts("z", "web"), facts("a", "web"), other_group]
    assert already_bound(new, others) == bound_message("web/a", "web/z")
    assert create_refusal(new, others=others, described=FOUND) == bound_message("web/a", "web/z")


def test_a_binding_does_not_conflict_with_itself() -> None:
    stored = facts("b", "ui", uid="u-1")
    assert already_bound(facts("b", "ui", uid="u-1", targetType="ip"), [stored]) is None
    assert already_bound(facts("b", "ui"), [facts("b", "ui")]) is None  # no uid yet: by name
    # a new object of another uid but the same name is another binding
    assert already_bound(facts("b", "ui", uid="u-2"), [stored]) == bound_message("ui/b")
    assert update_refusal(stored, stored, others=[stored], cluster_vpc_id="") is None


@pytest.mark.parametrize(
    ("new_multi", "others_multi", "refused"),
    [
        (True, [True], False),
        (True, [True, True], False),
        (True, [True, False], True),
        (False, [True], True),
        (True, [False], True),
    ],
)
def test_multi_cluster_groups_need_every_binding_multi_cluster(
    new_multi: bool, others_multi: list[bool], refused: bool
) -> None:
    new = facts("new", multiClusterTargetGroup=new_multi)
    others = [facts(f"o{i}", multiClusterTargetGroup=m) for i, m in enumerate(others_multi)]
    assert (already_bound(new, others) is not None) is refused


def test_create_refusals_come_in_the_real_order() -> None:
    everything_wrong = facts(nodeSelector=SELECTOR, ipAddressType="ipv6")
    others = [facts("other")]
    described = Described(error="unreachable")
    assert create_refusal(everything_wrong, others=others, described=described) == (
        NODE_SELECTOR_ON_IP
    )
    no_selector = facts(ipAddressType="ipv6")
    assert create_refusal(no_selector, others=others, described=described) == bound_message(
        "ui/other"
    )
    assert create_refusal(no_selector, others=[], described=described) == (
        "unable to get target group IP address type: unreachable"
    )
    assert create_refusal(facts(), others=[], described=FOUND) is None


def test_update_refusals_come_in_the_real_order() -> None:
    old = facts()
    new = facts(targetType="instance", iamRoleArnToAssume="r")
    others = [facts("other")]
    refusal = update_refusal(new, old, others=others, cluster_vpc_id="")
    assert (
        refusal
        == "TargetGroupBinding update may not change these immutable fields: spec.targetType"
    )
    assert update_refusal(old, old, others=others, cluster_vpc_id="") == bound_message("ui/other")
    missing = facts(targetType=None)
    assert update_refusal(missing, old, others=[], cluster_vpc_id="") == (
        "TargetGroupBinding must specify these fields: spec.targetType"
    )


def address(described: Described, ip: str | None = None, vpc: str = "") -> str | None:
    return address_and_vpc_refusal(arn=ARN, ip_address_type=ip, vpc_id=vpc, described=described)


def test_ip_address_type_must_be_the_groups() -> None:
    ipv6 = Described(groups=({**GROUP, "IpAddressType": "ipv6"},))
    assert address(FOUND) is None
    assert address(FOUND, "ipv4") is None
    assert address(Described(groups=({"TargetGroupArn": ARN},))) is None  # absent: ipv4
    assert address(ipv6, "ipv6") is None
    assert address(ipv6) == f"invalid IP address type ipv6 for TargetGroup {ARN}"
    assert address(FOUND, "ipv6") == f"invalid IP address type ipv4 for TargetGroup {ARN}"
    odd = Described(groups=({**GROUP, "IpAddressType": "dualstack"},))
    assert (
        address(odd)
        == "unable to get target group IP address type: unsupported IPAddressType: dualstack"
    )


def test_the_group_must_exist_once() -> None:
    prefix = "unable to get target group IP address type: "
    assert address(Described()) == f"{prefix}expecting a single targetGroup but got 0"
    assert address(Described(groups=(GROUP, GROUP))) == (
        f"{prefix}expecting a single targetGroup but got 2"
    )
    assert address(Described(error="TargetGroupNotFound")) == f"{prefix}TargetGroupNotFound"


def test_vpc_must_be_well_formed_and_the_groups() -> None:
    assert address(FOUND, vpc=VPC) is None
    assert address(FOUND, vpc="vpc-12345678") == (
        f"invalid VpcID vpc-12345678 doesnt match VpcID from TargetGroup {ARN}"
    )
    for bad in ("vpc-123", "VPC-12345678", "vpc-1234567g", "subnet-12345678"):
        assert address(FOUND, vpc=bad) == (
            f"ValidationError: vpcID {bad} failed to satisfy constraint: VPC Id must begin with"
            " 'vpc-' followed by 8, 17 or 32 lowercase letters (a-f) or numbers."
        )


def protocol(described: Described, wanted: str | None, target_type: str = "ip") -> str | None:
    return protocol_refusal(arn=ARN, protocol=wanted, target_type=target_type, described=described)


def test_protocol_must_be_the_groups_when_given() -> None:
    assert protocol(Described(), None) is None  # older bindings: not checked, AWS not needed
    assert protocol(FOUND, "TCP") is None
    assert protocol(FOUND, "UDP") == f"TargetGroup {ARN} protocol differs (got UDP, expected TCP)"
    quic = Described(groups=({**GROUP, "Protocol": "QUIC"},))
    assert protocol(quic, "QUIC") is None
    assert protocol(quic, "QUIC", "instance") == (
        "QUIC protocol is not supported for Instance target types."
    )
    assert protocol(Described(error="boom"), "TCP") == "unable to get target group protocol: boom"
    wrong = facts(targetGroupProtocol="UDP")
    assert create_refusal(wrong, others=[], described=FOUND) == (
        f"TargetGroup {ARN} protocol differs (got UDP, expected TCP)"
    )
