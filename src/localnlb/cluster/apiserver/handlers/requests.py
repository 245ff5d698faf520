"""Request plumbing every resource handler shares: responses in the negotiated format, query
parameters (fieldManager, dryRun, fieldValidation, integers) and bodies (3 MiB, and read within
:data:`BODY_READ_SECONDS`: a body that never ends gets kube-apiserver's request timeout, a 504
``Timeout`` Status, and the connection is closed).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from localnlb.cluster.apiserver.decoding import negotiation
from localnlb.cluster.apiserver.decoding.negotiation import Output
from localnlb.cluster.apiserver.decoding.unknown_fields import unknown_fields
from localnlb.cluster.apiserver.handlers.routing import Target
from localnlb.cluster.apiserver.objects import status
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.registry import Registry

JsonObject = dict[str, Any]
REGISTRY_KEY = web.AppKey("registry", Registry)
BOOKMARK_INTERVAL_KEY = web.AppKey("bookmark_interval", float)
TRUE = ("true", "1")
# kube-apiserver's --request-timeout default bounds a non-long-running request, body included.
BODY_READ_SECONDS = 60.0


def respond(
    request: web.Request, obj: Any, *, code: int = 200, output: Output | None = None
) -> web.Response:
    chosen = output or negotiation.choose_output(request.headers.get("Accept", ""), table=False)
    body, content_type = negotiation.encode(obj, chosen)
    return web.Response(status=code, body=body, headers={"Content-Type": content_type})


def manager(request: web.Request) -> str:
    manager = request.query.get("fieldManager")
    if manager:
        if len(manager) > 128:
            raise status.bad_request(
                "fieldManager: Invalid value: must be no more than 128 characters"
            )
        return manager
    agent = request.headers.get("User-Agent", "unknown")
    return agent.split("/")[0][:128] or "unknown"


def dry_run(request: web.Request) -> bool:
    values = request.query.getall("dryRun", [])
    for value in values:
        if value != "All":
            raise status.bad_request(f'Invalid dry run value: "{value}"; supported: "All"')
    return bool(values)


async def read_body(request: web.Request) -> Any:
    declared = request.content_length
    if declared is not None and declared > negotiation.MAX_BODY_BYTES:
        raise status.too_large(negotiation.MAX_BODY_BYTES)
    raw = await read_raw(request)
    return negotiation.decode_body(raw, request.headers.get("Content-Type", "application/json"))


async def read_raw(request: web.Request) -> bytes:
    """The body's bytes, within the size limit and :data:`BODY_READ_SECONDS`."""
    try:
        async with asyncio.timeout(BODY_READ_SECONDS):
            return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise status.too_large(negotiation.MAX_BODY_BYTES) from None
    except TimeoutError:
        raise ApiError(
            504,
            "Timeout",
            "Timeout: request did not complete within requested timeout - context deadline"
            " exceeded",
        ) from None


def check_strict(request: web.Request, target: Target, body: Any) -> list[str]:
    """Refuse unknown fields under Strict; under Warn (the default) return the warnings the
    response carries (the fields themselves are dropped when stored)."""
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
    if directive in ("", "Warn") and isinstance(body, dict):
        unknown = unknown_fields(target.rt, body)
        unsendable = [field for field in unknown if _has_control_character(field)]
        if unsendable:  # a Warning header cannot carry it: refused before anything is stored
            detail = ", ".join(f"unknown field {json.dumps(field)}" for field in unsendable)
            raise status.bad_request(f"{detail}: field names must not contain control characters")
        return [f'unknown field "{field}"' for field in unknown]
    return []


def _has_control_character(text: str) -> bool:
    return any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in text)


def warning_headers(response: web.StreamResponse, warnings: list[str]) -> web.StreamResponse:
    for text in warnings:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        response.headers.add("Warning", f'299 - "{escaped}"')
    return response


def int_query(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise status.bad_request(f'{name}: Invalid value: "{value}": must be an integer') from None
