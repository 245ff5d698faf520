"""The cluster's DNS zone as data: what Services, EndpointSlices, Namespaces and Pods say.

Built fresh from the API's objects (pure; the shell rebuilds it on every change) and read by
:func:`localnlb.cluster.dns.answers.answer`. As CoreDNS's kubernetes plugin reads them:

- a Service's ClusterIP (``None`` for a headless one) or its ExternalName, and its ports;
- a Service's endpoints come from its EndpointSlices (label ``kubernetes.io/service-name``), only
  the ``ready`` ones (the slice controller already counts ``publishNotReadyAddresses`` as ready);
  an endpoint's DNS label is its ``hostname``, else the pod's ``spec.hostname`` when its
  ``spec.subdomain`` names this Service (what the slice controller writes upstream), else its
  address with dashes (``127-18-1-5``);
- pods by (namespace, IP), for ``pods verified`` pod records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.endpointslices import SERVICE_NAME_LABEL

CLUSTER_DOMAIN = "cluster.local"


@dataclass(frozen=True, slots=True)
class ServicePort:
    name: str
    protocol: str  # "TCP" | "UDP" | "SCTP"
    port: int


@dataclass(frozen=True, slots=True)
class DnsEndpoint:
    label: str  # the endpoint's name under the Service: hostname or dashed IP
    address: str
    ports: tuple[ServicePort, ...]  # the slice's ports (target ports, named as the Service's)


@dataclass(frozen=True, slots=True)
class DnsService:
    namespace: str
    name: str
    cluster_ip: str | None  # None: headless (or ExternalName)
    external_name: str | None
    ports: tuple[ServicePort, ...]
    endpoints: tuple[DnsEndpoint, ...]

    @property
    def headless(self) -> bool:
        return self.cluster_ip is None and self.external_name is None


@dataclass(frozen=True, slots=True)
class ClusterZone:
    domain: str = CLUSTER_DOMAIN
    namespaces: frozenset[str] = frozenset()
    services: Mapping[tuple[str, str], DnsService] = field(default_factory=dict)
    pod_ips: frozenset[tuple[str, str]] = frozenset()  # (namespace, IP) of every pod with an IP
    serial: int = 1  # the SOA serial: the shell counts its rebuilds


def dashed(address: str) -> str:
    return address.replace(".", "-").replace(":", "-")


def _ports(entries: Iterable[Mapping[str, Any]], number_key: str) -> tuple[ServicePort, ...]:
    found = []
    for entry in entries:
        number = entry.get(number_key)
        if isinstance(number, int):
            found.append(
                ServicePort(str(entry.get("name") or ""), entry.get("protocol", "TCP"), number)
            )
    return tuple(found)


def _subdomain_hostnames(pods: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str, str], str]:
    """(namespace, subdomain, pod IP) → the pod's ``spec.hostname``."""
    found = {}
    for pod in pods:
        spec = objects.spec(pod)
        ip = objects.status(pod).get("podIP")
        if spec.get("hostname") and spec.get("subdomain") and ip:
            found[(objects.namespace_of(pod), spec["subdomain"], ip)] = spec["hostname"]
    return found


def _endpoints(
    namespace: str,
    service: str,
    slices: Iterable[Mapping[str, Any]],
    hostnames: Mapping[tuple[str, str, str], str],
) -> tuple[DnsEndpoint, ...]:
    found: dict[str, DnsEndpoint] = {}
    for endpoint_slice in slices:
        ports = _ports(endpoint_slice.get("ports") or (), "port")
        for endpoint in endpoint_slice.get("endpoints") or ():
            if not (endpoint.get("conditions") or {}).get("ready", True):
                continue
            for address in endpoint.get("addresses") or ():
                label = (
                    endpoint.get("hostname")
                    or hostnames.get((namespace, service, address))
                    or dashed(address)
                )
                found[address] = DnsEndpoint(str(label).lower(), address, ports)
    return tuple(sorted(found.values(), key=lambda e: (e.label, e.address)))


def build_zone(
    *,
    namespaces: Iterable[Mapping[str, Any]],
    services: Iterable[Mapping[str, Any]],
    endpoint_slices: Iterable[Mapping[str, Any]],
    pods: Iterable[Mapping[str, Any]],
    domain: str = CLUSTER_DOMAIN,
    serial: int = 1,
) -> ClusterZone:
    pods = list(pods)
    slices_of: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for endpoint_slice in endpoint_slices:
        owner = objects.labels_of(endpoint_slice).get(SERVICE_NAME_LABEL)
        if owner:
            key = (objects.namespace_of(endpoint_slice), owner)
            slices_of.setdefault(key, []).append(endpoint_slice)
    hostnames = _subdomain_hostnames(pods)
    entries = {}
    for service in services:
        key = (objects.namespace_of(service), objects.name_of(service))
        spec = objects.spec(service)
        external = spec.get("externalName") if spec.get("type") == "ExternalName" else None
        cluster_ip = spec.get("clusterIP")
        entries[key] = DnsService(
            namespace=key[0],
            name=key[1],
            cluster_ip=None if external or cluster_ip in (None, "", "None") else str(cluster_ip),
            external_name=str(external).rstrip(".").lower() if external else None,
            ports=_ports(spec.get("ports") or (), "port"),
            endpoints=_endpoints(key[0], key[1], slices_of.get(key, ()), hostnames),
        )
    return ClusterZone(
        domain=domain,
        serial=serial,
        namespaces=frozenset(objects.name_of(n) for n in namespaces),
        services=entries,
        pod_ips=frozenset(
            (objects.namespace_of(pod), str(objects.status(pod)["podIP"]))
            for pod in pods
            if objects.status(pod).get("podIP")
            and objects.status(pod).get("phase") not in ("Succeeded", "Failed")
        ),
    )
