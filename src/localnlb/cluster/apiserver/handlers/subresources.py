"""The scale, log, binding and eviction subresources over HTTP."""

from __future__ import annotations

import asyncio

from aiohttp import web

from localnlb.cluster.apiserver.handlers.requests import (
    TRUE,
    int_query,
    manager,
    read_body,
    respond,
)
from localnlb.cluster.apiserver.handlers.routing import Target
from localnlb.cluster.apiserver.objects import status
from localnlb.cluster.apiserver.objects.causes import required
from localnlb.cluster.apiserver.storage import subresource_semantics
from localnlb.cluster.apiserver.storage.registry import PATCH_TYPES, Registry


async def serve_scale(request: web.Request, registry: Registry, target: Target) -> web.Response:
    namespace = target.namespace or ""
    if request.method == "GET":
        return respond(
            request, subresource_semantics.scale_of(registry.get(target.rt, namespace, target.name))
        )
    if request.method not in ("PUT", "PATCH"):
        raise status.method_not_allowed()
    patch_type = None
    if request.method == "PATCH":
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        patch_type = PATCH_TYPES.get(content_type)
        if patch_type is None:
            raise status.unsupported_media_type(
                "application/json-patch+json, application/merge-patch+json"
            )
    body = await read_body(request)
    scale = subresource_semantics.write_scale(
        registry,
        target.rt,
        namespace,
        target.name,
        body=body,
        patch_type=patch_type,
        manager=manager(request),
    )
    return respond(request, scale)


async def serve_log(request: web.Request, registry: Registry, target: Target) -> web.StreamResponse:
    if request.method != "GET":
        raise status.method_not_allowed()
    pod = registry.get(target.rt, target.namespace or "", target.name)
    container = subresource_semantics.choose_container(pod, request.query.get("container", ""))
    previous = request.query.get("previous", "") in TRUE
    if registry.pod_log_dir is None:
        raise subresource_semantics.waiting_error(pod, container)
    path = subresource_semantics.log_path(registry.pod_log_dir, pod, container, previous=previous)
    if not path.exists():
        if previous:
            raise status.bad_request(
                f'previous terminated container "{container}" in pod "{target.name}" not found'
            )
        raise subresource_semantics.waiting_error(pod, container)
    tail = int_query(request, "tailLines")
    limit = int_query(request, "limitBytes")
    data = subresource_semantics.read_log(path, tail_lines=tail, limit_bytes=limit)
    if request.query.get("follow", "") not in TRUE:
        return web.Response(body=data, content_type="text/plain")
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    await response.prepare(request)
    await response.write(data)
    offset = path.stat().st_size
    while registry.store.find("/pods", pod["metadata"]["namespace"], target.name) is not None:
        size = path.stat().st_size if path.exists() else offset
        if size > offset:
            with path.open("rb") as handle:
                handle.seek(offset)
                await response.write(handle.read(size - offset))
            offset = size
        await asyncio.sleep(0.2)
    await response.write_eof()
    return response


async def serve_binding(request: web.Request, registry: Registry, target: Target) -> web.Response:
    """``POST pods/<name>/binding``: how a scheduler assigns a pod to a node."""
    if request.method != "POST":
        raise status.method_not_allowed()
    binding = await read_body(request)
    node = (binding.get("target") or {}).get("name") if isinstance(binding, dict) else None
    if not isinstance(node, str) or not node:
        raise status.invalid(
            "Binding",
            "",
            target.name,
            [required("target.name")],
        )
    subresource_semantics.bind(
        registry, target.rt, target.namespace or "", target.name, node, manager=manager(request)
    )
    return respond(
        request,
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
        code=201,
    )


async def serve_eviction(request: web.Request, registry: Registry, target: Target) -> web.Response:
    """``POST pods/<name>/eviction`` (kubectl drain): no disruption budgets are served here,
    so an eviction is a delete with the Eviction's deleteOptions."""
    if request.method != "POST":
        raise status.method_not_allowed()
    eviction = await read_body(request)
    if not isinstance(eviction, dict):
        raise status.bad_request("the object provided is not a JSON object")
    options = eviction.get("deleteOptions") or {}
    if not isinstance(options, dict):
        raise status.bad_request("deleteOptions must be an object")
    registry.delete(target.rt, target.namespace or "", target.name, options)
    return respond(
        request,
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
        code=201,
    )
