"""The aiohttp application: auth, error translation, and the route table.

Every failure leaves as a Kubernetes Status (401 without a valid bearer token, 404 for unknown
paths, 405/413/415/406 as the real server words them); an unexpected exception becomes a 500
InternalError Status with nothing stored changed, never a traceback on the wire.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from localnlb.cluster.apiserver.decoding import negotiation
from localnlb.cluster.apiserver.decoding.negotiation import Output
from localnlb.cluster.apiserver.discovery import documents
from localnlb.cluster.apiserver.discovery.openapi import OpenApiCache
from localnlb.cluster.apiserver.handlers.requests import (
    BOOKMARK_INTERVAL_KEY,
    REGISTRY_KEY,
    respond,
)
from localnlb.cluster.apiserver.handlers.resources import resource
from localnlb.cluster.apiserver.objects import status
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.registry import Registry

log = logging.getLogger(__name__)
TOKEN_KEY = web.AppKey("token", str)
OPENAPI_KEY = web.AppKey("openapi", OpenApiCache)
KUBERNETES_VERSION = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.4",
    "gitCommit": "a78aa47129b8539636eb86a9d00e31b2720fe06b",
    "gitTreeState": "clean",
    "buildDate": "2024-12-10T18:35:29Z",
    "goVersion": "go1.22.9",
    "compiler": "gc",
    "platform": "linux/amd64",
}
# What system:public-info-viewer lets anyone read on a real cluster.
_PUBLIC_PATHS = ("/version", "/healthz", "/livez", "/readyz")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _status_response(error: ApiError) -> web.Response:
    body, _ = negotiation.encode(error.to_status(), Output.JSON)
    return web.Response(status=error.code, body=body, content_type="application/json")


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as error:
        response = _status_response(error)
        if error.reason == "Timeout":  # the rest of the body may never come: do not wait for it
            response.force_close()
        return response
    except web.HTTPRequestEntityTooLarge:
        return _status_response(status.too_large(negotiation.MAX_BODY_BYTES))
    except web.HTTPMethodNotAllowed:
        return _status_response(status.method_not_allowed())
    except web.HTTPNotFound:
        return _status_response(status.page_not_found())
    except web.HTTPException as error:
        return _status_response(ApiError(error.status, error.reason, error.text or error.reason))
    except Exception as error:  # the server must answer, whatever the bug
        log.exception("internal error serving %s %s", request.method, request.path)
        return _status_response(status.internal(type(error).__name__))


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path not in _PUBLIC_PATHS:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        expected = request.app[TOKEN_KEY]
        # bytes: compare_digest refuses str holding non-ASCII, and such a token is just wrong
        presented = token.strip().encode("utf-8", errors="surrogateescape")
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented, expected.encode()):
            raise status.unauthorized()
    return await handler(request)


async def _version(request: web.Request) -> web.StreamResponse:
    return respond(request, KUBERNETES_VERSION, output=Output.JSON)


async def _health(request: web.Request) -> web.StreamResponse:
    return web.Response(text="ok")


def _discovery_output(request: web.Request) -> Output:
    return negotiation.choose_output(request.headers.get("Accept", ""), discovery=True, table=False)


def _aggregated_version(output: Output) -> str | None:
    """The aggregated discovery document's apiVersion the client asked for, if it did."""
    return {
        Output.AGGREGATED_V2: "apidiscovery.k8s.io/v2",
        Output.AGGREGATED_V2BETA1: "apidiscovery.k8s.io/v2beta1",
    }.get(output)


async def _api(request: web.Request) -> web.StreamResponse:
    output = _discovery_output(request)
    catalog = request.app[REGISTRY_KEY].catalog
    version = _aggregated_version(output)
    if version is not None:
        return respond(
            request, documents.aggregated(catalog, legacy=True, api_version=version), output=output
        )
    host = request.host
    return respond(request, documents.api_versions(host), output=output)


async def _apis(request: web.Request) -> web.StreamResponse:
    output = _discovery_output(request)
    catalog = request.app[REGISTRY_KEY].catalog
    version = _aggregated_version(output)
    if version is not None:
        return respond(
            request, documents.aggregated(catalog, legacy=False, api_version=version), output=output
        )
    return respond(request, documents.api_group_list(catalog), output=output)


async def _group(request: web.Request) -> web.StreamResponse:
    found = documents.api_group(request.app[REGISTRY_KEY].catalog, request.match_info["group"])
    if found is None:
        raise status.page_not_found()
    return respond(request, found)


async def _group_version(request: web.Request) -> web.StreamResponse:
    info = request.match_info
    found = documents.api_resource_list(
        request.app[REGISTRY_KEY].catalog, info.get("group", ""), info["version"]
    )
    if found is None:
        raise status.page_not_found()
    return respond(request, found)


async def _openapi_index(request: web.Request) -> web.StreamResponse:
    return respond(request, request.app[OPENAPI_KEY].index(), output=Output.JSON)


async def _openapi_document(request: web.Request) -> web.StreamResponse:
    body = request.app[OPENAPI_KEY].document(request.match_info["path"].strip("/"))
    if body is None:
        raise status.page_not_found()
    return web.Response(
        body=body, content_type="application/json", headers={"Cache-Control": "public, immutable"}
    )


async def _not_found(request: web.Request) -> web.StreamResponse:
    raise status.page_not_found()


def build_app(
    registry: Registry, *, token: str, bookmark_interval: float = 60.0
) -> web.Application:
    app = web.Application(
        middlewares=[errors, authenticate], client_max_size=negotiation.MAX_BODY_BYTES
    )
    app[REGISTRY_KEY] = registry
    app[TOKEN_KEY] = token
    app[BOOKMARK_INTERVAL_KEY] = bookmark_interval
    app[OPENAPI_KEY] = OpenApiCache(registry.catalog)
    app.router.add_get("/version", _version)
    for path in ("/healthz", "/livez", "/readyz"):
        app.router.add_get(path, _health)
    app.router.add_get("/api", _api)
    app.router.add_get("/apis", _apis)
    app.router.add_get("/openapi/v3", _openapi_index)
    app.router.add_get("/openapi/v3/{path:.+}", _openapi_document)
    app.router.add_get("/api/{version}", _group_version)
    app.router.add_get("/apis/{group}", _group)
    app.router.add_get("/apis/{group}/{version}", _group_version)
    app.router.add_route("*", "/api/{version}/{path:.+}", resource)
    app.router.add_route("*", "/apis/{group}/{version}/{path:.+}", resource)
    app.router.add_route("*", "/{tail:.*}", _not_found)
    return app
