"""The workshop's catalog MySQL from its own manifests (issue 13): ``kubectl apply -k`` of the
catalog base application gives ``catalog-mysql-0`` running the built-in mysql:8.0 stand-in, which
a real MySQL client reaches through the ``catalog-mysql`` Service's ClusterIP with the user and
password of the ``catalog-db`` Secret; a deleted pod comes back under the same name."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pymysql
import pytest

from localnlb.cluster.embedded import EmbeddedCluster
from tests.e2e.cluster.test_embedded_cluster import (
    cluster,  # noqa: F401  (the fixture)
    kubectl,
)
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]
CATALOG = "manifests/base-application/catalog"


async def credentials(cluster: EmbeddedCluster) -> tuple[str, str]:  # noqa: F811
    secret = json.loads(
        await kubectl(cluster, "get", "secret", "-n", "catalog", "catalog-db", "-o", "json")
    )
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    return data["RETAIL_CATALOG_PERSISTENCE_USER"], data["RETAIL_CATALOG_PERSISTENCE_PASSWORD"]


async def test_catalog_mysql_runs_from_the_workshop_manifest_and_answers_a_mysql_client(
    cluster: EmbeddedCluster,  # noqa: F811
    workshop_dir: Path,
) -> None:
    await kubectl(cluster, "apply", "-k", str(workshop_dir / CATALOG))
    ready = (
        "wait",
        "--for=condition=Ready",
        "pod/catalog-mysql-0",
        "-n",
        "catalog",
        "--timeout=60s",
    )
    await kubectl(cluster, *ready)
    address = await kubectl(
        cluster,
        "get",
        "service",
        "-n",
        "catalog",
        "catalog-mysql",
        "-o",
        "jsonpath={.spec.clusterIP}",
    )
    user, password = await credentials(cluster)
    with (
        await connect_when_up(address, user, password) as db,
        db.cursor() as cursor,
    ):
        cursor.execute("CREATE TABLE products (id VARCHAR(36) PRIMARY KEY, name TEXT)")
        cursor.execute("INSERT INTO products VALUES ('6d62d909', 'Pocket Watch')")
        cursor.execute("SELECT name FROM products")
        assert cursor.fetchall() == (("Pocket Watch",),)
    first = await pod_uid(cluster)
    await kubectl(cluster, "delete", "pod", "-n", "catalog", "catalog-mysql-0", "--wait=false")

    async def replaced_and_ready() -> bool:
        listed = json.loads(await kubectl(cluster, "get", "pods", "-n", "catalog", "-o", "json"))
        return any(
            pod["metadata"]["name"] == "catalog-mysql-0"
            and pod["metadata"]["uid"] != first
            and any(
                c["type"] == "Ready" and c["status"] == "True"
                for c in pod.get("status", {}).get("conditions", [])
            )
            for pod in listed["items"]
        )

    # The StatefulSet makes the pod again under its stable name (its emptyDir starts empty, as in
    # Kubernetes: the workshop's manifest keeps MySQL's data only for a pod's life).
    await async_wait_until(replaced_and_ready, timeout=60, what="catalog-mysql-0 again, Ready")
    with await connect_when_up(address, user, password) as db:
        assert db.open


async def pod_uid(cluster: EmbeddedCluster) -> str:  # noqa: F811
    return await kubectl(
        cluster, "get", "pod", "-n", "catalog", "catalog-mysql-0", "-o", "jsonpath={.metadata.uid}"
    )


async def connect_when_up(
    address: str, user: str, password: str
) -> pymysql.Connection[pymysql.cursors.Cursor]:
    """A pod without a readiness probe is Ready once its process starts (as in Kubernetes), so
    the first connections may come before mysqld listens: retry those, and only those."""

    async def attempt() -> pymysql.Connection[pymysql.cursors.Cursor] | None:
        try:
            return pymysql.connect(
                host=address, port=3306, user=user, password=password, database="catalog"
            )
        except pymysql.err.OperationalError as error:
            if error.args[0] == 2003:  # refused: not listening yet
                return None
            raise

    return await async_wait_until(attempt, timeout=30, what=f"mysqld behind {address}:3306")
