"""Arbitrary bodies, patches and query strings never get a 500, a hang or a traceback, and
never damage what is stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.component.cluster.conftest import Api, example_crd, pod

PODS = "/api/v1/namespaces/default/pods"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "apiVersion",
                    "kind",
                    "metadata",
                    "spec",
                    "status",
                    "name",
                    "containers",
                    "op",
                    "path",
                    "value",
                    "$patch",
                    "labels",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)
paths = st.sampled_from(
    [
        PODS,
        f"{PODS}/keep",
        f"{PODS}/keep/status",
        "/api/v1/namespaces",
        "/apis/apps/v1/namespaces/default/deployments",
        "/api/v1/namespaces/default/services",
        "/apis/apps/v1/namespaces/default/deployments/d/scale",
        f"{PODS}/keep/log",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    ]
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/yaml",
        "application/merge-patch+json",
        "application/json-patch+json",
        "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
        "text/plain",
    ]
)
queries = st.sampled_from(
    [
        "",
        "?labelSelector=a%20in%20(",
        "?fieldSelector=x",
        "?watch=1&resourceVersion=-5",
        "?limit=-1",
        "?dryRun=All",
        "?fieldValidation=Strict",
        "?fieldManager=",
        "?continue=e30=",
        "?gracePeriodSeconds=-3",
        "?propagationPolicy=Nope",
        "?timeoutSeconds=0&watch=1",
    ]
)


@pytest.mark.timeout(120)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    path=paths,
    query=queries,
    body=json_values,
    content_type=content_types,
)
async def test_no_input_gets_a_server_error(
    api: Api, method: str, path: str, query: str, body: Any, content_type: str
) -> None:
    if (await api.get(f"{PODS}/keep")).status == 404:
        await api.post(PODS, pod("keep"))
    reply = await api.call(
        method, path + query, raw=json.dumps(body).encode(), content_type=content_type
    )
    assert reply.status < 500, reply.body
    if reply.status >= 400:
        assert reply.body["kind"] == "Status"
        assert reply.body["code"] == reply.status
    assert (await api.get("/api/v1/namespaces/default")).status == 200


def _deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "d"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {
                "metadata": {"labels": {"app": "d"}},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "i",
                            "ports": [{"containerPort": 80}],
                            "env": [{"name": "A", "value": "1"}],
                            "resources": {"limits": {"cpu": "1"}},
                            "livenessProbe": {"httpGet": {"port": 80}},
                        }
                    ],
                    "volumes": [{"name": "v", "configMap": {"name": "x"}}],
                },
            },
        },
    }


def _service() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "labels": {"a": "b"}},
        "spec": {
            "type": "LoadBalancer",
            "externalTrafficPolicy": "Local",
            "selector": {"app": "d"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30001}],
        },
    }


def _crd() -> dict[str, Any]:
    return example_crd(
        "widgets",
        "Widget",
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "size": {"type": "integer", "default": 1},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                }
            },
        },
        short_names=("wd",),
        subresources={"status": {}},
        additionalPrinterColumns=[{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
    )


TEMPLATES: dict[str, Callable[[], dict[str, Any]]] = {
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions": _crd,
    "/api/v1/nodes": lambda: {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n"},
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
        },
    },
    "/apis/events.k8s.io/v1/namespaces/default/events": lambda: {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "e"},
        "eventTime": "2026-11-26T10:00:00.000000Z",
        "regarding": {"kind": "Pod", "name": "p"},
        "note": "n",
        "reason": "r",
        "type": "Normal",
        "series": {"count": 2},
    },
    "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices": lambda: {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": "es"},
        "addressType": "IPv4",
        "ports": [{"port": 80}],
        "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": True}}],
    },
    "/api/v1/namespaces/default/configmaps": lambda: {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cm", "finalizers": ["x/y"]},
        "data": {"a": "b"},
    },
    "/apis/apps/v1/namespaces/default/deployments": _deployment,
    "/api/v1/namespaces/default/services": _service,
    PODS: lambda: pod("m", nodeName="n", readinessGates=[{"conditionType": "x"}]),
}


def _mutate(document: Any, path: list[int], value: Any) -> Any:
    """Replace the subtree that ``path`` (indexes into keys/items) leads to with ``value``."""
    if not path or not isinstance(document, dict | list) or not document:
        return value
    if isinstance(document, dict):
        key = sorted(document)[path[0] % len(document)]
        return {**document, key: _mutate(document[key], path[1:], value)}
    index = path[0] % len(document)
    return [*document[:index], _mutate(document[index], path[1:], value), *document[index + 1 :]]


@pytest.mark.timeout(120)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    collection=st.sampled_from(sorted(TEMPLATES)),
    path=st.lists(st.integers(0, 9), max_size=8),
    value=json_values,
    verb=st.sampled_from(["create", "update", "patch"]),
)
async def test_malformed_objects_never_get_a_server_error(
    api: Api, collection: str, path: list[int], value: Any, verb: str
) -> None:
    template = TEMPLATES[collection]()
    body = _mutate(template, path, value)
    if verb == "create":
        reply = await api.post(collection, body)
    else:
        name = template["metadata"]["name"]
        await api.post(collection, template)
        if verb == "update":
            reply = await api.put(f"{collection}/{name}", body)
        else:
            reply = await api.patch(
                f"{collection}/{name}", body, "application/strategic-merge-patch+json"
            )
    assert reply.status < 500, (reply.body, body)
    listed = await api.get(
        collection, headers={"Accept": "application/json;as=Table;g=meta.k8s.io;v=v1"}
    )
    assert listed.status == 200, listed.body
    name = template["metadata"]["name"]
    await api.patch(
        f"{collection}/{name}", {"metadata": {"finalizers": None}}, "application/merge-patch+json"
    )
    await api.delete(f"{collection}/{name}")
