"""HTTP verbs on resources: list/watch/get/create/update/patch/delete/deletecollection and
the status, scale and log subresources, each a thin translation onto the :class:`Registry`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from localnlb.cluster.apiserver.decoding import negotiation
from localnlb.cluster.apiserver.decoding.negotiation import Output
from localnlb.cluster.apiserver.handlers import self_reviews
from localnlb.cluster.apiserver.handlers.requests import (
    REGISTRY_KEY,
    TRUE,
    check_strict,
    dry_run,
    int_query,
    manager,
    read_body,
    read_raw,
    respond,
    warning_headers,
)
from localnlb.cluster.apiserver.handlers.routing import Target, path_segments, resolve
from localnlb.cluster.apiserver.handlers.subresources import (
    serve_binding,
    serve_eviction,
    serve_log,
    serve_scale,
)
from localnlb.cluster.apiserver.handlers.watch import serve_watch
from localnlb.cluster.apiserver.objects import status
from localnlb.cluster.apiserver.printers import tables
from localnlb.cluster.apiserver.storage.registry import PATCH_TYPES, Registry
from localnlb.cluster.apiserver.webhooks import admitted_writes
from localnlb.cluster.schema.kinds import REVIEWS

JsonObject = dict[str, Any]


async def resource(request: web.Request) -> web.StreamResponse:
    registry = request.app[REGISTRY_KEY]
    info = request.match_info
    group = info.get("group", "")
    prefix = f"/apis/{group}/{info['version']}/" if group else f"/api/{info['version']}/"
    raw_path = request.raw_path.partition("?")[0]
    if not raw_path.startswith(prefix):
        raise status.page_not_found()
    parts = path_segments(raw_path[len(prefix) :])
    target = resolve(registry.catalog, group, info["version"], parts)
    method = request.method
    _check_verb(target, method, watching=request.query.get("watch", "") in TRUE)
    if method in _VERBS or method == "DELETE":  # 406 is decided before anything is written
        negotiation.choose_output(
            request.headers.get("Accept", ""), table=_answers_with_object(target, method)
        )
    if target.subresource == "log":
        return await serve_log(request, registry, target)
    if target.subresource == "binding":
        return await serve_binding(request, registry, target)
    if target.subresource == "eviction":
        return await serve_eviction(request, registry, target)
    if target.subresource == "scale":
        return await serve_scale(request, registry, target)
    if not target.name:
        if method == "GET":
            if request.query.get("watch", "") in TRUE:
                return await serve_watch(request, registry, target)
            return _list(request, registry, target)
        if method == "POST":
            return await _create(request, registry, target)
        if method == "DELETE":
            return await _delete_collection(request, registry, target)
        raise status.method_not_allowed()
    namespace = target.namespace or ""
    if method == "GET":
        if request.query.get("watch", "") in TRUE and not target.subresource:
            return await serve_watch(request, registry, target)
        obj = registry.get(target.rt, namespace, target.name)
        return _object_response(request, registry, target, obj)
    if method == "PUT":
        body = await read_body(request)
        warnings = check_strict(request, target, body)
        subresource = target.subresource
        obj = await admitted_writes.update(
            admitted_writes.webhooks_of(request),
            registry,
            target.rt,
            namespace,
            target.name,
            body,
            subresource=subresource,
            manager=manager(request),
            dry_run=dry_run(request),
        )
        return warning_headers(_object_response(request, registry, target, obj), warnings)
    if method == "PATCH":
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        patch_type = PATCH_TYPES.get(content_type)
        if patch_type is None:
            raise status.unsupported_media_type(
                "application/json-patch+json, application/merge-patch+json,"
                " application/apply-patch+yaml"
                + ("" if target.rt.is_custom else ", application/strategic-merge-patch+json")
            )
        body = await read_body(request)
        if patch_type == "apply":
            if not request.query.get("fieldManager"):
                raise status.bad_request(
                    "PATCH, application/apply-patch+yaml requires fieldManager to be set"
                )
            check_strict(request, target, body)
        obj, created = await admitted_writes.patch(
            admitted_writes.webhooks_of(request),
            registry,
            target.rt,
            namespace,
            target.name,
            body,
            patch_type=patch_type,
            subresource=target.subresource,
            manager=manager(request),
            force=request.query.get("force", "") in TRUE,
            dry_run=dry_run(request),
        )
        return _object_response(request, registry, target, obj, code=201 if created else 200)
    if method == "DELETE":
        options = await _delete_options(request)
        if dry_run(request) or _dry_run_option(options):  # what would go; nothing changes
            obj = registry.get(target.rt, namespace, target.name)
            return _object_response(request, registry, target, obj)
        obj, gone = registry.delete(target.rt, namespace, target.name, options)
        return _object_response(request, registry, target, obj, code=200 if gone else 202)
    if method == "POST":
        raise status.method_not_allowed()
    raise status.method_not_allowed()


_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


def _check_verb(target: Target, method: str, *, watching: bool) -> None:
    """405 for what the resource does not serve (self reviews are create-only)."""
    if target.subresource:
        return
    if method == "GET":
        verb = "watch" if watching else "get" if target.name else "list"
    elif method == "DELETE":
        verb = "delete" if target.name else "deletecollection"
    else:
        verb = _VERBS.get(method, "")
    if verb and verb not in target.rt.verbs:
        raise status.method_not_allowed()


def _answers_with_object(target: Target, method: str) -> bool:
    """Whether a write's answer is the object (which a Table may show), as _object_response."""
    if target.subresource in ("log", "binding", "eviction", "scale"):
        return False
    if method == "POST":
        return target.rt.api_resource not in REVIEWS
    return bool(target.name)


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
    if output is Output.METADATA:
        return respond(request, negotiation.partial(obj), code=code, output=Output.JSON)
    return respond(request, obj, code=code, output=output)


def _list(request: web.Request, registry: Registry, target: Target) -> web.Response:
    output = negotiation.choose_output(request.headers.get("Accept", ""))
    listed = registry.list(
        target.rt,
        target.namespace,
        label_selector=request.query.get("labelSelector", ""),
        field_selector=request.query.get("fieldSelector", ""),
        limit=int_query(request, "limit") or 0,
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
    if output is Output.METADATA:
        return respond(request, negotiation.partial_list(listed), output=Output.JSON)
    return respond(request, listed, output=output)


async def _create(request: web.Request, registry: Registry, target: Target) -> web.StreamResponse:
    body = await read_body(request)
    if target.rt.api_resource in REVIEWS:
        return respond(request, self_reviews.answer(target.rt, body), code=201)
    warnings = check_strict(request, target, body)
    obj = await admitted_writes.create(
        admitted_writes.webhooks_of(request),
        registry,
        target.rt,
        target.namespace or "",
        body,
        manager=manager(request),
        dry_run=dry_run(request),
    )
    return warning_headers(_object_response(request, registry, target, obj, code=201), warnings)


def _dry_run_option(options: JsonObject) -> bool:
    """DeleteOptions may carry dryRun in the body (kubectl delete --dry-run=server does)."""
    values = options.get("dryRun") or []
    if not isinstance(values, list) or any(value != "All" for value in values):
        raise status.bad_request(f'Invalid dry run value: "{values}"; supported: "All"')
    return bool(values)


async def _delete_options(request: web.Request) -> JsonObject:
    options: JsonObject = {}
    if request.can_read_body:
        raw = await read_raw(request)
        if raw.strip():
            decoded = negotiation.decode_body(raw, "application/json")
            if not isinstance(decoded, dict):
                raise status.bad_request("the body of the request was not a DeleteOptions")
            options = decoded
    if "propagationPolicy" in request.query:
        options["propagationPolicy"] = request.query["propagationPolicy"]
    grace = int_query(request, "gracePeriodSeconds")
    if grace is not None:
        options["gracePeriodSeconds"] = grace
    return options


async def _delete_collection(
    request: web.Request, registry: Registry, target: Target
) -> web.Response:
    if "deletecollection" not in target.rt.verbs:
        raise status.method_not_allowed()
    options = await _delete_options(request)
    if dry_run(request) or _dry_run_option(options):
        listed = registry.list(
            target.rt,
            target.namespace,
            label_selector=request.query.get("labelSelector", ""),
            field_selector=request.query.get("fieldSelector", ""),
        )
        return respond(request, listed)
    listed = registry.delete_collection(
        target.rt,
        target.namespace,
        options,
        label_selector=request.query.get("labelSelector", ""),
        field_selector=request.query.get("fieldSelector", ""),
    )
    return respond(request, listed)
