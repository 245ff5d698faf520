"""kube-proxy's decision for ClusterIPs, as pure functions: what each ``clusterIP:port`` forwards
to, and which endpoint a client keeps under ``sessionAffinity: ClientIP``.

ClusterIPs come from the state dir's ``127.V.192.0/18`` (:mod:`localnlb.common.addressing`), so a
pod that dials its ``*_SERVICE_HOST`` reaches kube-proxy on this machine. One rule per Service
port:

- the endpoints are the Service's ready ones in the whole cluster (serving-and-terminating ones
  when none is ready), as for a NodePort with ``externalTrafficPolicy: Cluster``;
- headless Services (``clusterIP: None``) and ExternalName Services get no rule: clients reach
  their pods directly;
- network safety: a ClusterIP off 127/8 (a Service stored before ClusterIPs moved into the VPC)
  gets no rule, so nothing is ever bound or dialled there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.kubeproxy.rules import (
    Endpoint,
    endpoints_for,
    slices_by_service,
    usable_endpoints,
)
from localnlb.common.addressing import in_loopback_network

DEFAULT_AFFINITY_SECONDS = 10800.0  # sessionAffinityConfig.clientIP.timeoutSeconds' default
ServiceIpKey = tuple[str, str, int]  # (protocol, cluster IP, port)


@dataclass(frozen=True, slots=True)
class ServiceIpRule:
    namespace: str
    service: str
    port_name: str
    protocol: str  # "TCP" | "UDP"
    address: str  # the ClusterIP
    port: int
    endpoints: tuple[Endpoint, ...]
    affinity_seconds: float | None  # sessionAffinity ClientIP: how long a client keeps its pick

    @property
    def key(self) -> ServiceIpKey:
        return (self.protocol, self.address, self.port)


def build_service_ip_table(
    services: Iterable[Mapping[str, Any]], endpoint_slices: Iterable[Mapping[str, Any]]
) -> tuple[ServiceIpRule, ...]:
    by_service = slices_by_service(endpoint_slices)
    rules: list[ServiceIpRule] = []
    for service in services:
        spec = objects.spec(service)
        address = str(spec.get("clusterIP") or "")
        if spec.get("type") == "ExternalName" or not in_loopback_network(address):
            continue
        key = (objects.namespace_of(service), objects.name_of(service))
        affinity = _affinity_seconds(spec)
        for port in spec.get("ports") or ():
            protocol = port.get("protocol", "TCP")
            candidates = endpoints_for(by_service.get(key, []), port.get("name", ""), protocol)
            rules.append(
                ServiceIpRule(
                    namespace=key[0],
                    service=key[1],
                    port_name=port.get("name", ""),
                    protocol=protocol,
                    address=address,
                    port=int(port["port"]),
                    endpoints=usable_endpoints(candidates),
                    affinity_seconds=affinity,
                )
            )
    return tuple(rules)


def _affinity_seconds(spec: Mapping[str, Any]) -> float | None:
    if spec.get("sessionAffinity") != "ClientIP":
        return None
    config = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
    return float(config.get("timeoutSeconds") or DEFAULT_AFFINITY_SECONDS)


@dataclass
class ClientAffinity:
    """Which endpoint each client IP was sent to, per ClusterIP port, and when last: kube-proxy's
    ``recent`` match. A client keeps its endpoint while that endpoint is still usable and the
    client came back within the rule's timeout. Pure: the caller passes ``now``."""

    _picks: dict[tuple[ServiceIpKey, str], tuple[Endpoint, float]] = field(default_factory=dict)

    def recall(self, rule: ServiceIpRule, client_ip: str, now: float) -> Endpoint | None:
        if rule.affinity_seconds is None:
            return None
        found = self._picks.get((rule.key, client_ip))
        if found is None:
            return None
        endpoint, last = found
        if now - last > rule.affinity_seconds or endpoint not in rule.endpoints:
            del self._picks[(rule.key, client_ip)]
            return None
        return endpoint

    def remember(self, rule: ServiceIpRule, client_ip: str, endpoint: Endpoint, now: float) -> None:
        if rule.affinity_seconds is not None:
            self._picks[(rule.key, client_ip)] = (endpoint, now)

    def forget_rules_except(self, keys: Iterable[ServiceIpKey]) -> None:
        kept = set(keys)
        for pick in [p for p in self._picks if p[0] not in kept]:
            del self._picks[pick]
