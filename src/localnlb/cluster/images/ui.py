"""The EKS Workshop's ui (``public.ecr.aws/aws-containers/retail-store-sample-ui``), as a local app.

The real image is a Spring Boot store front; the workshop only needs what it touches: ``/home``
(the page ``curl`` and the load balancer reach), the actuator's liveness/readiness health groups
(the Deployment's livenessProbe) and ``/actuator/prometheus``. ``/home`` names the pod, its IP,
node and Availability Zone, so traffic through a load balancer shows which pod answered; the line
starting ``localnlb-ui`` is there to grep. Starts in well under a second (no JVM to warm up), and
answers readiness only once it listens, which is honest: nothing answers before that.

Run: ``python -m localnlb.cluster.images.ui`` (port 8080, or ``SERVER_PORT``/``PORT``).
"""

from __future__ import annotations

import asyncio
import html
import os
import time

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CollectorRegistry, Summary, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from localnlb.cluster.images.serving import (
    NODE_VARIABLE,
    ZONE_VARIABLE,
    bind_host,
    port_from_env,
    serve_until_terminated,
)

DEFAULT_PORT = 8080
HEALTH_UP = {"status": "UP"}
METRICS_KEY = web.AppKey("metrics", Summary)


def pod_identity() -> dict[str, str]:
    env = os.environ
    return {
        "pod": env.get("METADATA_KUBERNETES_POD_NAME") or env.get("HOSTNAME", "unknown"),
        "namespace": env.get("METADATA_KUBERNETES_NAMESPACE", "default"),
        "ip": bind_host(),
        "node": env.get("METADATA_KUBERNETES_NODE_NAME") or env.get(NODE_VARIABLE, "unknown"),
        "zone": env.get(ZONE_VARIABLE, "unknown"),
    }


def render_home(identity: dict[str, str]) -> str:
    grep_line = " ".join(f"{key}={identity[key]}" for key in ("pod", "ip", "node", "zone"))
    rows = "\n".join(
        f"      <tr><th>{html.escape(key)}</th><td>{html.escape(value)}</td></tr>"
        for key, value in identity.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en">
  <head><meta charset="utf-8"><title>Retail Store Sample</title></head>
  <body>
    <h1>Retail Store Sample</h1>
    <p>Served by pod {html.escape(identity["pod"])} ({html.escape(identity["ip"])}) on node
      {html.escape(identity["node"])} in {html.escape(identity["zone"])}.</p>
    <table class="topology">
{rows}
    </table>
<!-- one line for grep: -->
<pre>
localnlb-ui {html.escape(grep_line)}
</pre>
  </body>
</html>
"""


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Spring's ``http_server_requests_seconds``: count and time every request by route."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        resource = request.match_info.route.resource
        uri = resource.canonical if resource is not None else "UNKNOWN"
        outcome = "SUCCESS" if status < 400 else "CLIENT_ERROR" if status < 500 else "SERVER_ERROR"
        request.app[METRICS_KEY].labels(request.method, uri, str(status), outcome).observe(
            time.perf_counter() - started
        )


async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/home")


async def home(request: web.Request) -> web.StreamResponse:
    return web.Response(text=render_home(pod_identity()), content_type="text/html")


async def health(request: web.Request) -> web.StreamResponse:
    return web.json_response(
        {**HEALTH_UP, "groups": ["liveness", "readiness"]},
        content_type="application/vnd.spring-boot.actuator.v3+json",
    )


async def health_group(request: web.Request) -> web.StreamResponse:
    return web.json_response(HEALTH_UP, content_type="application/vnd.spring-boot.actuator.v3+json")


def build_app() -> web.Application:
    registry = CollectorRegistry()
    app = web.Application(middlewares=[count_requests])
    app[METRICS_KEY] = Summary(
        "http_server_requests_seconds",
        "HTTP requests served, by method, route and status",
        ["method", "uri", "status", "outcome"],
        registry=registry,
    )

    async def prometheus(request: web.Request) -> web.StreamResponse:
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/", root)
    app.router.add_get("/home", home)
    app.router.add_get("/actuator/health", health)
    app.router.add_get("/actuator/health/liveness", health_group)
    app.router.add_get("/actuator/health/readiness", health_group)
    app.router.add_get("/actuator/prometheus", prometheus)
    return app


def main() -> None:
    started = time.perf_counter()
    host = bind_host()
    port = port_from_env(DEFAULT_PORT, "SERVER_PORT", "PORT")
    asyncio.run(
        serve_until_terminated(build_app(), host=host, port=port, name="ui", started=started)
    )


if __name__ == "__main__":
    main()
