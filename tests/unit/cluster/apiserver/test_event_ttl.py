"""Events older than the TTL are deleted; recently updated ones stay."""

from __future__ import annotations

import random

from localnlb.cluster.apiserver.objects.meta import timestamp
from localnlb.cluster.apiserver.storage.bootstrap import bootstrap
from localnlb.cluster.apiserver.storage.event_ttl import EVENT_TTL, expire_events
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.store import ObjectStore
from localnlb.common.addressing import build_address_plan
from localnlb.common.clock import FakeClock


def test_old_events_expire() -> None:
    clock = FakeClock()
    registry = Registry(
        ObjectStore(),
        service_cidr=build_address_plan(vpc_octet=42).service_cidr,
        clock=clock,
        rng=random.Random(1),
    )
    bootstrap(registry)
    events = registry.resource("v1", "Event")

    def record(name: str) -> None:
        registry.create(
            events,
            "default",
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": name},
                "involvedObject": {"kind": "Pod", "name": "p"},
                "reason": "R",
                "message": "m",
                "lastTimestamp": timestamp(clock.wall()),
            },
        )

    record("old")
    clock.advance(EVENT_TTL - 10)
    record("recent")
    assert expire_events(registry) == 0
    clock.advance(20)
    assert expire_events(registry) == 1
    names = [e["metadata"]["name"] for e in registry.list(events, "default")["items"]]
    assert names == ["recent"]
