"""Watches over HTTP: one JSON event per line, chunked, headers sent at once (kubectl waits
for them), Table rows when asked (``kubectl get -w``).
"""

from __future__ import annotations

import json

from aiohttp import web

from localnlb.cluster.apiserver.decoding import negotiation
from localnlb.cluster.apiserver.decoding.negotiation import Output
from localnlb.cluster.apiserver.handlers.requests import BOOKMARK_INTERVAL_KEY, TRUE, int_query
from localnlb.cluster.apiserver.handlers.routing import Target
from localnlb.cluster.apiserver.printers import tables
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.apiserver.storage.watches import WatchOptions, WatchStream


async def serve_watch(
    request: web.Request, registry: Registry, target: Target
) -> web.StreamResponse:
    output = negotiation.choose_output(request.headers.get("Accept", ""))
    timeout = int_query(request, "timeoutSeconds")
    initial = request.query.get("sendInitialEvents")
    fields = request.query.get("fieldSelector", "")
    if target.name:  # the older form: a watch on one object's URL
        fields = ",".join(f for f in (fields, f"metadata.name={target.name}") if f)
    options = WatchOptions(
        resource_version=request.query.get("resourceVersion", ""),
        label_selector=request.query.get("labelSelector", ""),
        field_selector=fields,
        bookmarks=request.query.get("allowWatchBookmarks", "") in TRUE,
        send_initial_events=None if initial is None else initial in TRUE,
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
            if output is Output.METADATA and event["type"] in ("ADDED", "MODIFIED", "DELETED"):
                event = {"type": event["type"], "object": negotiation.partial(event["object"])}
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
