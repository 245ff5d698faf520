"""The DaemonSet loop on the real registry: one pod per node, bound at creation; a cordoned node
keeps its daemon, a tainted one it does not tolerate gets none, a nodeSelector narrows the set;
a template change rolls the pods one node at a time."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.controllers import objects
from tests.component.cluster.batch.conftest import Cluster
from tests.helpers.waiting import async_wait_until

pytestmark = pytest.mark.timeout(60)


def daemon_set(name: str, image: str = "agnhost", **template_spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": image}], **template_spec},
            },
        },
    }


def live_pods(cluster: Cluster, name: str) -> list[dict[str, Any]]:
    return [
        p
        for p in cluster.items("v1", "Pod")
        if objects.labels_of(p).get("app") == name and not objects.is_terminating(p)
    ]


def node(cluster: Cluster, name: str) -> dict[str, Any]:
    return cluster.registry.get(cluster.kinds.node, "", name)


def write_node(cluster: Cluster, body: dict[str, Any]) -> None:
    cluster.registry.update(cluster.kinds.node, "", objects.name_of(body), body)


def status_of(cluster: Cluster, name: str) -> dict[str, Any]:
    [found] = [d for d in cluster.items("apps/v1", "DaemonSet") if objects.name_of(d) == name]
    return dict(found.get("status") or {})


async def test_one_pod_per_node_cordoned_included_untolerated_taint_excluded(
    cluster: Cluster,
) -> None:
    first, second, third = cluster.nodes
    cordoned = node(cluster, first)
    cordoned["spec"]["unschedulable"] = True
    write_node(cluster, cordoned)
    tainted = node(cluster, second)
    tainted["spec"]["taints"] = [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]
    write_node(cluster, tainted)
    cluster.create(daemon_set("agent"))

    async def placed() -> list[str] | None:
        where = sorted(objects.spec(p)["nodeName"] for p in live_pods(cluster, "agent"))
        ready = status_of(cluster, "agent").get("numberReady") == 2
        return where if len(where) == 2 and ready else None

    assert await async_wait_until(placed, what="daemon pods on two nodes") == sorted([first, third])
    status = status_of(cluster, "agent")
    assert status["desiredNumberScheduled"] == 2
    assert status["currentNumberScheduled"] == 2
    assert status["updatedNumberScheduled"] == 2
    assert status["numberMisscheduled"] == 0
    tainted["spec"]["taints"] = []
    write_node(cluster, node(cluster, second) | {"spec": tainted["spec"]})

    async def everywhere() -> bool:
        return len(live_pods(cluster, "agent")) == 3

    await async_wait_until(everywhere, what="a daemon pod on the untainted node")


async def test_node_selector_and_a_rolling_template_change(cluster: Cluster) -> None:
    zone = "topology.kubernetes.io/zone"
    picked = node(cluster, cluster.nodes[2])
    cluster.create(daemon_set("zonal", nodeSelector={zone: objects.labels_of(picked)[zone]}))

    async def one() -> list[dict[str, Any]] | None:
        found = live_pods(cluster, "zonal")
        return found if len(found) == 1 else None

    [pod] = await async_wait_until(one, what="one zonal daemon pod")
    assert objects.spec(pod)["nodeName"] == cluster.nodes[2]
    cluster.create(daemon_set("rolled"))

    async def three_ready() -> list[dict[str, Any]] | None:
        found = live_pods(cluster, "rolled")
        ready = status_of(cluster, "rolled").get("numberReady") == 3
        return found if len(found) == 3 and ready else None

    before = {objects.name_of(p) for p in await async_wait_until(three_ready, what="3 pods")}
    rt = cluster.registry.resource("apps/v1", "DaemonSet")
    current = cluster.registry.get(rt, "default", "rolled")
    current["spec"]["template"]["spec"]["containers"][0]["image"] = "agnhost:2.0"
    cluster.registry.update(rt, "default", "rolled", current)

    async def rolled() -> bool:
        found = live_pods(cluster, "rolled")
        images = {objects.spec(p)["containers"][0]["image"] for p in found}
        fresh = not before & {objects.name_of(p) for p in found}
        return len(found) == 3 and images == {"agnhost:2.0"} and fresh

    await async_wait_until(rolled, timeout=20, what="all three pods on the new template")
    status = status_of(cluster, "rolled")
    assert status["observedGeneration"] == 2
