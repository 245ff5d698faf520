"""The node lifecycle loop over the real registry: any valid Node is handled, and a Node written
without a spec (valid input) never stops the lifecycle of the others (issue 21, item 9)."""

from __future__ import annotations

import random

from localnlb.cluster.apiserver.storage.bootstrap import bootstrap
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.nodes.lifecycle import UNREACHABLE_TAINT
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.runtime.nodelifecycle import SWEEP, NodeLifecycleLoop
from localnlb.cluster.store import ObjectStore
from localnlb.common.addressing import build_address_plan
from localnlb.common.clock import FakeClock


def test_a_node_without_spec_is_tainted_like_any_silent_node() -> None:
    registry = Registry(
        ObjectStore(),
        service_cidr=build_address_plan(vpc_octet=42).service_cidr,
        clock=FakeClock(),
        rng=random.Random(5),
    )
    bootstrap(registry)
    kinds = Kinds.resolve(registry)
    for name in ("bare", "other"):
        node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}
        registry.create(kinds.node, "", node, manager="test")
    NodeLifecycleLoop(Access(registry, "node-lifecycle-controller"), kinds).reconcile(SWEEP)
    for name in ("bare", "other"):
        taints = registry.get(kinds.node, "", name)["spec"]["taints"]
        assert {t["key"] for t in taints} == {UNREACHABLE_TAINT}, name
