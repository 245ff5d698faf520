"""kube-proxy's decision for one node, as a pure function: what each NodePort forwards to.

From the Services and EndpointSlices it builds, for a node, one :class:`NodePortRule` per
NodePort (and protocol) with the endpoints a new connection may go to:

- ``externalTrafficPolicy: Cluster`` — every ready endpoint in the cluster; the connection is
  SNATed to the node (the pod sees the node's address) and may hop to another node;
- ``externalTrafficPolicy: Local`` — only this node's ready endpoints, the client's address
  kept; with none, the node refuses (and the Service's healthCheckNodePort says 503 so that a
  load balancer stops sending here).

When no endpoint is ready, serving-and-terminating ones are used instead (kube-proxy's
terminating-endpoints fallback, on by default since 1.28), so in-flight rollouts don't blackhole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.common.addressing import in_loopback_network

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True, slots=True, order=True)
class Endpoint:
    address: str
    port: int
    node_name: str | None
    zone: str | None


@dataclass(frozen=True, slots=True)
class NodePortRule:
    namespace: str
    service: str
    port_name: str
    protocol: str  # "TCP" | "UDP"
    node_port: int
    local_only: bool  # externalTrafficPolicy Local: keep the client address, local endpoints
    endpoints: tuple[Endpoint, ...]


@dataclass(frozen=True, slots=True)
class HealthCheckRule:
    namespace: str
    service: str
    node_port: int  # spec.healthCheckNodePort
    local_endpoints: int


@dataclass(frozen=True, slots=True)
class ProxyTable:
    node_ports: tuple[NodePortRule, ...]
    health_checks: tuple[HealthCheckRule, ...]


def usable_endpoints(endpoints: list[tuple[Endpoint, Mapping[str, Any]]]) -> tuple[Endpoint, ...]:
    ready = [e for e, c in endpoints if c.get("ready", True)]
    if ready:
        return tuple(sorted(ready))
    return tuple(sorted(e for e, c in endpoints if c.get("serving") and c.get("terminating")))


def endpoints_for(
    slices: Iterable[Mapping[str, Any]], port_name: str, protocol: str
) -> list[tuple[Endpoint, Mapping[str, Any]]]:
    found = []
    for endpoint_slice in slices:
        number = next(
            (
                p.get("port")
                for p in endpoint_slice.get("ports") or ()
                if p.get("name", "") == port_name and p.get("protocol", "TCP") == protocol
            ),
            None,
        )
        if number is None:
            continue
        for endpoint in endpoint_slice.get("endpoints") or ():
            for address in endpoint.get("addresses") or ():
                # Network safety: kube-proxy relays only to 127/8 (pods and nodes all live
                # there); an endpoint written by hand with another address is never dialled.
                if not in_loopback_network(address):
                    continue
                found.append(
                    (
                        Endpoint(
                            address, int(number), endpoint.get("nodeName"), endpoint.get("zone")
                        ),
                        endpoint.get("conditions") or {},
                    )
                )
    return found


def slices_by_service(
    endpoint_slices: Iterable[Mapping[str, Any]],
) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
    """EndpointSlices by the (namespace, name) of the Service they belong to."""
    by_service: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for endpoint_slice in endpoint_slices:
        owner = objects.labels_of(endpoint_slice).get(SERVICE_NAME_LABEL)
        if owner:
            by_service.setdefault((objects.namespace_of(endpoint_slice), owner), []).append(
                endpoint_slice
            )
    return by_service


def build_proxy_table(
    node_name: str,
    services: Iterable[Mapping[str, Any]],
    endpoint_slices: Iterable[Mapping[str, Any]],
) -> ProxyTable:
    by_service = slices_by_service(endpoint_slices)
    rules: list[NodePortRule] = []
    health_checks: list[HealthCheckRule] = []
    for service in services:
        spec = objects.spec(service)
        if spec.get("type") not in ("NodePort", "LoadBalancer"):
            continue
        key = (objects.namespace_of(service), objects.name_of(service))
        slices = by_service.get(key, [])
        local_only = spec.get("externalTrafficPolicy") == "Local"
        local_count = 0
        for port in spec.get("ports") or ():
            if not port.get("nodePort"):
                continue
            protocol = port.get("protocol", "TCP")
            candidates = endpoints_for(slices, port.get("name", ""), protocol)
            if local_only:
                candidates = [(e, c) for e, c in candidates if e.node_name == node_name]
                local_count = max(
                    local_count, sum(1 for _, c in candidates if c.get("ready", True))
                )
            rules.append(
                NodePortRule(
                    namespace=key[0],
                    service=key[1],
                    port_name=port.get("name", ""),
                    protocol=protocol,
                    node_port=int(port["nodePort"]),
                    local_only=local_only,
                    endpoints=usable_endpoints(candidates),
                )
            )
        if local_only and spec.get("healthCheckNodePort"):
            health_checks.append(
                HealthCheckRule(key[0], key[1], int(spec["healthCheckNodePort"]), local_count)
            )
    return ProxyTable(tuple(rules), tuple(health_checks))
