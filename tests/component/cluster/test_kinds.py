"""Kind-specific behaviour over HTTP: Events in two API shapes, quantities, pod logs, CRDs,
server-side apply, paging, discovery and OpenAPI as kubectl reads them."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.storage.subresource_semantics import log_path
from tests.component.cluster.conftest import Api, example_crd, pod

PODS = "/api/v1/namespaces/default/pods"


async def test_events_are_one_object_in_two_shapes(api: Api) -> None:
    new_style = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "web.1"},
        "eventTime": "2026-11-26T10:00:00.000000Z",
        "regarding": {"kind": "Pod", "name": "web", "namespace": "default"},
        "note": "Pulled image",
        "reason": "Pulled",
        "type": "Normal",
        "reportingController": "kubelet",
        "reportingInstance": "node-1",
        "action": "Pull",
    }
    created = await api.post("/apis/events.k8s.io/v1/namespaces/default/events", new_style)
    assert created.status == 201, created.body
    assert created.body["regarding"]["name"] == "web"
    core = await api.get("/api/v1/namespaces/default/events/web.1")
    assert core.body["apiVersion"] == "v1"
    assert core.body["involvedObject"]["name"] == "web"
    assert core.body["message"] == "Pulled image"
    assert core.body["reportingComponent"] == "kubelet"
    selected = await api.get(
        "/api/v1/namespaces/default/events"
        "?fieldSelector=involvedObject.name%3Dweb,involvedObject.kind%3DPod"
    )
    assert [e["metadata"]["name"] for e in selected.body["items"]] == ["web.1"]
    by_regarding = await api.get(
        "/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dweb"
    )
    assert by_regarding.body["items"][0]["note"] == "Pulled image"


async def test_quality_of_service_class(api: Api) -> None:
    body = pod("q")
    body["spec"]["containers"][0]["resources"] = {
        "limits": {"memory": "1.5Gi", "cpu": "1000m"},
        "requests": {"cpu": "1"},
    }
    created = await api.post(PODS, body)
    assert created.body["status"]["qosClass"] == "Guaranteed"
    # Quantities are kept as written, so re-applying a manifest finds nothing to change.
    assert created.body["spec"]["containers"][0]["resources"]["limits"]["memory"] == "1.5Gi"
    body["metadata"]["name"] = "r"
    body["spec"]["containers"][0]["resources"]["requests"] = {"cpu": "250m"}
    assert (await api.post(PODS, body)).body["status"]["qosClass"] == "Burstable"
    # Requests equal limits in value, whatever the spelling: exponent against suffix.
    body["metadata"]["name"] = "s"
    body["spec"]["containers"][0]["resources"] = {
        "limits": {"memory": "1G", "cpu": "1"},
        "requests": {"memory": "1e9", "cpu": "1000m"},
    }
    assert (await api.post(PODS, body)).body["status"]["qosClass"] == "Guaranteed"


async def test_pod_log_contract(api: Api) -> None:
    created = await api.post(PODS, pod("logger"))
    waiting = await api.get(f"{PODS}/logger/log")
    assert waiting.status == 400
    assert waiting.body["message"] == (
        'container "c" in pod "logger" is waiting to start: ContainerCreating'
    )
    path = log_path(api.server.state_dir / "pods", created.body, "c")
    path.parent.mkdir(parents=True)
    path.write_text("one\ntwo\nthree\n")
    full = await api.get(f"{PODS}/logger/log")
    assert full.status == 200
    assert full.body == "one\ntwo\nthree\n"
    tail = await api.get(f"{PODS}/logger/log?tailLines=1")
    assert tail.body == "three\n"
    wrong = await api.get(f"{PODS}/logger/log?container=nope")
    assert wrong.status == 400
    assert wrong.body["message"] == "container nope is not valid for pod logger"
    missing = await api.get(f"{PODS}/ghost/log")
    assert missing.status == 404


async def test_custom_resources_from_a_crd(api: Api) -> None:
    crd = example_crd(
        "widgets",
        "Widget",
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "required": ["size"],
                    "properties": {"size": {"type": "integer"}},
                },
                "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}},
            },
        },
        short_names=("wd",),
        subresources={"status": {}},
    )
    created = await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    assert created.status == 201, created.body
    conditions = {c["type"]: c["status"] for c in created.body["status"]["conditions"]}
    assert conditions == {"NamesAccepted": "True", "Established": "True"}
    discovery = await api.get("/apis/example.com/v1")
    names = [r["name"] for r in discovery.body["resources"]]
    assert names == ["widgets", "widgets/status"]
    widgets = "/apis/example.com/v1/namespaces/default/widgets"
    widget: dict[str, Any] = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"size": 2},
        "status": {"ready": True},
    }
    made = await api.post(widgets, widget)
    assert made.status == 201, made.body
    assert "status" not in made.body
    assert made.body["metadata"]["generation"] == 1
    bad = await api.post(widgets, {**widget, "metadata": {"name": "b"}, "spec": {"size": "x"}})
    assert bad.status == 422
    assert bad.body["details"]["causes"][0]["field"] == "spec.size"
    status = await api.patch(
        f"{widgets}/w/status", {"status": {"ready": True}}, "application/merge-patch+json"
    )
    assert status.body["status"] == {"ready": True}
    assert status.body["metadata"]["generation"] == 1
    bumped = await api.patch(f"{widgets}/w", {"spec": {"size": 3}}, "application/merge-patch+json")
    assert bumped.body["metadata"]["generation"] == 2


async def test_server_side_apply_owns_fields(api: Api) -> None:
    path = "/api/v1/namespaces/default/configmaps/applied"
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "applied"},
        "data": {"a": "1", "b": "1"},
    }
    apply = "application/apply-patch+yaml"
    created = await api.patch(f"{path}?fieldManager=alice", body, apply)
    assert created.status == 201
    entry = created.body["metadata"]["managedFields"][0]
    assert (entry["manager"], entry["operation"]) == ("alice", "Apply")
    assert entry["fieldsV1"] == {"f:data": {"f:a": {}, "f:b": {}}}
    # Another manager changes a field alice applied: a conflict unless forced.
    conflict = await api.patch(f"{path}?fieldManager=bob", {**body, "data": {"a": "2"}}, apply)
    assert conflict.status == 409
    assert conflict.body["reason"] == "Conflict"
    assert conflict.body["message"] == (
        'Apply failed with 1 conflict: conflict with "alice" using v1: .data.a'
    )
    assert conflict.body["details"]["causes"][0]["reason"] == "FieldManagerConflict"
    shared = await api.patch(f"{path}?fieldManager=bob", {**body, "data": {"b": "1"}}, apply)
    assert shared.status == 200  # same value: shared ownership, no conflict
    forced = await api.patch(
        f"{path}?fieldManager=bob&force=true", {**body, "data": {"a": "2", "b": "1"}}, apply
    )
    assert forced.body["data"] == {"a": "2", "b": "1"}
    # alice applies without b: bob still owns b, so it stays; then bob lets go of b too.
    alice = await api.patch(f"{path}?fieldManager=alice", {**body, "data": {"c": "3"}}, apply)
    assert alice.body["data"] == {"a": "2", "b": "1", "c": "3"}
    bob = await api.patch(f"{path}?fieldManager=bob", {**body, "data": {}}, apply)
    assert bob.body["data"] == {"c": "3"}
    unnamed = await api.patch(path, body, apply)
    assert unnamed.status == 400


async def test_client_side_updates_own_what_they_change(api: Api) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    await api.post(
        f"{path}?fieldManager=creator",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cm"},
            "data": {"a": "1", "b": "1"},
        },
    )
    changed = await api.patch(
        f"{path}/cm?fieldManager=editor", {"data": {"b": "2"}}, "application/merge-patch+json"
    )
    owners = {e["manager"]: e["fieldsV1"] for e in changed.body["metadata"]["managedFields"]}
    assert owners == {"creator": {"f:data": {"f:a": {}}}, "editor": {"f:data": {"f:b": {}}}}


async def test_paging_with_limit_and_continue(api: Api) -> None:
    for index in range(5):
        await api.post(PODS, pod(f"p{index}"))
    first = await api.get(f"{PODS}?limit=2")
    assert [p["metadata"]["name"] for p in first.body["items"]] == ["p0", "p1"]
    token = first.body["metadata"]["continue"]
    assert first.body["metadata"]["remainingItemCount"] == 3
    rest = await api.get(f"{PODS}?limit=10&continue={token}")
    assert [p["metadata"]["name"] for p in rest.body["items"]] == ["p2", "p3", "p4"]
    assert "continue" not in rest.body["metadata"]


async def test_discovery_and_openapi_as_kubectl_reads_them(api: Api) -> None:
    aggregated = await api.get(
        "/apis",
        headers={
            "Accept": (
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                "application/json"
            )
        },
    )
    assert aggregated.headers["Content-Type"] == (
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    )
    groups = [item["metadata"]["name"] for item in aggregated.body["items"]]
    assert groups[:2] == ["apps", "events.k8s.io"]
    apps = aggregated.body["items"][0]["versions"][0]["resources"]
    deployments = next(r for r in apps if r["resource"] == "deployments")
    assert deployments["scope"] == "Namespaced"
    assert {s["subresource"] for s in deployments["subresources"]} == {"status", "scale"}
    plain = await api.get("/api/v1")
    assert plain.body["kind"] == "APIResourceList"
    version = await api.get("/version", token="")
    assert version.status == 200
    assert version.body["gitVersion"].startswith("v1.31.")
    index = await api.get("/openapi/v3")
    url = index.body["paths"]["apis/apps/v1"]["serverRelativeURL"]
    document = await api.get(url)
    schemas = document.body["components"]["schemas"]
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    patch = document.body["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"][
        "patch"
    ]
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]
    assert patch["x-kubernetes-group-version-kind"] == {
        "group": "apps",
        "version": "v1",
        "kind": "Deployment",
    }


async def test_dry_run_changes_nothing(api: Api) -> None:
    created = await api.post(f"{PODS}?dryRun=All", pod("dry"))
    assert created.status == 201
    assert (await api.get(f"{PODS}/dry")).status == 404
    await api.post(PODS, pod("kept"))
    deleted = await api.delete(f"{PODS}/kept?dryRun=All")
    assert deleted.status == 200
    assert (await api.get(f"{PODS}/kept")).status == 200
    in_body = await api.delete(
        f"{PODS}/kept", {"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]}
    )
    assert in_body.status == 200
    assert (await api.get(f"{PODS}/kept")).status == 200
    collection = await api.delete(f"{PODS}?dryRun=All")
    assert [p["metadata"]["name"] for p in collection.body["items"]] == ["kept"]
    assert (await api.get(f"{PODS}/kept")).status == 200


async def test_namespace_finalize_subresource(api: Api) -> None:
    created = await api.post(
        "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "f"}}
    )
    assert created.body["spec"] == {"finalizers": ["kubernetes"]}
    assert created.body["status"] == {"phase": "Active"}
    body = {**created.body, "spec": {"finalizers": []}, "status": {"phase": "Bogus"}}
    finalized = await api.put("/api/v1/namespaces/f/finalize", body)
    assert finalized.status == 200, finalized.body
    assert finalized.body["spec"] == {"finalizers": []}
    assert finalized.body["status"] == {"phase": "Active"}


async def test_unknown_fields_are_dropped_with_a_warning(api: Api) -> None:
    body = pod("u")
    body["spec"]["containers"][0]["imagee"] = "typo"
    created = await api.post(PODS, body)
    assert created.status == 201
    assert "imagee" not in created.body["spec"]["containers"][0]
    assert created.headers["Warning"] == ('299 - "unknown field \\"spec.containers[0].imagee\\""')
    ignored = await api.post(f"{PODS}?fieldValidation=Ignore", {**pod("v"), "extra": 1})
    assert "Warning" not in ignored.headers
    assert "extra" not in ignored.body


async def test_custom_resources_are_pruned_and_defaulted(api: Api) -> None:
    crd = example_crd(
        "gadgets",
        "Gadget",
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "mode": {"type": "string", "default": "fast"},
                        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                    },
                }
            },
        },
    )
    await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    made = await api.post(
        "/apis/example.com/v1/namespaces/default/gadgets",
        {
            "apiVersion": "example.com/v1",
            "kind": "Gadget",
            "metadata": {"name": "g"},
            "spec": {"unknown": 1, "free": {"anything": [1]}},
            "top": True,
        },
    )
    assert made.status == 201, made.body
    assert made.body["spec"] == {"mode": "fast", "free": {"anything": [1]}}
    assert "top" not in made.body


async def test_empty_optional_lists_and_maps_are_not_kept(api: Api) -> None:
    body = pod("e")
    body["metadata"].update({"annotations": {}, "finalizers": []})
    body["spec"]["containers"][0]["env"] = []
    created = await api.post(PODS, body)
    assert "annotations" not in created.body["metadata"]
    assert "finalizers" not in created.body["metadata"]
    assert "env" not in created.body["spec"]["containers"][0]
    assert created.body["spec"]["securityContext"] == {}  # structs stay, even empty


async def test_client_rewrites_managed_fields(api: Api) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    created = await api.post(
        f"{path}?fieldManager=old",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}, "data": {"a": "1"}},
    )
    entry = created.body["metadata"]["managedFields"][0]
    rewritten = await api.patch(
        f"{path}/m",
        [
            {
                "op": "replace",
                "path": "/metadata/managedFields",
                "value": [{**entry, "manager": "new", "operation": "Apply"}],
            }
        ],
        "application/json-patch+json",
    )
    managers = [(e["manager"], e["operation"]) for e in rewritten.body["metadata"]["managedFields"]]
    assert ("new", "Apply") in managers
    assert ("old", "Update") not in managers


async def test_binding_assigns_a_node_once(api: Api) -> None:
    await api.post(PODS, pod("b"))
    binding = {
        "apiVersion": "v1",
        "kind": "Binding",
        "metadata": {"name": "b"},
        "target": {"apiVersion": "v1", "kind": "Node", "name": "node-a"},
    }
    bound = await api.post(f"{PODS}/b/binding", binding)
    assert bound.status == 201
    assert bound.body["status"] == "Success"
    got = (await api.get(f"{PODS}/b")).body
    assert got["spec"]["nodeName"] == "node-a"
    assert got["status"]["conditions"][0]["type"] == "PodScheduled"
    again = await api.post(f"{PODS}/b/binding", {**binding, "target": {"name": "node-b"}})
    assert again.status == 409
    assert again.body["message"] == (
        'Operation cannot be fulfilled on pods "b": pod b is already assigned to node "node-a"'
    )
    moved = await api.patch(
        f"{PODS}/b", {"spec": {"nodeName": "node-b"}}, "application/merge-patch+json"
    )
    assert moved.status == 422


async def test_metadata_only_responses(api: Api) -> None:
    await api.post(PODS, pod("meta"))
    accept = {
        "Accept": "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,"
        "application/json"
    }
    listed = await api.get(PODS, headers=accept)
    assert listed.body["kind"] == "PartialObjectMetadataList"
    assert listed.body["items"][0] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": listed.body["items"][0]["metadata"],
    }
    assert listed.body["items"][0]["metadata"]["name"] == "meta"
    one = await api.get(
        f"{PODS}/meta",
        headers={"Accept": "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"},
    )
    assert one.body["kind"] == "PartialObjectMetadata"
    assert "spec" not in one.body


async def test_self_reviews_are_answered_not_stored(api: Api) -> None:
    review = await api.post(
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}},
        },
    )
    assert review.status == 201
    assert review.body["status"]["allowed"] is True
    listed = await api.get("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
    assert listed.status == 405
    assert listed.body["reason"] == "MethodNotAllowed"
