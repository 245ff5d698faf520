"""A binding reconcile over fakes: registration order, draining, readiness gates, requeue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from ipaddress import ip_address, ip_network

from localnlb.controller.model.enums import TargetType
from localnlb.controller.targetgroupbinding.objects import (
    Endpoint,
    EndpointPort,
    EndpointSliceInfo,
    NodeInfo,
    PodInfo,
)
from localnlb.controller.targetgroupbinding.readiness import PodCondition
from localnlb.controller.targetgroupbinding.reconcile import (
    PodConditionWriter,
    TargetsClient,
    cleanup_binding,
    reconcile_binding,
)
from localnlb.controller.targetgroupbinding.resolve import BindingRef
from localnlb.controller.targetgroupbinding.targets import ActualTarget, TargetDescription
from tests.unit.controller.factories import lb_service
from tests.unit.controller.fakes import FakeClusterView

GATE = "target-health.elbv2.k8s.aws/k8s-ui-uinlb-2"
BINDING = BindingRef("k8s-ui-uinlb-2", "ui", "arn:tg/2", "ui-nlb", 80, TargetType.IP)
NODE = NodeInfo("node-a", provider_id="aws:///us-west-2a/i-0aaa", ready="True")


@dataclass
class FakeTargets:
    """Registered targets with a state; deregistration makes a target drain."""

    states: dict[TargetDescription, str] = field(default_factory=dict)
    calls: list[tuple[str, int]] = field(default_factory=list)

    async def describe_target_health(self, target_group_arn: str) -> list[ActualTarget]:
        return [ActualTarget(t, state) for t, state in self.states.items()]

    async def register_targets(
        self, target_group_arn: str, targets: Sequence[TargetDescription]
    ) -> None:
        self.calls.append(("register", len(targets)))
        self.states.update(dict.fromkeys(targets, "initial"))

    async def deregister_targets(
        self, target_group_arn: str, targets: Sequence[TargetDescription]
    ) -> None:
        self.calls.append(("deregister", len(targets)))
        self.states.update(dict.fromkeys(targets, "draining"))


@dataclass
class FakePods:
    written: list[tuple[str, PodCondition]] = field(default_factory=list)

    async def set_pod_condition(
        self, namespace: str, pod_name: str, condition: PodCondition
    ) -> None:
        self.written.append((pod_name, condition))


def in_vpc(address: str) -> bool:
    return ip_address(address) in ip_network("127.1.0.0/16")


def cluster(*pods: tuple[str, str, bool], gated: bool = False) -> FakeClusterView:
    """pods: (name, ip, terminating)."""
    infos = [
        PodInfo(
            name,
            "ui",
            node_name="node-a",
            conditions={"ContainersReady": "True"},
            readiness_gates=(GATE,) if gated else (),
        )
        for name, _, _ in pods
    ]
    endpoints = tuple(
        Endpoint((ip,), ready=not gated and not gone, terminating=gone, target_name=name)
        for name, ip, gone in pods
    )
    slices = [EndpointSliceInfo("s", endpoints=endpoints, ports=(EndpointPort(8080, "http"),))]
    return FakeClusterView([lb_service()], [NODE], {("ui", "ui-nlb"): slices}, infos)


async def reconcile(view: FakeClusterView, targets: FakeTargets, pods: FakePods | None = None):  # type: ignore[no-untyped-def]
    client: TargetsClient = targets
    writer: PodConditionWriter = pods or FakePods()
    return await reconcile_binding(BINDING, view=view, targets=client, pods=writer, in_vpc=in_vpc)


async def test_scale_up_registers_new_pods_and_scale_down_drains_first() -> None:
    targets = FakeTargets()
    await reconcile(cluster(("ui-0", "127.1.1.10", False)), targets)
    up = await reconcile(
        cluster(("ui-0", "127.1.1.10", False), ("ui-1", "127.1.1.11", False)), targets
    )
    assert [t.id for t in up.registered] == ["127.1.1.11"]
    down = await reconcile(
        cluster(("ui-0", "127.1.1.10", False), ("ui-1", "127.1.1.11", True)), targets
    )
    assert [t.id for t in down.deregistered] == ["127.1.1.11"]
    assert targets.states[TargetDescription("127.1.1.11", 8080)] == "draining"
    again = await reconcile(
        cluster(("ui-0", "127.1.1.10", False), ("ui-1", "127.1.1.11", True)), targets
    )
    assert (again.registered, again.deregistered) == ((), ())  # draining is left alone


async def test_deregistration_comes_before_registration() -> None:
    targets = FakeTargets({TargetDescription("127.1.1.99", 8080): "healthy"})
    await reconcile(cluster(("ui-0", "127.1.1.10", False)), targets)
    assert targets.calls == [("deregister", 1), ("register", 1)]


async def test_large_changes_are_chunked() -> None:
    pods = [(f"ui-{i}", f"127.1.{2 + i // 250}.{i % 250}", False) for i in range(450)]
    targets = FakeTargets()
    await reconcile(cluster(*pods), targets)
    assert targets.calls == [("register", 200), ("register", 200), ("register", 50)]


async def test_readiness_gate_goes_true_once_the_target_is_healthy() -> None:
    view = cluster(("ui-0", "127.1.1.10", False), gated=True)
    targets = FakeTargets()
    pods = FakePods()
    first = await reconcile(view, targets, pods)
    assert first.requeue_after == 15.0
    assert pods.written[-1] == (
        "ui-0",
        PodCondition(
            GATE, "False", "Elb.RegistrationInProgress", "Target registration is in progress"
        ),
    )
    targets.states[TargetDescription("127.1.1.10", 8080)] = "healthy"
    second = await reconcile(view, targets, pods)
    assert pods.written[-1] == ("ui-0", PodCondition(GATE, "True"))
    assert second.requeue_after is None  # every gate is True now
    view.pods = [replace(p, conditions={**p.conditions, GATE: "True"}) for p in view.pods]
    written = len(pods.written)
    third = await reconcile(view, targets, pods)
    assert third.requeue_after is None
    assert len(pods.written) == written  # unchanged conditions are not patched again


async def test_without_gates_there_is_nothing_to_wait_for() -> None:
    result = await reconcile(cluster(("ui-0", "127.1.1.10", False)), FakeTargets())
    assert result.requeue_after is None


async def test_cleanup_deregisters_everything_and_releases_gated_pods() -> None:
    view = cluster(("ui-0", "127.1.1.10", False), gated=True)
    targets = FakeTargets({TargetDescription("127.1.1.10", 8080): "healthy"})
    pods = FakePods()
    gone = await cleanup_binding(BINDING, view=view, targets=targets, pods=pods)
    assert gone == (TargetDescription("127.1.1.10", 8080),)
    assert pods.written == [
        ("ui-0", PodCondition(GATE, "True", "", "Target Group Binding is deleted"))
    ]
