"""HTTP verbs on resources: list/watch/get/create/update/patch/delete/deletecollection and
the status, scale and log subresources, each a thin translation onto the :class:`Registry`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from localnlb.cluster.apiserver import negotiation, status, subresources, tables
from localnlb.cluster.apiserver.negotiation import Output
from localnlb.cluster.apiserver.registry import PATCH_TYPES, Registry
from localnlb.cluster.apiserver.routing import Target, resolve
from localnlb.cluster.apiserver.strict import unknown_fields
from localnlb.cluster.apiserver.watching import WatchOptions, WatchStream

JsonObject = dict[str, Any]
REGISTRY_KEY = web.AppKey("registry", Registry)
BOOKMARK_INTERVAL_KEY = web.AppKey("bookmark_interval", float)
_TRUE = ("true", "1")


def respond(
    request: web.Request, obj: Any, *, code: int = 200, output: Output | None = None
) -> web.Response:
    chosen = output or negotiation.choose_output(request.headers.get("Accept", ""), table=False)
    body, content_type = negotiation.encode(obj, chosen)
    return web.Response(status=code, body=body, headers={"Content-Type": content_type})


def _manager(request: web.Request) -> str:
    manager = request.query.get("fieldManager")
    if manager:
        if len(manager) > 128:
            raise status.bad_request(
                "fieldManager: Invalid value: must be no more than 128 characters"
            )
        return manager
    agent = request.headers.get("User-Agent", "unknown")
    return agent.split("/")[0][:128] or "unknown"


def _dry_run(request: web.Request) -> bool:
    values = request.query.getall("dryRun", [])
    for value in values:
        if value != "All":
            raise status.bad_request(f'Invalid dry run value: "{value}"; supported: "All"')
    return bool(values)


async def _body(request: web.Request) -> Any:
    declared = request.content_length
    if declared is not None and declared > negotiation.MAX_BODY_BYTES:
        raise status.too_large(negotiation.MAX_BODY_BYTES)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise status.too_large(negotiation.MAX_BODY_BYTES) from None
    return negotiation.decode_body(raw, request.headers.get("Content-Type", "application/json"))


def _check_strict(request: web.Request, target: Target, body: Any) -> None:
    directive = request.query.get("fieldValidation", "")
    if directive not in ("", "Ignore", "Warn", "Strict"):
        raise status.bad_request(
            f'fieldValidation: Unsupported value: "{directive}":'
            ' supported values: "Ignore", "Strict", "Warn"'
        )
    if directive == "Strict" and isinstance(body, dict):
        unknown = unknown_fields(target.rt, body)
        if unknown:
            detail = ", ".join(f'unknown field "{field}"' for field in unknown)
            raise status.bad_request(f"strict decoding error: {detail}")


def _int_query(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise status.bad_request(f'{name}: Invalid value: "{value}": must be an integer') from None


async def resource(request: web.Request) -> web.StreamResponse:
    registry = request.app[REGISTRY_KEY]
    info = request.match_info
    group = info.get("group", "")
    parts = [p for p in info["path"].split("/") if p]
    target = resolve(registry.catalog, group, info["version"], parts)
    method = request.method
    if target.subresource == "log":
        return await _log(request, registry, target)
    if target.subresource == "scale":
        return await _scale(request, registry, target)
    if not target.name:
        if method == "GET":
            if request.query.get("watch", "") in _TRUE:
                return await _watch(request, registry, target)
            return _list(request, registry, target)
        if method == "POST":
            return await _create(request, registry, target)
        if method == "DELETE":
            return await _delete_collection(request, registry, target)
        raise status.method_not_allowed()
    namespace = target.namespace or ""
    if method == "GET":
        obj = registry.get(target.rt, namespace, target.name)
        return _object_response(request, registry, target, obj)
    if method == "PUT":
        body = await _body(request)
        _check_strict(request, target, body)
        subresource = "status" if target.subresource in ("status", "finalize") else ""
        if target.subresource == "finalize" and isinstance(body, dict):
            body.setdefault("metadata", {})
        obj = registry.update(
            target.rt,
            namespace,
            target.name,
            body,
            subresource=subresource,
            manager=_manager(request),
            dry_run=_dry_run(request),
        )
        return _object_response(request, registry, target, obj)
    if method == "PATCH":
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        patch_type = PATCH_TYPES.get(content_type)
        if patch_type is None:
            raise status.unsupported_media_type(
                "application/json-patch+json, application/merge-patch+json,"
                " application/apply-patch+yaml"
                + ("" if target.rt.is_custom else ", application/strategic-merge-patch+json")
            )
        body = await _body(request)
        if patch_type == "apply":
            if not request.query.get("fieldManager"):
                raise status.bad_request(
                    "PATCH, application/apply-patch+yaml requires fieldManager to be set"
                )
            _check_strict(request, target, body)
        obj, created = registry.patch(
            target.rt,
            namespace,
            target.name,
            body,
            patch_type=patch_type,
            subresource=target.subresource,
            manager=_manager(request),
            force=request.query.get("force", "") in _TRUE,
            dry_run=_dry_run(request),
        )
        return _object_response(request, registry, target, obj, code=201 if created else 200)
    if method == "DELETE":
        options = await _delete_options(request)
        obj, gone = registry.delete(target.rt, namespace, target.name, options)
        return _object_response(request, registry, target, obj, code=200 if gone else 202)
    if method == "POST":
        raise status.method_not_allowed()
    raise status.method_not_allowed()


def _object_response(
    request: web.Request, registry: Registry, target: Target, obj: JsonObject, *, code: int = 200
) -> web.Response:
    output = negotiation.choose_output(request.headers.get("Accept", ""))
    if output is Output.TABLE:
        table = tables.to_table(
            target.rt,
            [obj],
            now=registry.clock.wall(),
            list_metadata={"resourceVersion": obj["metadata"].get("resourceVersion", "")},
            include_object=request.query.get("includeObject", "Metadata"),
        )
        return respond(request, table, code=code, output=Output.JSON)
    return respond(request, obj, code=code, output=output)


def _list(request: web.Request, registry: Registry, target: Target) -> web.Response:
    output = negotiation.choose_output(request.headers.get("Accept", ""))
    listed = registry.list(
        target.rt,
        target.namespace,
        label_selector=request.query.get("labelSelector", ""),
        field_selector=request.query.get("fieldSelector", ""),
        limit=_int_query(request, "limit") or 0,
        continue_token=request.query.get("continue", ""),
    )
    if output is Output.TABLE:
        table = tables.to_table(
            target.rt,
            listed["items"],
            now=registry.clock.wall(),
            list_metadata=listed["metadata"],
            include_object=request.query.get("includeObject", "Metadata"),
        )
        return respond(request, table, output=Output.JSON)
    return respond(request, listed, output=output)


async def _create(request: web.Request, registry: Registry, target: Target) -> web.Response:
    body = await _body(request)
    _check_strict(request, target, body)
    obj = registry.create(
        target.rt,
        target.namespace or "",
        body,
        manager=_manager(request),
        dry_run=_dry_run(request),
    )
    return _object_response(request, registry, target, obj, code=201)


async def _delete_options(request: web.Request) -> JsonObject:
    options: JsonObject = {}
    if request.can_read_body:
        raw = await request.read()
        if raw.strip():
            decoded = negotiation.decode_body(raw, "application/json")
            if not isinstance(decoded, dict):
                raise status.bad_request("the body of the request was not a DeleteOptions")
            options = decoded
    if "propagationPolicy" in request.query:
        options["propagationPolicy"] = request.query["propagationPolicy"]
    grace = _int_query(request, "gracePeriodSeconds")
    if grace is not None:
        options["gracePeriodSeconds"] = grace
    return options


async def _delete_collection(
    request: web.Request, registry: Registry, target: Target
) -> web.Response:
    if "deletecollection" not in target.rt.verbs:
        raise status.method_not_allowed()
    options = await _delete_options(request)
    listed = registry.delete_collection(
        target.rt,
        target.namespace,
        options,
        label_selector=request.query.get("labelSelector", ""),
        field_selector=request.query.get("fieldSelector", ""),
    )
    return respond(request, listed)


async def _watch(request: web.Request, registry: Registry, target: Target) -> web.StreamResponse:
    output = negotiation.choose_output(request.headers.get("Accept", ""))
    timeout = _int_query(request, "timeoutSeconds")
    initial = request.query.get("sendInitialEvents")
    options = WatchOptions(
        resource_version=request.query.get("resourceVersion", ""),
        label_selector=request.query.get("labelSelector", ""),
        field_selector=request.query.get("fieldSelector", ""),
        bookmarks=request.query.get("allowWatchBookmarks", "") in _TRUE,
        send_initial_events=None if initial is None else initial in _TRUE,
        timeout=float(timeout) if timeout is not None else 1800.0,
        bookmark_interval=request.app[BOOKMARK_INTERVAL_KEY],
    )
    stream = WatchStream(registry, target.rt, target.namespace, options)
    response = web.StreamResponse(
        status=200,
        headers={"Content-Type": "application/json", "Cache-Control": "no-cache, private"},
    )
    response.enable_chunked_encoding()
    include = request.query.get("includeObject", "Metadata")
    with_columns = True
    events = stream.events()
    try:
        await response.prepare(request)
        async for event in events:
            if output is Output.TABLE and event["type"] in ("ADDED", "MODIFIED", "DELETED"):
                obj = event["object"]
                event = {
                    "type": event["type"],
                    "object": tables.to_table(
                        target.rt,
                        [obj],
                        now=registry.clock.wall(),
                        list_metadata={
                            "resourceVersion": obj["metadata"].get("resourceVersion", "")
                        },
                        include_object=include,
                        with_columns=with_columns,
                    ),
                }
                with_columns = False
            await response.write(json.dumps(event, separators=(",", ":")).encode() + b"\n")
        await response.write_eof()
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        await events.aclose()
        stream.close()
    return response


async def _scale(request: web.Request, registry: Registry, target: Target) -> web.Response:
    namespace = target.namespace or ""
    if request.method == "GET":
        return respond(
            request, subresources.scale_of(registry.get(target.rt, namespace, target.name))
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
    body = await _body(request)
    scale = subresources.write_scale(
        registry,
        target.rt,
        namespace,
        target.name,
        body=body,
        patch_type=patch_type,
        manager=_manager(request),
    )
    return respond(request, scale)


async def _log(request: web.Request, registry: Registry, target: Target) -> web.StreamResponse:
    if request.method != "GET":
        raise status.method_not_allowed()
    pod = registry.get(target.rt, target.namespace or "", target.name)
    container = subresources.choose_container(pod, request.query.get("container", ""))
    previous = request.query.get("previous", "") in _TRUE
    if registry.pod_log_dir is None:
        raise subresources.waiting_error(pod, container)
    path = subresources.log_path(registry.pod_log_dir, pod, container, previous=previous)
    if not path.exists():
        if previous:
            raise status.bad_request(
                f'previous terminated container "{container}" in pod "{target.name}" not found'
            )
        raise subresources.waiting_error(pod, container)
    tail = _int_query(request, "tailLines")
    limit = _int_query(request, "limitBytes")
    data = subresources.read_log(path, tail_lines=tail, limit_bytes=limit)
    if request.query.get("follow", "") not in _TRUE:
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
