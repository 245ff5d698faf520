"""StatefulSets end to end on the embedded cluster (issue 13 AC3/AC4), with the real kubectl.

The workshop's catalog MySQL StatefulSet is applied from its own manifest: its pod
``catalog-mysql-0`` runs if a built-in image implements mysql, else waits in ErrImagePull or
ImagePullBackOff. The ordering, stable-name, scale-down and data tests use a set of the same
shape (serviceName, selector, volume at /var/lib/mysql, port 3306) with built-in images and a
volumeClaimTemplate on the default ``local-path`` class. Order is read back from the store's
change history: what the controller did, in the order it did it.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from localnlb.cluster.embedded import VOLUMES_DIR, EmbeddedCluster
from localnlb.cluster.images.reference import parse_image_reference
from localnlb.cluster.images.registry import find_image
from localnlb.cluster.runtime.garbage import SWEEP as GC_SWEEP
from localnlb.cluster.store.events import Change, ChangeType
from tests.helpers.clusters import running_cluster
from tests.helpers.commands import kubectl_fails_with, kubectl_with
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]
CATALOG = "manifests/base-application/catalog"


def shaped_like_catalog_mysql(
    image: str, replicas: int, command: list[str] | None = None, **container: Any
) -> str:
    """The catalog MySQL StatefulSet's shape, with a built-in image and a claim template."""
    body = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "catalog-mysql", "namespace": "catalog"},
        "spec": {
            "replicas": replicas,
            "serviceName": "catalog-mysql",
            "selector": {"matchLabels": {"app.kubernetes.io/component": "mysql"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/component": "mysql"}},
                "spec": {
                    "terminationGracePeriodSeconds": 1,
                    "containers": [
                        {
                            "name": "mysql",
                            "image": image,
                            **({"command": command} if command else {}),
                            "volumeMounts": [{"name": "data", "mountPath": "/var/lib/mysql"}],
                            "ports": [{"name": "mysql", "containerPort": 3306}],
                            **container,
                        }
                    ],
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                }
            ],
        },
    }
    return json.dumps(body)


MYSQL_IMAGE = "public.ecr.aws/docker/library/mysql:8.0"  # the workshop manifest's
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.47"
NETEXEC: dict[str, Any] = {
    "args": ["netexec", "--http-port=8080"],
    "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}, "periodSeconds": 1},
}


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[EmbeddedCluster]:
    async with running_cluster(tmp_path) as embedded:
        await kubectl(embedded, "create", "namespace", "catalog")
        yield embedded


async def kubectl(cluster: EmbeddedCluster, *args: str, stdin: str = "") -> str:
    return await kubectl_with(cluster.kubeconfig_path, *args, stdin=stdin)


async def kubectl_refused(cluster: EmbeddedCluster, *args: str, stdin: str) -> str:
    return await kubectl_fails_with(cluster.kubeconfig_path, *args, stdin=stdin)


def revision(cluster: EmbeddedCluster) -> int:
    assert cluster.api.registry is not None
    return cluster.api.registry.store.revision


async def pod_history(cluster: EmbeddedCluster, since: int) -> list[Change]:
    """Every pod change in ``catalog`` after ``since``, in commit order."""
    assert cluster.api.registry is not None
    watcher = cluster.api.registry.store.watch("/pods", "catalog", since)
    changes = []
    try:
        while (change := await watcher.next(wait=0.2)) is not None:
            changes.append(change)
    finally:
        watcher.close()
    return changes


def ready(pod: dict[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or ()
    )


async def pods(cluster: EmbeddedCluster) -> dict[str, dict[str, Any]]:
    listed = json.loads(await kubectl(cluster, "get", "pods", "-n", "catalog", "-o", "json"))
    return {
        p["metadata"]["name"]: p
        for p in listed["items"]
        if not p["metadata"].get("deletionTimestamp")
    }


async def wait_ready(cluster: EmbeddedCluster, names: set[str], timeout: float = 60) -> None:
    async def all_ready() -> bool:
        found = await pods(cluster)
        return set(found) == names and all(ready(p) for p in found.values())

    await async_wait_until(all_ready, timeout=timeout, what=f"exactly {sorted(names)} Ready")


async def test_catalog_shape_starts_in_order_with_stable_names_and_scales_down_from_the_top(
    cluster: EmbeddedCluster,
) -> None:
    start = revision(cluster)
    await kubectl(
        cluster, "apply", "-f", "-", stdin=shaped_like_catalog_mysql(AGNHOST, 3, **NETEXEC)
    )
    names = {"catalog-mysql-0", "catalog-mysql-1", "catalog-mysql-2"}
    await wait_ready(cluster, names)

    history = await pod_history(cluster, start)
    created = [c.name for c in history if c.type is ChangeType.ADDED]
    assert created == ["catalog-mysql-0", "catalog-mysql-1", "catalog-mysql-2"]
    for ordinal in (1, 2):
        made_at = next(
            c.revision
            for c in history
            if c.type is ChangeType.ADDED and c.name.endswith(f"-{ordinal}")
        )
        previous = f"catalog-mysql-{ordinal - 1}"
        assert any(
            c.name == previous and ready(c.object) and c.revision < made_at for c in history
        ), f"{previous} was not Ready before catalog-mysql-{ordinal} was created"

    found = await pods(cluster)
    for name, pod in found.items():
        assert pod["spec"]["hostname"] == name
        assert pod["spec"]["subdomain"] == "catalog-mysql"
        assert pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == name
        [claim] = [v for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v]
        assert claim["persistentVolumeClaim"]["claimName"] == f"data-{name}"
    claims = json.loads(await kubectl(cluster, "get", "pvc", "-n", "catalog", "-o", "json"))
    assert {c["metadata"]["name"]: c["status"]["phase"] for c in claims["items"]} == {
        f"data-{name}": "Bound" for name in names
    }
    sts = json.loads(
        await kubectl(cluster, "get", "sts", "-n", "catalog", "catalog-mysql", "-o", "json")
    )
    assert sts["status"]["readyReplicas"] == 3
    assert sts["status"]["currentRevision"] == sts["status"]["updateRevision"]

    scale_start = revision(cluster)
    await kubectl(cluster, "scale", "-n", "catalog", "statefulset/catalog-mysql", "--replicas=1")
    await wait_ready(cluster, {"catalog-mysql-0"})
    history = await pod_history(cluster, scale_start)
    marked = [
        c.name
        for c in history
        if c.type is ChangeType.MODIFIED
        and c.object["metadata"].get("deletionTimestamp")
        and not (c.previous or {}).get("metadata", {}).get("deletionTimestamp")
    ]
    assert marked == ["catalog-mysql-2", "catalog-mysql-1"]
    gone_2 = next(
        c.revision for c in history if c.type is ChangeType.DELETED and c.name.endswith("-2")
    )
    marked_1 = next(
        c.revision
        for c in history
        if c.name.endswith("-1") and c.object["metadata"].get("deletionTimestamp")
    )
    assert gone_2 < marked_1, "catalog-mysql-1 was stopped before catalog-mysql-2 was gone"
    claims = json.loads(await kubectl(cluster, "get", "pvc", "-n", "catalog", "-o", "json"))
    assert len(claims["items"]) == 3  # Retain: claims outlive the pods scaled away


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a volume at its mountPath needs root")
async def test_data_written_into_the_volume_survive_kubectl_delete_pod(
    cluster: EmbeddedCluster,
) -> None:
    writer = ["sh", "-c", 'echo "boot of $HOSTNAME" >> /var/lib/mysql/boots && exec sleep 600']
    await kubectl(
        cluster, "apply", "-f", "-", stdin=shaped_like_catalog_mysql("busybox:1.36", 1, writer)
    )
    await wait_ready(cluster, {"catalog-mysql-0"})
    claim = json.loads(
        await kubectl(cluster, "get", "pvc", "-n", "catalog", "data-catalog-mysql-0", "-o", "json")
    )
    directory = cluster.settings.state_dir / VOLUMES_DIR / claim["spec"]["volumeName"]
    boots = directory / "boots"

    async def lines(count: int) -> list[str] | None:
        found = boots.read_text().splitlines() if boots.exists() else []
        return found if len(found) == count else None

    assert await async_wait_until(lambda: lines(1), timeout=20, what="the first boot written") == [
        "boot of catalog-mysql-0"
    ]
    first_uid = (await pods(cluster))["catalog-mysql-0"]["metadata"]["uid"]
    await kubectl(cluster, "delete", "pod", "-n", "catalog", "catalog-mysql-0")
    await wait_ready(cluster, {"catalog-mysql-0"})
    assert (await pods(cluster))["catalog-mysql-0"]["metadata"]["uid"] != first_uid
    assert await async_wait_until(lambda: lines(2), timeout=20, what="the second boot") == [
        "boot of catalog-mysql-0",
        "boot of catalog-mysql-0",
    ]


async def test_the_workshops_catalog_mysql_manifest_makes_its_stable_pod(
    cluster: EmbeddedCluster, workshop_dir: Path
) -> None:
    """Running and Ready when a built-in image implements mysql, else waiting for its image."""
    for manifest in ("secrets.yaml", "service-mysql.yaml", "statefulset-mysql.yaml"):
        await kubectl(
            cluster, "apply", "-n", "catalog", "-f", str(workshop_dir / CATALOG / manifest)
        )
    built_in = find_image(parse_image_reference(MYSQL_IMAGE)) is not None
    expected = {"Running"} if built_in else {"ErrImagePull", "ImagePullBackOff"}

    async def settled() -> str | None:
        pod = (await pods(cluster)).get("catalog-mysql-0")
        statuses = ((pod or {}).get("status") or {}).get("containerStatuses") or []
        state = statuses[0].get("state", {}) if statuses else {}
        shown = "Running" if "running" in state else (state.get("waiting") or {}).get("reason")
        return shown if shown in expected and (ready(pod or {}) or not built_in) else None

    await async_wait_until(settled, timeout=30, what=f"catalog-mysql-0 {sorted(expected)}")
    table = await kubectl(cluster, "get", "statefulset", "-n", "catalog")
    ready_column = "1/1" if built_in else "0/1"
    assert table.split("\n")[1].split()[:2] == ["catalog-mysql", ready_column]


async def test_a_statefulset_whose_selector_misses_its_template_is_refused(
    cluster: EmbeddedCluster,
) -> None:
    body = json.loads(shaped_like_catalog_mysql(AGNHOST, 1))
    body["spec"]["selector"]["matchLabels"] = {"app": "elsewhere"}
    refused = await kubectl_refused(cluster, "apply", "-f", "-", stdin=json.dumps(body))
    assert (
        'The StatefulSet "catalog-mysql" is invalid: spec.template.metadata.labels: Invalid value:'
        in refused
    )
    assert "`selector` does not match template `labels`" in refused


async def test_a_garbage_sweep_keeps_the_sets_pods_and_deleting_the_set_keeps_its_claims(
    cluster: EmbeddedCluster,
) -> None:
    await kubectl(
        cluster, "apply", "-f", "-", stdin=shaped_like_catalog_mysql(AGNHOST, 1, **NETEXEC)
    )
    await wait_ready(cluster, {"catalog-mysql-0"})
    assert cluster.controllers is not None
    cluster.controllers.garbage.reconcile(GC_SWEEP)  # the set is an owner the collector knows
    assert set(await pods(cluster)) == {"catalog-mysql-0"}

    await kubectl(cluster, "delete", "statefulset", "-n", "catalog", "catalog-mysql")

    async def no_pods() -> bool:
        return not await pods(cluster)

    await async_wait_until(no_pods, timeout=30, what="the set's pods gone with it")
    claims = json.loads(await kubectl(cluster, "get", "pvc", "-n", "catalog", "-o", "json"))
    assert [c["metadata"]["name"] for c in claims["items"]] == ["data-catalog-mysql-0"]
