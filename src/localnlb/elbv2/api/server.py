"""The HTTP shell: one aiohttp application serving ELBv2 and EC2 (``POST /``, dispatched on the
``Version`` form field) and the routing snapshot long poll (``GET /_localnlb/v1/routing``).

Handlers run synchronously on the event loop (they are dictionary work plus one SQLite commit),
so requests are serialised and each sees the effects of the previous one. The time each request
spent in the server is returned in ``x-localnlb-handling-ms`` (the benchmark reads it).

Input limits, so that no request can hold the server (AWS publishes none of these numbers; they
are far above what any SDK call sends): headers must arrive within :data:`HEADER_READ_SECONDS`
of the connection opening or the previous answer (aiohttp's keep-alive timer, which also closes
idle connections), a body within :data:`BODY_READ_SECONDS` (``RequestTimeout``) and under
:data:`MAX_BODY_BYTES` (``RequestEntityTooLargeException``, 413); at most
:data:`MAX_PARAMETERS` parameters and keys of at most :data:`MAX_KEY_LENGTH` characters
(``ValidationError``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import urllib.parse

from aiohttp import web

from localnlb.common.ids import request_id
from localnlb.common.snapshot import SNAPSHOT_PATH
from localnlb.elbv2.api.auth import verify_signature
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.dispatch import dialect_of, dispatch
from localnlb.elbv2.api.errors import (
    AwsError,
    RequestEntityTooLarge,
    RequestTimeout,
    ValidationError,
)
from localnlb.elbv2.api.publisher import SnapshotPublisher
from localnlb.elbv2.api.serialize import serialize_error

LOG = logging.getLogger(__name__)
LONG_POLL_SECONDS = 25.0
HANDLING_HEADER = "x-localnlb-handling-ms"
CONTEXT_KEY = web.AppKey("context", ApiContext)
PUBLISHER_KEY = web.AppKey("publisher", SnapshotPublisher)
HEADER_READ_SECONDS = 20.0
BODY_READ_SECONDS = 30.0
MAX_BODY_BYTES = 1024 * 1024
MAX_PARAMETERS = 10_000
MAX_KEY_LENGTH = 1024


def build_app(ctx: ApiContext, publisher: SnapshotPublisher) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[CONTEXT_KEY] = ctx
    app[PUBLISHER_KEY] = publisher
    app.router.add_post("/", _handle_query)
    app.router.add_get("/", _handle_query)
    app.router.add_get(SNAPSHOT_PATH, _handle_routing)
    app.router.add_get("/_localnlb/v1/healthz", _handle_healthz)
    return app


async def _handle_query(request: web.Request) -> web.Response:
    started = time.perf_counter()
    ctx = request.app[CONTEXT_KEY]
    form: dict[str, str] = {}
    try:
        body = await _read_body(request)
        form = _parse_form(request.query_string)
        form.update(_parse_form(body.decode("utf-8")))
    except UnicodeDecodeError:
        return _error(ValidationError("The request body is not valid UTF-8"), form, started)
    except AwsError as error:
        response = _error(error, form, started)
        if isinstance(error, RequestTimeout):  # the rest of the body may never come
            response.force_close()
        return response
    if ctx.settings.require_auth:
        try:
            verify_signature(
                method=request.method,
                path_qs=request.path_qs,
                headers=request.headers,
                body=body,
                credentials=ctx.settings.credentials,
                now=ctx.clock.wall(),
            )
        except AwsError as error:
            return _error(error, form, started)
    reply = dispatch(ctx, form)
    return _xml(reply.body, reply.status, reply.request_id, started)


async def _read_body(request: web.Request) -> bytes:
    declared = request.content_length
    if declared is not None and declared > MAX_BODY_BYTES:
        raise RequestEntityTooLarge(_too_large())
    try:
        async with asyncio.timeout(BODY_READ_SECONDS):
            return await request.read()
    except TimeoutError:
        raise RequestTimeout(
            "Your socket connection to the server was not read from or written to within the"
            " timeout period. Idle connections will be closed."
        ) from None
    except web.HTTPRequestEntityTooLarge:
        raise RequestEntityTooLarge(_too_large()) from None


def _too_large() -> str:
    return f"The request entity is too large: the body is limited to {MAX_BODY_BYTES} bytes."


def _parse_form(encoded: str) -> dict[str, str]:
    try:
        pairs = urllib.parse.parse_qsl(
            encoded, keep_blank_values=True, max_num_fields=MAX_PARAMETERS
        )
    except ValueError:  # parse_qsl's own words for max_num_fields
        raise ValidationError(
            f"1 validation error detected: the request has more than {MAX_PARAMETERS} parameters"
        ) from None
    for key, _ in pairs:
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError(
                f"1 validation error detected: Value '{key[:64]}...' at 'parameter name' failed"
                f" to satisfy constraint: Member must have length less than or equal to"
                f" {MAX_KEY_LENGTH}"
            )
    return dict(pairs)


def _error(error: AwsError, form: dict[str, str], started: float) -> web.Response:
    rid = request_id()
    body = serialize_error(error, dialect=dialect_of(form), request_id=rid)
    return _xml(body, error.http_status, rid, started)


def _xml(body: str, status: int, rid: str, started: float) -> web.Response:
    elapsed_ms = (time.perf_counter() - started) * 1000
    return web.Response(
        text=body,
        status=status,
        content_type="text/xml",
        headers={"x-amzn-RequestId": rid, HANDLING_HEADER: f"{elapsed_ms:.3f}"},
    )


async def _handle_routing(request: web.Request) -> web.Response:
    publisher = request.app[PUBLISHER_KEY]
    raw_after = request.query.get("after", "-1")
    raw_timeout = request.query.get("timeout", str(LONG_POLL_SECONDS))
    try:
        after = int(raw_after)
        timeout = float(raw_timeout)
    except ValueError:
        timeout = math.nan
    if math.isnan(timeout):  # float() takes "nan", which no wait can be bounded by
        return web.json_response(
            {"error": f"bad 'after' or 'timeout': {raw_after!r}, {raw_timeout!r}"}, status=400
        )
    snapshot = await publisher.wait_newer(after, min(max(timeout, 0.0), LONG_POLL_SECONDS))
    return web.Response(text=snapshot.to_json(), content_type="application/json")


async def _handle_healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "version": request.app[PUBLISHER_KEY].version})
