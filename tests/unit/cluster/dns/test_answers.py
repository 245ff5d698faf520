"""dig-style checks of every record type the cluster DNS serves, against the pure zone."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.dns.answers import DEFAULT_TTL, Answer, Rcode, answer
from localnlb.cluster.dns.zone import ClusterZone, build_zone

pytestmark = pytest.mark.timeout(10)


def service(name: str, namespace: str, cluster_ip: str, *ports: tuple[str, int, str]) -> Any:
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "clusterIP": cluster_ip,
            "ports": [{"name": n, "port": p, "protocol": proto} for n, p, proto in ports],
        },
    }


def slice_of(
    service_name: str, namespace: str, ports: list[tuple[str, int, str]], *endpoints: Any
) -> Any:
    return {
        "metadata": {
            "name": f"{service_name}-abc",
            "namespace": namespace,
            "labels": {"kubernetes.io/service-name": service_name},
        },
        "ports": [{"name": n, "port": p, "protocol": proto} for n, p, proto in ports],
        "endpoints": list(endpoints),
    }


def endpoint(address: str, *, ready: bool = True, hostname: str | None = None) -> Any:
    body: dict[str, Any] = {"addresses": [address], "conditions": {"ready": ready}}
    if hostname:
        body["hostname"] = hostname
    return body


def pod(name: str, namespace: str, ip: str, **spec: str) -> Any:
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
        "status": {"podIP": ip, "phase": "Running"},
    }


@pytest.fixture
def zone() -> ClusterZone:
    catalog_ports = [("mysql", 3306, "TCP")]
    return build_zone(
        namespaces=[{"metadata": {"name": n}} for n in ("ui", "catalog", "default")],
        services=[
            service("ui", "ui", "127.18.192.33", ("http", 80, "TCP"), ("", 81, "TCP")),
            service("catalog-mysql", "catalog", "None", ("mysql", 3306, "TCP")),
            {
                "metadata": {"name": "upstream", "namespace": "default"},
                "spec": {"type": "ExternalName", "externalName": "db.example.com"},
            },
        ],
        endpoint_slices=[
            slice_of("ui", "ui", [("http", 8080, "TCP")], endpoint("127.18.1.5")),
            slice_of(
                "catalog-mysql",
                "catalog",
                catalog_ports,
                endpoint("127.18.1.9"),
                endpoint("127.18.17.4"),
                endpoint("127.18.1.30", ready=False),
            ),
        ],
        pods=[
            pod(
                "catalog-mysql-0",
                "catalog",
                "127.18.1.9",
                hostname="mysql-0",
                subdomain="catalog-mysql",
            ),
            pod("ui-abc", "ui", "127.18.1.5"),
        ],
    )


def dig(zone: ClusterZone, name: str, qtype: str = "A") -> list[str]:
    return [str(record) for record in answer(zone, name, qtype).answer]


def test_service_a_record_is_its_cluster_ip(zone: ClusterZone) -> None:
    assert dig(zone, "ui.ui.svc.cluster.local.") == [
        f"ui.ui.svc.cluster.local. {DEFAULT_TTL} IN A 127.18.192.33"
    ]
    assert dig(zone, "UI.ui.svc.Cluster.Local") == dig(zone, "ui.ui.svc.cluster.local")


def test_headless_service_is_its_ready_endpoints(zone: ClusterZone) -> None:
    assert dig(zone, "catalog-mysql.catalog.svc.cluster.local") == [
        "catalog-mysql.catalog.svc.cluster.local. 30 IN A 127.18.1.9",
        "catalog-mysql.catalog.svc.cluster.local. 30 IN A 127.18.17.4",
    ]


def test_srv_for_a_named_port_of_a_cluster_ip_service(zone: ClusterZone) -> None:
    result = answer(zone, "_http._tcp.ui.ui.svc.cluster.local", "SRV")
    assert [str(r) for r in result.answer] == [
        "_http._tcp.ui.ui.svc.cluster.local. 30 IN SRV 0 100 80 ui.ui.svc.cluster.local."
    ]
    assert [str(r) for r in result.additional] == ["ui.ui.svc.cluster.local. 30 IN A 127.18.192.33"]
    # the unnamed port has no SRV record; a port that is not there is no name at all
    assert dig(zone, "ui.ui.svc.cluster.local", "SRV") == [
        "ui.ui.svc.cluster.local. 30 IN SRV 0 100 80 ui.ui.svc.cluster.local."
    ]
    assert answer(zone, "_http._udp.ui.ui.svc.cluster.local", "SRV").rcode is Rcode.NXDOMAIN


def test_srv_of_a_headless_service_names_each_endpoint(zone: ClusterZone) -> None:
    result = answer(zone, "_mysql._tcp.catalog-mysql.catalog.svc.cluster.local", "SRV")
    assert [str(r) for r in result.answer] == [
        "_mysql._tcp.catalog-mysql.catalog.svc.cluster.local. 30 IN SRV "
        "0 50 3306 127-18-17-4.catalog-mysql.catalog.svc.cluster.local.",
        "_mysql._tcp.catalog-mysql.catalog.svc.cluster.local. 30 IN SRV "
        "0 50 3306 mysql-0.catalog-mysql.catalog.svc.cluster.local.",
    ]
    assert {str(r) for r in result.additional} == {
        "127-18-17-4.catalog-mysql.catalog.svc.cluster.local. 30 IN A 127.18.17.4",
        "mysql-0.catalog-mysql.catalog.svc.cluster.local. 30 IN A 127.18.1.9",
    }


def test_hostname_and_subdomain_give_a_pod_its_own_name(zone: ClusterZone) -> None:
    assert dig(zone, "mysql-0.catalog-mysql.catalog.svc.cluster.local") == [
        "mysql-0.catalog-mysql.catalog.svc.cluster.local. 30 IN A 127.18.1.9"
    ]
    # a not-ready endpoint has no name, like one that is not there
    not_ready = answer(zone, "127-18-1-30.catalog-mysql.catalog.svc.cluster.local", "A")
    assert not_ready.rcode is Rcode.NXDOMAIN


def test_hostname_written_on_the_endpoint_wins() -> None:
    zone = build_zone(
        namespaces=[{"metadata": {"name": "db"}}],
        services=[service("mysql", "db", "None", ("mysql", 3306, "TCP"))],
        endpoint_slices=[slice_of("mysql", "db", [], endpoint("127.18.1.2", hostname="mysql-0"))],
        pods=[],
    )
    assert dig(zone, "mysql-0.mysql.db.svc.cluster.local") == [
        "mysql-0.mysql.db.svc.cluster.local. 30 IN A 127.18.1.2"
    ]


def test_pod_records_are_verified(zone: ClusterZone) -> None:
    assert dig(zone, "127-18-1-5.ui.pod.cluster.local") == [
        "127-18-1-5.ui.pod.cluster.local. 30 IN A 127.18.1.5"
    ]
    # no pod with that IP in that namespace: never an answer pointing anywhere (8.8.8.8 too)
    for name in ("127-18-1-5.catalog.pod.cluster.local", "8-8-8-8.ui.pod.cluster.local"):
        assert answer(zone, name, "A").rcode is Rcode.NXDOMAIN


def test_external_name_is_a_cname_never_chased(zone: ClusterZone) -> None:
    assert dig(zone, "upstream.default.svc.cluster.local") == [
        "upstream.default.svc.cluster.local. 30 IN CNAME db.example.com."
    ]


def test_unknown_cluster_names_are_nxdomain_with_the_soa(zone: ClusterZone) -> None:
    for name in (
        "nope.ui.svc.cluster.local",
        "ui.nope.svc.cluster.local",
        "a.b.ui.ui.svc.cluster.local",
        "ui.ui.nope.cluster.local",
    ):
        result = answer(zone, name, "A")
        assert result.rcode is Rcode.NXDOMAIN, name
        assert [r.rtype for r in result.authority] == ["SOA"]
        assert result.authoritative


def test_known_names_without_that_type_are_nodata(zone: ClusterZone) -> None:
    for name, qtype in (
        ("ui.ui.svc.cluster.local", "AAAA"),
        ("ui.svc.cluster.local", "A"),  # a namespace: an empty non-terminal
        ("svc.cluster.local", "A"),
        ("cluster.local", "A"),
    ):
        result = answer(zone, name, qtype)
        assert (result.rcode, result.answer) == (Rcode.NOERROR, ()), name
        assert [r.rtype for r in result.authority] == ["SOA"]


def test_soa_and_schema_version(zone: ClusterZone) -> None:
    assert dig(zone, "cluster.local", "SOA") == [
        "cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. "
        "1 7200 1800 86400 30"
    ]
    assert dig(zone, "dns-version.cluster.local", "TXT") == [
        'dns-version.cluster.local. 30 IN TXT "1.1.0"'
    ]


def test_reverse_lookups_name_services_and_headless_endpoints(zone: ClusterZone) -> None:
    assert dig(zone, "33.192.18.127.in-addr.arpa", "PTR") == [
        "33.192.18.127.in-addr.arpa. 30 IN PTR ui.ui.svc.cluster.local."
    ]
    assert dig(zone, "9.1.18.127.in-addr.arpa", "PTR") == [
        "9.1.18.127.in-addr.arpa. 30 IN PTR mysql-0.catalog-mysql.catalog.svc.cluster.local."
    ]
    assert answer(zone, "8.8.8.8.in-addr.arpa", "PTR").rcode is Rcode.REFUSED


@pytest.mark.parametrize(
    "name", ["example.com", "ui", "ui.ui", "localhost", "cluster.local.example.com", "local"]
)
def test_every_other_name_is_refused_never_forwarded(zone: ClusterZone, name: str) -> None:
    assert answer(zone, name, "A") == Answer(Rcode.REFUSED, authoritative=False)


def test_terminal_pods_have_no_records() -> None:
    done = pod("job-1", "default", "127.18.1.7")
    done["status"]["phase"] = "Succeeded"
    zone = build_zone(
        namespaces=[{"metadata": {"name": "default"}}], services=[], endpoint_slices=[], pods=[done]
    )
    assert answer(zone, "127-18-1-7.default.pod.cluster.local", "A").rcode is Rcode.NXDOMAIN
