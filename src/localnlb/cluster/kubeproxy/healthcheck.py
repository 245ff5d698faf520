"""The bodies kube-proxy's health endpoints answer, byte for byte as upstream writes them.

- ``healthCheckNodePort`` (per Service with externalTrafficPolicy Local): 200 when this node has
  a local endpoint, else 503, a JSON body naming the Service and counting local endpoints, and
  the header ``X-Load-Balancing-Endpoint-Weight``;
- ``:10256/healthz`` and ``/livez``: 200 with lastUpdated/currentTime (Go's time format) and,
  for healthz, ``nodeEligible``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from localnlb.cluster.kubeproxy.rules import HealthCheckRule

HEALTHZ_PORT = 10256


@dataclass(frozen=True, slots=True)
class HealthResponse:
    status: int
    body: str
    headers: tuple[tuple[str, str], ...]


def service_health(rule: HealthCheckRule, *, proxy_healthy: bool = True) -> HealthResponse:
    count = rule.local_endpoints
    healthy = count != 0 and proxy_healthy
    body = (
        "{\n"
        '\t"service": {\n'
        f'\t\t"namespace": "{rule.namespace}",\n'
        f'\t\t"name": "{rule.service}"\n'
        "\t},\n"
        f'\t"localEndpoints": {count},\n'
        f'\t"serviceProxyHealthy": {"true" if proxy_healthy else "false"}\n'
        "}"
    )
    return HealthResponse(
        status=200 if healthy else 503,
        body=body,
        headers=(
            ("Content-Type", "application/json"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Load-Balancing-Endpoint-Weight", str(count)),
        ),
    )


def go_time(wall: float, monotonic: float) -> str:
    """A time as Go's ``time.Time.String()`` prints it, monotonic reading included."""
    moment = datetime.fromtimestamp(wall, UTC)
    nanoseconds = f"{moment.microsecond:06d}000"
    return f"{moment:%Y-%m-%d %H:%M:%S}.{nanoseconds} +0000 UTC m=+{monotonic:.9f}"


def proxy_healthz(*, wall: float, monotonic: float, node_eligible: bool = True) -> HealthResponse:
    """``:10256/healthz``: a healthy proxier reports lastUpdated = now, as upstream does."""
    now = go_time(wall, monotonic)
    body = (
        f'{{"lastUpdated": "{now}","currentTime": "{now}", '
        f'"nodeEligible": {"true" if node_eligible else "false"}}}'
    )
    return HealthResponse(200, body, _JSON_HEADERS)


def proxy_livez(*, wall: float, monotonic: float) -> HealthResponse:
    now = go_time(wall, monotonic)
    return HealthResponse(200, f'{{"lastUpdated": "{now}","currentTime": "{now}"}}', _JSON_HEADERS)


_JSON_HEADERS = (("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff"))
