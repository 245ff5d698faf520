"""Registered targets vs endpoints: deregister first, then register; draining left alone."""

from __future__ import annotations

from localnlb.controller.targetgroupbinding.node_endpoints import NodePortEndpoint
from localnlb.controller.targetgroupbinding.pod_endpoints import PodEndpoint
from localnlb.controller.targetgroupbinding.targets import (
    ActualTarget,
    TargetDescription,
    chunked,
    diff_targets,
    node_target,
    pod_target,
)


def target(id_: str, port: int = 8080) -> TargetDescription:
    return TargetDescription(id_, port)


def registered(id_: str, state: str = "healthy", port: int = 8080) -> ActualTarget:
    return ActualTarget(target(id_, port), state)


def test_scale_up_registers_only_the_new_targets() -> None:
    changes = diff_targets([target("a"), target("b"), target("c")], [registered("a")])
    assert changes.deregister == ()
    assert changes.register == (target("b"), target("c"))


def test_scale_down_deregisters_the_gone_targets() -> None:
    changes = diff_targets([target("a")], [registered("a"), registered("b", "initial")])
    assert changes.deregister == (target("b"),)
    assert changes.register == ()


def test_targets_are_keyed_by_id_and_port() -> None:
    changes = diff_targets([target("a", 8081)], [registered("a", port=8080)])
    assert changes.deregister == (target("a", 8080),)
    assert changes.register == (target("a", 8081),)


def test_draining_targets_are_neither_deregistered_again_nor_counted_present() -> None:
    changes = diff_targets(
        [target("b")], [registered("a", "draining"), registered("b", "unhealthy.draining")]
    )
    assert changes.deregister == ()
    assert changes.register == (target("b"),)


def test_nothing_to_do() -> None:
    assert diff_targets([target("a")], [registered("a", "initial")]).empty


def test_multi_cluster_keeps_targets_registered_by_others() -> None:
    changes = diff_targets(
        [target("a")],
        [registered("a"), registered("mine"), registered("foreign")],
        owned_keys=frozenset({"a:8080", "mine:8080"}),
    )
    assert changes.deregister == (target("mine"),)


def test_target_cap() -> None:
    changes = diff_targets([target(str(i)) for i in range(5)], [registered("0")], max_targets=3)
    assert changes.register == (target("1"), target("2"))


def test_calls_are_chunked_at_200() -> None:
    chunks = chunked([target(str(i)) for i in range(450)])
    assert [len(c) for c in chunks] == [200, 200, 50]


def test_endpoint_to_target() -> None:
    assert node_target(NodePortEndpoint("i-0a", 30549, "n")) == TargetDescription("i-0a", 30549)
    pod = PodEndpoint("127.1.1.5", 8080, "p", "n")
    assert pod_target(pod, in_vpc=True) == TargetDescription("127.1.1.5", 8080)
    assert pod_target(pod, in_vpc=False).availability_zone == "all"
