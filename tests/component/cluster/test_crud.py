"""Create, get, list, update, patch and delete over real HTTP, with a real server's metadata."""

from __future__ import annotations

import ipaddress
from typing import Any

from tests.component.cluster.conftest import Api, pod

PODS = "/api/v1/namespaces/default/pods"


async def test_create_get_list_assigns_server_metadata(api: Api) -> None:
    created = await api.post(PODS, pod("web-1"))
    assert created.status == 201, created.body
    metadata = created.body["metadata"]
    assert metadata["uid"]
    assert metadata["creationTimestamp"].endswith("Z")
    assert int(metadata["resourceVersion"]) > 0
    assert created.body["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    spec = created.body["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    got = await api.get(f"{PODS}/web-1")
    assert got.status == 200
    assert got.body["metadata"]["uid"] == metadata["uid"]
    listed = await api.get(PODS)
    assert listed.body["kind"] == "PodList"
    assert [item["metadata"]["name"] for item in listed.body["items"]] == ["web-1"]
    assert int(listed.body["metadata"]["resourceVersion"]) >= int(metadata["resourceVersion"])


async def test_generate_name_and_optimistic_concurrency(api: Api) -> None:
    body = pod("")
    body["metadata"] = {"generateName": "web-"}
    created = await api.post(PODS, body)
    name = created.body["metadata"]["name"]
    assert name.startswith("web-")
    assert len(name) == len("web-") + 5
    stale = dict(created.body)
    fresh = await api.put(
        f"{PODS}/{name}",
        {**created.body, "metadata": {**created.body["metadata"], "labels": {"app": "changed"}}},
    )
    assert fresh.status == 200, fresh.body
    assert fresh.body["metadata"]["resourceVersion"] != created.body["metadata"]["resourceVersion"]
    conflict = await api.put(
        f"{PODS}/{name}", {**stale, "metadata": {**stale["metadata"], "labels": {"app": "again"}}}
    )
    assert conflict.status == 409
    assert conflict.body["reason"] == "Conflict"
    assert conflict.body["message"] == (
        f'Operation cannot be fulfilled on pods "{name}": the object has been modified; please'
        " apply your changes to the latest version and try again"
    )


async def test_deployment_defaults_generation_and_scale(api: Api) -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }
    path = "/apis/apps/v1/namespaces/default/deployments"
    created = await api.post(path, deployment)
    assert created.status == 201, created.body
    spec = created.body["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    assert spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"
    assert created.body["metadata"]["generation"] == 1
    scaled = await api.patch(
        f"{path}/web/scale", {"spec": {"replicas": 3}}, "application/merge-patch+json"
    )
    assert scaled.status == 200, scaled.body
    assert scaled.body["kind"] == "Scale"
    assert scaled.body["spec"]["replicas"] == 3
    assert scaled.body["status"]["selector"] == "app=web"
    after = await api.get(f"{path}/web")
    assert after.body["spec"]["replicas"] == 3
    assert after.body["metadata"]["generation"] == 2
    status_only = await api.patch(
        f"{path}/web/status", {"status": {"replicas": 3}}, "application/merge-patch+json"
    )
    assert status_only.body["metadata"]["generation"] == 2
    assert status_only.body["status"]["replicas"] == 3
    ignored = await api.patch(
        f"{path}/web", {"status": {"replicas": 9}}, "application/merge-patch+json"
    )
    assert ignored.body["status"]["replicas"] == 3


async def test_service_allocation(api: Api) -> None:
    service: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "lb"},
        "spec": {
            "type": "LoadBalancer",
            "externalTrafficPolicy": "Local",
            "selector": {"app": "web"},
            "ports": [{"port": 80, "targetPort": 8080}],
        },
    }
    created = await api.post("/api/v1/namespaces/default/services", service)
    assert created.status == 201, created.body
    spec = created.body["spec"]
    assert ipaddress.ip_address(spec["clusterIP"]).is_loopback  # never an address off the machine
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert 30000 <= spec["ports"][0]["nodePort"] <= 32767
    assert spec["ports"][0]["protocol"] == "TCP"
    assert 30000 <= spec["healthCheckNodePort"] <= 32767
    assert spec["healthCheckNodePort"] != spec["ports"][0]["nodePort"]
    assert created.body["status"] == {"loadBalancer": {}}
    clash = {
        **service,
        "metadata": {"name": "other"},
        "spec": {**service["spec"], "clusterIP": spec["clusterIP"]},
    }
    refused = await api.post("/api/v1/namespaces/default/services", clash)
    assert refused.status == 422
    assert refused.body["details"]["causes"][0]["field"] == "spec.clusterIPs[0]"
