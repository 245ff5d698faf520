"""DNS messages on the wire ↔ :mod:`.answers`, with dnspython's message codec.

:func:`respond` takes a query's bytes and returns the response's bytes: one question, answered
from the zone; a message that does not parse gets FORMERR when its header can be read (and no
reply at all otherwise, as a server drops garbage); an opcode other than QUERY gets NOTIMP.
``max_size`` is the payload the transport allows: over UDP 512 bytes, or the client's EDNS
size; a longer response is truncated (TC set) so the client retries over TCP. Pure.
"""

from __future__ import annotations

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.rrset

from localnlb.cluster.dns.answers import Answer, Record, answer
from localnlb.cluster.dns.zone import ClusterZone

UDP_PAYLOAD = 512  # without EDNS (RFC 1035)
TCP_PAYLOAD = 65535


def respond(zone: ClusterZone, wire: bytes, *, udp: bool, ttl: int | None = None) -> bytes | None:
    try:
        query = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        return _format_error(wire)
    response = dns.message.make_response(query)
    response.flags &= ~dns.flags.RA  # no recursion here, ever
    if query.opcode() != dns.opcode.QUERY or len(query.question) != 1:
        response.set_rcode(
            dns.rcode.NOTIMP if query.opcode() != dns.opcode.QUERY else dns.rcode.FORMERR
        )
        return response.to_wire()
    question = query.question[0]
    kwargs = {} if ttl is None else {"ttl": ttl}
    result = answer(zone, question.name.to_text(), dns.rdatatype.to_text(question.rdtype), **kwargs)
    _fill(response, result)
    limit = TCP_PAYLOAD if not udp else max(UDP_PAYLOAD, query.payload if query.edns >= 0 else 0)
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        response.answer, response.authority, response.additional = [], [], []
        response.flags |= dns.flags.TC
        return response.to_wire(max_size=limit)


def _fill(response: dns.message.Message, result: Answer) -> None:
    response.set_rcode(dns.rcode.Rcode(int(result.rcode)))
    if result.authoritative:
        response.flags |= dns.flags.AA
    response.answer = _rrsets(result.answer)
    response.authority = _rrsets(result.authority)
    response.additional = _rrsets(result.additional)


def _rrsets(records: tuple[Record, ...]) -> list[dns.rrset.RRset]:
    grouped: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        grouped.setdefault((record.name, record.rtype), []).append(record)
    return [
        dns.rrset.from_text_list(name, group[0].ttl, "IN", rtype, [r.rdata for r in group])
        for (name, rtype), group in grouped.items()
    ]


def _format_error(wire: bytes) -> bytes | None:
    """FORMERR echoing the query's id, when at least the 12-byte header is there."""
    if len(wire) < 12:
        return None
    flags = 0x8000 | (wire[2] & 0x78) << 8 | dns.rcode.FORMERR  # QR, the query's opcode
    return wire[:2] + flags.to_bytes(2, "big") + bytes(8)
