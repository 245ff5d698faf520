"""Acceptance 5: bad requests get the real server's code and reason in a Status, and none of
them hurts the server or what it stores."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.component.cluster.conftest import Api, Reply, example_crd, namespace, pod

PODS = "/api/v1/namespaces/default/pods"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
MERGE = "application/merge-patch+json"
Case = Callable[[Api], Awaitable[Reply]]


def _deployment(name: str, app: str = "web") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"app": app}},
            "template": {
                "metadata": {"labels": {"app": app}},
                "spec": {"containers": [{"name": "c", "image": "i"}]},
            },
        },
    }


async def _stale_update(api: Api) -> Reply:
    current = (await api.get(f"{PODS}/keep")).body
    await api.patch(f"{PODS}/keep", {"metadata": {"labels": {"x": "1"}}}, MERGE)
    return await api.put(f"{PODS}/keep", current)


async def _immutable_selector(api: Api) -> Reply:
    await api.post(DEPLOYMENTS, _deployment("d"))
    return await api.put(f"{DEPLOYMENTS}/d", _deployment("d", app="other"))


async def _terminating_namespace(api: Api) -> Reply:
    await api.post("/api/v1/namespaces", namespace("going"))
    held = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "held", "finalizers": ["example.com/hold"]},
    }
    await api.post("/api/v1/namespaces/going/configmaps", held)
    await api.delete("/api/v1/namespaces/going")
    return await api.post("/api/v1/namespaces/going/pods", pod("late"))


async def _custom_resource_strategic_patch(api: Api) -> Reply:
    crd = example_crd(
        "widgets", "Widget", {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    )
    await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    widgets = "/apis/example.com/v1/namespaces/default/widgets"
    await api.post(
        widgets, {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    )
    return await api.patch(f"{widgets}/w", {"spec": {}}, "application/strategic-merge-patch+json")


CASES: dict[str, tuple[Case, int, str]] = {
    "no token": (lambda a: a.get(PODS, token=""), 401, "Unauthorized"),
    "wrong token": (lambda a: a.get(PODS, token="nope"), 401, "Unauthorized"),
    "invalid name": (lambda a: a.post(PODS, pod("Bad_Name")), 422, "Invalid"),
    "missing containers": (lambda a: a.post(PODS, {**pod("x"), "spec": {}}), 422, "Invalid"),
    "name too long": (lambda a: a.post("/api/v1/namespaces", namespace("n" * 64)), 422, "Invalid"),
    "wrong kind": (lambda a: a.post(PODS, {**pod("x"), "kind": "Service"}), 400, "BadRequest"),
    "wrong apiVersion": (
        lambda a: a.post(PODS, {**pod("x"), "apiVersion": "apps/v1"}),
        400,
        "BadRequest",
    ),
    "bad JSON": (lambda a: a.call("POST", PODS, raw=b'{"kind": "Pod",'), 400, "BadRequest"),
    "body not an object": (lambda a: a.post(PODS, [1, 2]), 400, "BadRequest"),
    "unknown resource": (lambda a: a.get("/api/v1/namespaces/default/gizmos"), 404, "NotFound"),
    "unknown group": (lambda a: a.get("/apis/nope.example.com/v1/things"), 404, "NotFound"),
    "missing object": (lambda a: a.get(f"{PODS}/missing"), 404, "NotFound"),
    "missing namespace": (
        lambda a: a.post("/api/v1/namespaces/ghost/pods", pod("x")),
        404,
        "NotFound",
    ),
    "already exists": (lambda a: a.post(PODS, pod("keep")), 409, "AlreadyExists"),
    "stale resourceVersion": (_stale_update, 409, "Conflict"),
    "precondition uid": (
        lambda a: a.delete(f"{PODS}/keep", {"preconditions": {"uid": "x"}}),
        409,
        "Conflict",
    ),
    "bad json patch": (
        lambda a: a.patch(
            f"{PODS}/keep", [{"op": "remove", "path": "/nope"}], "application/json-patch+json"
        ),
        422,
        "Invalid",
    ),
    "json patch not a list": (
        lambda a: a.patch(f"{PODS}/keep", {"op": "add"}, "application/json-patch+json"),
        422,
        "Invalid",
    ),
    "malformed merge patch": (
        lambda a: a.call("PATCH", f"{PODS}/keep", raw=b"{nope", content_type=MERGE),
        400,
        "BadRequest",
    ),
    "unsupported patch type": (
        lambda a: a.patch(f"{PODS}/keep", {}, "text/plain"),
        415,
        "UnsupportedMediaType",
    ),
    "strategic patch on a CR": (_custom_resource_strategic_patch, 415, "UnsupportedMediaType"),
    "bad label selector": (lambda a: a.get(f"{PODS}?labelSelector=app+in+(web"), 400, "BadRequest"),
    "bad field selector": (
        lambda a: a.get(f"{PODS}?fieldSelector=spec.image%3Dx"),
        400,
        "BadRequest",
    ),
    "oversized body": (
        lambda a: a.call("POST", PODS, raw=b" " * (3 * 1024 * 1024 + 10)),
        413,
        "RequestEntityTooLarge",
    ),
    "POST to an object": (lambda a: a.post(f"{PODS}/keep", pod("keep")), 405, "MethodNotAllowed"),
    "PUT to a collection": (lambda a: a.put(PODS, pod("keep")), 405, "MethodNotAllowed"),
    "protobuf only": (
        lambda a: a.get(PODS, headers={"Accept": "application/vnd.kubernetes.protobuf"}),
        406,
        "NotAcceptable",
    ),
    "strict unknown field": (
        lambda a: a.post(
            f"{PODS}?fieldValidation=Strict",
            {**pod("x"), "spec": {"containers": [{"name": "c", "image": "i", "imagee": "j"}]}},
        ),
        400,
        "BadRequest",
    ),
    "immutable selector": (_immutable_selector, 422, "Invalid"),
    "duplicate service port": (
        lambda a: a.post(
            "/api/v1/namespaces/default/services",
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "dup"},
                "spec": {"ports": [{"name": "a", "port": 80}, {"name": "b", "port": 80}]},
            },
        ),
        422,
        "Invalid",
    ),
    "bad watch resourceVersion": (
        lambda a: a.get(f"{PODS}?watch=1&resourceVersion=abc"),
        400,
        "BadRequest",
    ),
    "name differs from URL": (lambda a: a.put(f"{PODS}/keep", pod("other")), 400, "BadRequest"),
    "bad continue token": (lambda a: a.get(f"{PODS}?limit=1&continue=%%%"), 400, "BadRequest"),
    "bad limit": (lambda a: a.get(f"{PODS}?limit=many"), 400, "BadRequest"),
    "terminating namespace": (_terminating_namespace, 403, "Forbidden"),
    "bad label value": (
        lambda a: a.post(
            PODS, {**pod("x"), "metadata": {"name": "x", "labels": {"app": "not ok!"}}}
        ),
        422,
        "Invalid",
    ),
    "bad annotation key": (
        lambda a: a.post(
            PODS, {**pod("x"), "metadata": {"name": "x", "annotations": {"-bad": "v"}}}
        ),
        422,
        "Invalid",
    ),
    "wrong field type": (
        lambda a: a.post(PODS, {**pod("x"), "spec": {"containers": "c"}}),
        400,
        "BadRequest",
    ),
    "unknown service type": (
        lambda a: a.post(
            "/api/v1/namespaces/default/services",
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "t"},
                "spec": {"type": "Magic", "ports": [{"port": 80}]},
            },
        ),
        422,
        "Invalid",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_bad_request_gets_the_real_status(api: Api, case: str) -> None:
    await api.post(PODS, pod("keep"))
    before = (await api.get(f"{PODS}/keep")).body
    call, code, reason = CASES[case]
    reply = await call(api)
    assert reply.status == code, reply.body
    assert reply.body["kind"] == "Status"
    assert reply.body["status"] == "Failure"
    assert reply.body["reason"] == reason
    assert reply.body["code"] == code
    assert reply.body["message"]
    # The server is still up and nothing stored was lost.
    after = await api.get(f"{PODS}/keep")
    assert after.status == 200
    assert after.body["metadata"]["uid"] == before["metadata"]["uid"]


async def test_error_words_match_the_real_server(api: Api) -> None:
    missing = await api.get(f"{PODS}/missing")
    assert missing.body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "missing" not found',
        "reason": "NotFound",
        "details": {"name": "missing", "kind": "pods"},
        "code": 404,
    }
    invalid = await api.post(PODS, pod("Bad_Name"))
    assert invalid.body["message"].startswith(
        'Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC'
        " 1123 subdomain must consist of"
    )
    assert invalid.body["details"]["causes"][0]["reason"] == "FieldValueInvalid"
    apps = await api.get(f"{DEPLOYMENTS}/missing")
    assert apps.body["message"] == 'deployments.apps "missing" not found'
    assert apps.body["details"] == {"name": "missing", "group": "apps", "kind": "deployments"}
    typed = await api.post(PODS, {**pod("x"), "spec": {"containers": [{"name": "c", "image": 5}]}})
    assert typed.body["message"] == (
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go'
        " struct field Container.spec.containers.image of type string"
    )
    strict = await api.post(f"{PODS}?fieldValidation=Strict", {**pod("x"), "spex": {}})
    assert strict.body["message"] == 'strict decoding error: unknown field "spex"'


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/namespaces/default/configmaps/",
        "/api/v1/namespaces/default/configmaps/%2F",
        "/api/v1/namespaces/default/configmaps//",
        "/api/v1/namespaces/default/pods/",
    ],
)
async def test_delete_with_an_empty_name_never_deletes_the_collection(api: Api, path: str) -> None:
    """A client that builds an item's path from an empty name (kubernetes-client/python #2291)
    is refused, as a path that names nothing: every object of the namespace stays."""
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept"}}
    await api.post("/api/v1/namespaces/default/configmaps", config_map)
    await api.post(PODS, pod("keep"))
    reply = await api.delete(path)
    assert reply.status == 404, reply.body
    assert reply.body["reason"] == "NotFound"
    assert (await api.get("/api/v1/namespaces/default/configmaps/kept")).status == 200
    assert (await api.get(f"{PODS}/keep")).status == 200
    # The collection itself, spelled without the slash, is still the collection.
    listed = await api.get("/api/v1/namespaces/default/configmaps")
    assert [item["metadata"]["name"] for item in listed.body["items"]] == ["kept"]
