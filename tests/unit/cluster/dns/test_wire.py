"""The DNS server's wire format: real dnspython messages in, real messages out."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from localnlb.cluster.dns.wire import respond
from localnlb.cluster.dns.zone import ClusterZone, build_zone

pytestmark = pytest.mark.timeout(10)


def many_endpoints(count: int) -> ClusterZone:
    return build_zone(
        namespaces=[{"metadata": {"name": "web"}}],
        services=[{"metadata": {"name": "big", "namespace": "web"}, "spec": {"clusterIP": "None"}}],
        endpoint_slices=[
            {
                "metadata": {"namespace": "web", "labels": {"kubernetes.io/service-name": "big"}},
                "endpoints": [
                    {"addresses": [f"127.18.1.{i}"], "conditions": {"ready": True}}
                    for i in range(1, count + 1)
                ],
            }
        ],
        pods=[],
    )


def ask(
    zone: ClusterZone, name: str, qtype: str = "A", *, udp: bool = True, **kw: int
) -> dns.message.Message:
    query = dns.message.make_query(name, qtype, **kw)  # type: ignore[arg-type]
    wire = respond(zone, query.to_wire(), udp=udp)
    assert wire is not None
    return dns.message.from_wire(wire)


def test_answer_is_authoritative_without_recursion() -> None:
    reply = ask(many_endpoints(2), "big.web.svc.cluster.local")
    assert reply.rcode() == dns.rcode.NOERROR
    assert reply.flags & dns.flags.AA
    assert not reply.flags & dns.flags.RA
    assert sorted(r.address for r in reply.answer[0]) == ["127.18.1.1", "127.18.1.2"]


def test_refused_outside_the_zone() -> None:
    reply = ask(many_endpoints(1), "example.com")
    assert reply.rcode() == dns.rcode.REFUSED
    assert not reply.answer
    assert not reply.flags & dns.flags.AA


def test_long_udp_answer_is_truncated_and_whole_over_tcp_or_edns() -> None:
    zone = many_endpoints(60)  # 60 A records: ~1 KiB, over UDP's 512 bytes
    truncated = ask(zone, "big.web.svc.cluster.local")
    assert truncated.flags & dns.flags.TC
    assert not truncated.answer
    assert len(ask(zone, "big.web.svc.cluster.local", udp=False).answer[0]) == 60
    assert len(ask(zone, "big.web.svc.cluster.local", use_edns=0, payload=4096).answer[0]) == 60


def test_garbage_gets_formerr_or_nothing() -> None:
    zone = many_endpoints(1)
    assert respond(zone, b"\x01\x02", udp=True) is None
    reply = respond(zone, b"\xab\xcd" + b"\x01\x00" + b"\x00\x05" + bytes(6), udp=True)
    assert reply is not None
    assert reply[:2] == b"\xab\xcd"
    assert reply[3] & 0x0F == dns.rcode.FORMERR
