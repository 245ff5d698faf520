"""Issue 21 items 5, 10 and 11: bodies that once held the server or answered 500 (alias bombs,
self-referencing aliases, YAML timestamps, deep nesting, a non-ASCII token) get a 400/401
Status at once, and a write answered with an error is never stored (406, control characters)."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import pytest

from localnlb.cluster.apiserver.decoding.yaml_bodies import MAX_DEPTH
from tests.component.cluster.conftest import Api, pod

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"
PODS = "/api/v1/namespaces/default/pods"
YAML = "application/yaml"


def alias_bomb(levels: int = 9) -> bytes:
    """The "billion laughs": each level an anchor listing nine aliases of the one before."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        aliases = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return ("\n".join(lines) + "\n").encode()


def configmap_yaml(name: str, data: str) -> bytes:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{data}".encode()


async def test_a_yaml_alias_bomb_is_refused_in_milliseconds_without_memory(api: Api) -> None:
    bomb = configmap_yaml("bomb", alias_bomb().decode())
    assert len(bomb) < 600  # 9^9 "lol"s once expanded
    tracemalloc.start()
    started = time.perf_counter()
    try:
        reply = await api.call("POST", CONFIGMAPS, raw=bomb, content_type=YAML)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reply.status == 400, reply.body
    assert reply.body["message"] == (
        "error converting YAML to JSON: yaml: document contains excessive aliasing"
    )
    assert elapsed < 0.5, elapsed
    assert peak < 20 * 1024 * 1024, peak
    assert (await api.get(f"{CONFIGMAPS}/bomb")).status == 404


async def test_moderate_aliases_are_expanded_as_json(api: Api) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  labels: &l {app: web}\n"
    body += b"  annotations: *l\ndata: {a: b}\n"
    reply = await api.call("POST", CONFIGMAPS, raw=body, content_type=YAML)
    assert reply.status == 201, reply.body
    assert reply.body["metadata"]["annotations"] == {"app": "web"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "data: &d {a: *d}\n",
            "error converting YAML to JSON: yaml: anchor 'd' value contains itself",
        ),
        (
            "data: &d [*d]\n",
            "error converting YAML to JSON: yaml: anchor 'd' value contains itself",
        ),
        (
            "data: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n",
            f"error converting YAML to JSON: yaml: exceeded max depth of {MAX_DEPTH}",
        ),
        ("data: {a: .nan}\n", "error converting YAML to JSON: json: unsupported value: nan"),
    ],
)
async def test_unconvertible_yaml_is_a_400(api: Api, data: str, message: str) -> None:
    reply = await api.call("POST", CONFIGMAPS, raw=configmap_yaml("y", data), content_type=YAML)
    assert (reply.status, reply.body["reason"], reply.body["message"]) == (
        400,
        "BadRequest",
        message,
    )
    assert (await api.get(f"{CONFIGMAPS}/y")).status == 404


async def test_a_yaml_timestamp_is_a_string(api: Api) -> None:
    body = configmap_yaml("dates", "data:\n  day: 2024-01-01\n  at: 2001-12-14t21:59:43.10-05:00\n")
    reply = await api.call("POST", CONFIGMAPS, raw=body, content_type=YAML)
    assert reply.status == 201, reply.body
    assert reply.body["data"] == {"day": "2024-01-01", "at": "2001-12-14t21:59:43.10-05:00"}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 10_001, 100_000])
async def test_deeply_nested_json_is_a_400(api: Api, depth: int) -> None:
    nested = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":'
    nested += b"[" * depth + b"]" * depth + b"}"
    reply = await api.call("POST", CONFIGMAPS, raw=nested)
    assert (reply.status, reply.body["message"]) == (
        400,
        f"couldn't get version/kind; json parse error: exceeded max depth of {MAX_DEPTH}",
    )


async def test_json_nested_within_the_bound_is_served(api: Api) -> None:
    inner: Any = "leaf"
    for _ in range(MAX_DEPTH - 4):
        inner = {"x": inner}
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nested"}, "x": inner}
    reply = await api.post(CONFIGMAPS, body)
    assert reply.status == 201, reply.body


@pytest.mark.parametrize("token", ["é", "tökén", "\u2603" * 40])
async def test_a_non_ascii_bearer_token_is_a_401(api: Api, token: str) -> None:
    reply = await api.call(
        "POST", PODS, raw=pod("p").__repr__().encode(), headers={"Authorization": f"Bearer {token}"}
    )
    assert (reply.status, reply.body["reason"]) == (401, "Unauthorized")


async def test_an_unacceptable_accept_is_refused_before_the_create_is_stored(api: Api) -> None:
    reply = await api.post(CONFIGMAPS, _configmap("nope"), headers={"Accept": "application/x-nope"})
    assert (reply.status, reply.body["reason"]) == (406, "NotAcceptable")
    assert (await api.get(f"{CONFIGMAPS}/nope")).status == 404


async def test_an_unacceptable_accept_changes_nothing_on_update_or_delete(api: Api) -> None:
    assert (await api.post(CONFIGMAPS, _configmap("kept"))).status == 201
    changed = _configmap("kept")
    changed["data"] = {"a": "changed"}
    refused = {"Accept": "application/vnd.kubernetes.protobuf"}
    assert (await api.put(f"{CONFIGMAPS}/kept", changed, headers=refused)).status == 406
    assert (await api.delete(f"{CONFIGMAPS}/kept", headers=refused)).status == 406
    stored = await api.get(f"{CONFIGMAPS}/kept")
    assert stored.status == 200
    assert stored.body["data"] == {"a": "b"}


async def test_a_table_accept_still_answers_a_create(api: Api) -> None:
    table = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}
    reply = await api.post(CONFIGMAPS, _configmap("tabled"), headers=table)
    assert (reply.status, reply.body["kind"]) == (201, "Table")


@pytest.mark.parametrize("field", ["a\nb", "a\rb", "bell\x07", "del\x7f"])
async def test_an_unknown_field_with_a_control_character_is_refused_unstored(
    api: Api, field: str
) -> None:
    body = _configmap("ctl")
    body[field] = "x"
    reply = await api.post(CONFIGMAPS, body)
    assert (reply.status, reply.body["reason"]) == (400, "BadRequest")
    assert "control characters" in reply.body["message"]
    assert (await api.get(f"{CONFIGMAPS}/ctl")).status == 404


def _configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "b"}}
