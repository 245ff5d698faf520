"""Name and type → the answer CoreDNS's kubernetes plugin gives, over a :class:`ClusterZone`.

Records follow the Kubernetes DNS-Based Service Discovery specification (schema 1.1.0):

- ``<svc>.<ns>.svc.<zone>``: A = the ClusterIP; for a headless Service, one A per ready endpoint;
  an ExternalName Service is a CNAME to its name (never chased: that name is not ours);
- ``_<port>._<proto>.<svc>.<ns>.svc.<zone>``: SRV per named port (headless: one per endpoint,
  target ``<endpoint>.<svc>.<ns>.svc.<zone>``, its A records in the additional section);
- ``<hostname>.<svc>.<ns>.svc.<zone>``: a headless Service's endpoint (StatefulSet pods);
- ``<a-b-c-d>.<ns>.pod.<zone>``: the pod with that IP in that namespace, as ``pods verified``
  answers (``pods insecure`` would hand out any address written with dashes, off 127/8 too);
- ``dns-version.<zone>`` TXT ``1.1.0``; PTR for ClusterIPs and headless endpoints.

A known name without records of the asked type is NODATA (NOERROR, the SOA in authority); an
unknown name in the zone is NXDOMAIN. Every other name is REFUSED: this server is authoritative
for the cluster zone only and forwards nothing (a forward could leave the machine), and REFUSED
(RFC 1035: refused for policy reasons) tells a stub resolver at once that this server will not
answer, where SERVFAIL would read as a failure worth retrying. TTL 30, as Kubernetes' Corefile
sets (``ttl 30``; the plugin's own default is 5). Pure.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass

from localnlb.cluster.dns.zone import ClusterZone, DnsService, ServicePort

DEFAULT_TTL = 30
SCHEMA_VERSION = "1.1.0"
SOA_REFRESH, SOA_RETRY, SOA_EXPIRE = 7200, 1800, 86400  # CoreDNS's


class Rcode(enum.IntEnum):
    NOERROR = 0
    SERVFAIL = 2
    NXDOMAIN = 3
    REFUSED = 5


@dataclass(frozen=True, slots=True)
class Record:
    name: str  # absolute, with the trailing dot
    rtype: str  # "A" | "SRV" | "CNAME" | "PTR" | "TXT" | "SOA"
    ttl: int
    rdata: str  # presentation form, as dig prints it

    def __str__(self) -> str:
        return f"{self.name} {self.ttl} IN {self.rtype} {self.rdata}"


@dataclass(frozen=True, slots=True)
class Answer:
    rcode: Rcode
    answer: tuple[Record, ...] = ()
    authority: tuple[Record, ...] = ()
    additional: tuple[Record, ...] = ()
    authoritative: bool = True


REFUSED = Answer(Rcode.REFUSED, authoritative=False)


def answer(zone: ClusterZone, qname: str, qtype: str, *, ttl: int = DEFAULT_TTL) -> Answer:
    return _Lookup(zone, ttl).run(qname.lower().rstrip("."), qtype.upper())


class _Lookup:
    def __init__(self, zone: ClusterZone, ttl: int) -> None:
        self.zone, self.ttl, self.domain = zone, ttl, zone.domain.lower().rstrip(".")

    def run(self, name: str, qtype: str) -> Answer:
        if name.endswith(".in-addr.arpa"):
            return self._reverse(name, qtype)
        if name != self.domain and not name.endswith("." + self.domain):
            return REFUSED
        labels = name[: -len(self.domain)].rstrip(".").split(".") if name != self.domain else []
        if not labels:
            return self._found([self._soa()] if qtype in ("SOA", "ANY") else [])
        if labels == ["dns-version"]:
            txt = self._record(name, "TXT", f'"{SCHEMA_VERSION}"')
            return self._found([txt] if qtype in ("TXT", "ANY") else [])
        if labels[-1] == "svc":
            return self._services(labels[:-1], qtype)
        if labels[-1] == "pod":
            return self._pods(labels[:-1], qtype)
        return self._nxdomain()

    # -- <...>.svc.<zone> -------------------------------------------------------------------

    def _services(self, labels: list[str], qtype: str) -> Answer:
        if not labels:
            return self._found([])
        namespace = labels[-1]
        if namespace not in self.zone.namespaces:
            return self._nxdomain()
        if len(labels) == 1:
            return self._found([])
        service = self.zone.services.get((namespace, labels[-2]))
        if service is None:
            return self._nxdomain()
        owner = ".".join([*labels, "svc", self.domain])
        if len(labels) == 2:
            return self._service(service, owner, qtype, None)
        if len(labels) == 3 and service.headless:
            endpoint = next((e for e in service.endpoints if e.label == labels[0]), None)
            if endpoint is None:
                return self._nxdomain()
            a = self._a(f"{endpoint.label}.{self._service_name(service)}", endpoint.address)
            return self._found([a] if qtype in ("A", "ANY") else [])
        if len(labels) == 4 and labels[0].startswith("_") and labels[1].startswith("_"):
            wanted = (labels[0][1:], labels[1][1:])
            if not any(_port_matches(p, wanted) for p in service.ports):
                return self._nxdomain()
            return self._service(service, owner, qtype, wanted)
        return self._nxdomain()

    def _service(
        self, service: DnsService, owner: str, qtype: str, port: tuple[str, str] | None
    ) -> Answer:
        """``owner``: the name asked (the Service's, or one of its ``_port._proto`` names)."""
        name = self._service_name(service)
        if service.external_name is not None:
            return self._found([self._record(owner, "CNAME", service.external_name + ".")])
        answer: list[Record] = []
        additional: list[Record] = []
        if qtype in ("A", "ANY"):
            answer += [self._a(owner, ip) for ip in self._addresses(service)]
        if qtype in ("SRV", "ANY"):
            targets = self._srv_targets(service, name, port)
            weight = 100 // len(targets) if targets else 0
            for target, number, address in targets:
                answer.append(self._record(owner, "SRV", f"0 {weight} {number} {target}."))
                additional.append(self._a(target, address))
        return self._found(answer, additional=_unique(additional))

    def _srv_targets(
        self, service: DnsService, name: str, port: tuple[str, str] | None
    ) -> list[tuple[str, int, str]]:
        """(target, port, target's address) for each named port (or only ``port``)."""
        if service.cluster_ip is not None:
            return [
                (name, p.port, service.cluster_ip)
                for p in service.ports
                if p.name and (port is None or _port_matches(p, port))
            ]
        return [
            (f"{endpoint.label}.{name}", p.port, endpoint.address)
            for endpoint in service.endpoints
            for p in endpoint.ports
            if p.name and (port is None or _port_matches(p, port))
        ]

    @staticmethod
    def _addresses(service: DnsService) -> list[str]:
        if service.cluster_ip is not None:
            return [service.cluster_ip]
        return sorted({e.address for e in service.endpoints}, key=ipaddress.ip_address)

    # -- <a-b-c-d>.<ns>.pod.<zone> ---------------------------------------------------------

    def _pods(self, labels: list[str], qtype: str) -> Answer:
        if not labels:
            return self._found([])
        if labels[-1] not in self.zone.namespaces:
            return self._nxdomain()
        if len(labels) == 1:
            return self._found([])
        if len(labels) != 2:
            return self._nxdomain()
        try:
            address = str(ipaddress.IPv4Address(labels[0].replace("-", ".")))
        except ValueError:
            return self._nxdomain()
        if (labels[1], address) not in self.zone.pod_ips:
            return self._nxdomain()
        record = self._a(f"{labels[0]}.{labels[1]}.pod.{self.domain}", address)
        return self._found([record] if qtype in ("A", "ANY") else [])

    # -- PTR ----------------------------------------------------------------------------------

    def _reverse(self, name: str, qtype: str) -> Answer:
        octets = name[: -len(".in-addr.arpa")].split(".")
        try:
            address = str(ipaddress.IPv4Address(".".join(reversed(octets))))
        except ValueError:
            return REFUSED
        targets = sorted(self._names_of(address))
        if not targets:
            return REFUSED  # not ours: CoreDNS would fall through to a forward, which we lack
        if qtype not in ("PTR", "ANY"):
            return Answer(Rcode.NOERROR)
        return Answer(Rcode.NOERROR, tuple(self._record(name, "PTR", t + ".") for t in targets))

    def _names_of(self, address: str) -> set[str]:
        names = set()
        for service in self.zone.services.values():
            if service.cluster_ip == address:
                names.add(self._service_name(service))
            if service.headless:
                names |= {
                    f"{e.label}.{self._service_name(service)}"
                    for e in service.endpoints
                    if e.address == address
                }
        return names

    # -- building blocks ----------------------------------------------------------------------

    def _service_name(self, service: DnsService) -> str:
        return f"{service.name}.{service.namespace}.svc.{self.domain}"

    def _record(self, name: str, rtype: str, rdata: str) -> Record:
        return Record(name.rstrip(".") + ".", rtype, self.ttl, rdata)

    def _a(self, name: str, address: str) -> Record:
        return self._record(name, "A", address)

    def _soa(self) -> Record:
        return self._record(
            self.domain,
            "SOA",
            f"ns.dns.{self.domain}. hostmaster.{self.domain}. {self.zone.serial} "
            f"{SOA_REFRESH} {SOA_RETRY} {SOA_EXPIRE} {self.ttl}",
        )

    def _found(self, answer: list[Record], *, additional: list[Record] | None = None) -> Answer:
        if not answer:
            return Answer(Rcode.NOERROR, authority=(self._soa(),))
        return Answer(Rcode.NOERROR, tuple(answer), additional=tuple(additional or ()))

    def _nxdomain(self) -> Answer:
        return Answer(Rcode.NXDOMAIN, authority=(self._soa(),))


def _port_matches(port: ServicePort, wanted: tuple[str, str]) -> bool:
    return port.name.lower() == wanted[0] and port.protocol.lower() == wanted[1]


def _unique(records: list[Record]) -> list[Record]:
    return list(dict.fromkeys(records))
