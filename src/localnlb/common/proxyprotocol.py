"""PROXY protocol version 2 headers, byte for byte as a Network Load Balancer sends them.

Owns encoding and decoding of the binary v2 header (reference elbv2-api-and-nlb.md §4), shared by
the health checker (a ``LOCAL`` header on every health-check connection of a target group with
``proxy_protocol_v2.enabled``) and the data plane (a ``PROXY`` header ahead of each client flow).

What AWS does, and so what :func:`encode_local` and :func:`encode_proxy` do:

* the header always carries a CRC32C TLV (``0x03``) over the whole header, computed with the
  checksum field zeroed, and is padded with a NOOP TLV (``0x04``) so that its ``len`` field is 84,
  i.e. 100 bytes in all for IPv4;
* health checks use command ``LOCAL`` (``0x20``) with family byte ``0x11`` yet no address block:
  the TLVs start right after the 16-byte preamble (the bytes AWS sends were checked against their
  CRC, which only matches that layout);
* client flows use ``PROXY`` (``0x21``), family ``0x11`` (TCP over IPv4) or ``0x21`` (IPv6).

For IPv6 the padding target keeps AWS's TLV budget (72 bytes after the addresses); no AWS
capture of an IPv6 header was found, so that length is our choice, not a copied fact.

:func:`decode` is what a receiver needs: it returns None until the whole header has arrived,
rejects a bad signature, version or checksum with :class:`ProxyProtocolError`, and reports how
many bytes to skip. Nothing here does I/O.
"""

from __future__ import annotations

import enum
import ipaddress
import struct
from dataclasses import dataclass

SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
PREAMBLE_LENGTH = 16  # signature, ver_cmd, fam, len
AWS_TLV_BUDGET = 72  # bytes of TLVs after the addresses in AWS's 100-byte IPv4 header
_ADDRESS_LENGTHS = {1: 12, 2: 36, 3: 216}  # by family: INET, INET6, UNIX


class ProxyProtocolError(ValueError):
    """The bytes are not a valid PROXY protocol v2 header."""


class Command(enum.IntEnum):
    LOCAL = 0x0
    PROXY = 0x1


class Family(enum.IntEnum):
    UNSPEC = 0x0
    INET = 0x1
    INET6 = 0x2
    UNIX = 0x3


class Transport(enum.IntEnum):
    UNSPEC = 0x0
    STREAM = 0x1
    DGRAM = 0x2


class TlvType(enum.IntEnum):
    ALPN = 0x01
    AUTHORITY = 0x02
    CRC32C = 0x03
    NOOP = 0x04
    UNIQUE_ID = 0x05
    SSL = 0x20
    NETNS = 0x30
    AWS = 0xEA


AWS_SUBTYPE_VPCE_ID = 0x01


@dataclass(frozen=True, slots=True)
class Tlv:
    type: int
    value: bytes

    def encode(self) -> bytes:
        return struct.pack("!BH", self.type, len(self.value)) + self.value


@dataclass(frozen=True, slots=True)
class ProxyHeader:
    command: Command
    family: Family
    transport: Transport
    source: tuple[str, int] | None  # None for LOCAL, UNSPEC and UNIX
    destination: tuple[str, int] | None
    tlvs: tuple[Tlv, ...]
    length: int  # bytes the header takes on the wire: skip this many

    def tlv(self, tlv_type: int) -> Tlv | None:
        return next((t for t in self.tlvs if t.type == tlv_type), None)


def _crc32c_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), as the CRC32C TLV carries it; headers are ~100 bytes, so a table
    walk in Python costs microseconds and spares a compiled dependency."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def encode_local() -> bytes:
    """The header an NLB opens every health-check connection with."""
    return _encode(ver_cmd=0x20, family_byte=0x11, addresses=b"", tlvs=(), target_length=84)


def encode_proxy(
    *,
    source: tuple[str, int],
    destination: tuple[str, int],
    tlvs: tuple[Tlv, ...] = (),
    transport: Transport = Transport.STREAM,
) -> bytes:
    """The header ahead of a client flow from ``source`` to the LB's ``destination``."""
    src, dst = ipaddress.ip_address(source[0]), ipaddress.ip_address(destination[0])
    if src.version != dst.version:
        raise ValueError("source and destination must be of the same IP version")
    family = Family.INET if src.version == 4 else Family.INET6
    addresses = src.packed + dst.packed + struct.pack("!HH", source[1], destination[1])
    return _encode(
        ver_cmd=0x21,
        family_byte=(family << 4) | transport,
        addresses=addresses,
        tlvs=tlvs,
        target_length=len(addresses) + AWS_TLV_BUDGET,
    )


def _encode(
    *, ver_cmd: int, family_byte: int, addresses: bytes, tlvs: tuple[Tlv, ...], target_length: int
) -> bytes:
    body = addresses + Tlv(TlvType.CRC32C, bytes(4)).encode()
    body += b"".join(t.encode() for t in tlvs)
    padding = target_length - len(body)
    if padding > 0:
        # A NOOP TLV is at least 3 bytes; when 1 or 2 remain, overshoot rather than fall short.
        body += Tlv(TlvType.NOOP, bytes(max(padding - 3, 0))).encode()
    header = bytearray(SIGNATURE + struct.pack("!BBH", ver_cmd, family_byte, len(body)) + body)
    crc_value_at = PREAMBLE_LENGTH + len(addresses) + 3
    header[crc_value_at : crc_value_at + 4] = struct.pack("!I", crc32c(bytes(header)))
    return bytes(header)


def decode(data: bytes) -> ProxyHeader | None:
    """Parse the header at the start of ``data``; None while more bytes are needed.

    A receiver must not act on a partial header, so nothing is returned until all ``16 + len``
    bytes are there. For ``LOCAL`` the addresses are ignored, as the spec says; its TLVs are read
    from right after the preamble (AWS's layout) or else after an address block.
    """
    prefix = data[: len(SIGNATURE)]
    if prefix != SIGNATURE[: len(prefix)]:
        raise ProxyProtocolError("not a PROXY protocol v2 signature")
    if len(data) < PREAMBLE_LENGTH:
        return None
    ver_cmd, family_byte, length = struct.unpack_from("!BBH", data, len(SIGNATURE))
    if ver_cmd >> 4 != 0x2:
        raise ProxyProtocolError(f"unsupported PROXY protocol version {ver_cmd >> 4}")
    try:
        command = Command(ver_cmd & 0x0F)
        family, transport = Family(family_byte >> 4), Transport(family_byte & 0x0F)
    except ValueError as exc:
        raise ProxyProtocolError(f"bad command or family byte: {exc}") from exc
    if len(data) < PREAMBLE_LENGTH + length:
        return None
    header = bytes(data[: PREAMBLE_LENGTH + length])
    address_length = _ADDRESS_LENGTHS.get(family, 0)
    if command is Command.PROXY:
        if length < address_length:
            raise ProxyProtocolError(f"len {length} is too short for the {family.name} addresses")
        source, destination = _addresses(header, family)
        placed = _tlvs(header, PREAMBLE_LENGTH + address_length)
        if placed is None:
            raise ProxyProtocolError("malformed TLVs")
    else:
        source = destination = None
        placed = _tlvs(header, PREAMBLE_LENGTH)
        if placed is None and address_length <= length:
            placed = _tlvs(header, PREAMBLE_LENGTH + address_length)
        placed = placed or ()
    _check_crc(header, placed)
    tlvs = tuple(tlv for _, tlv in placed)
    return ProxyHeader(command, family, transport, source, destination, tlvs, len(header))


def _addresses(
    header: bytes, family: Family
) -> tuple[tuple[str, int] | None, tuple[str, int] | None]:
    at = PREAMBLE_LENGTH
    if family is Family.INET:
        src, dst = header[at : at + 4], header[at + 4 : at + 8]
        sport, dport = struct.unpack_from("!HH", header, at + 8)
    elif family is Family.INET6:
        src, dst = header[at : at + 16], header[at + 16 : at + 32]
        sport, dport = struct.unpack_from("!HH", header, at + 32)
    else:
        return None, None
    return (
        (str(ipaddress.ip_address(src)), sport),
        (str(ipaddress.ip_address(dst)), dport),
    )


def _tlvs(header: bytes, start: int) -> tuple[tuple[int, Tlv], ...] | None:
    """(offset, TLV) from ``start`` to the end, or None unless they tile that span exactly."""
    tlvs: list[tuple[int, Tlv]] = []
    at = start
    while at < len(header):
        if at + 3 > len(header):
            return None
        tlv_type, value_length = struct.unpack_from("!BH", header, at)
        end = at + 3 + value_length
        if end > len(header):
            return None
        tlvs.append((at, Tlv(tlv_type, header[at + 3 : end])))
        at = end
    return tuple(tlvs)


def _check_crc(header: bytes, placed: tuple[tuple[int, Tlv], ...]) -> None:
    """A receiver that understands CRC32C must reject a header whose checksum is wrong."""
    found = next(((at, t) for at, t in placed if t.type == TlvType.CRC32C), None)
    if found is None:
        return
    at, crc_tlv = found
    if len(crc_tlv.value) != 4:
        raise ProxyProtocolError("a CRC32C TLV must hold 4 bytes")
    zeroed = header[: at + 3] + bytes(4) + header[at + 7 :]
    if crc32c(zeroed) != struct.unpack("!I", crc_tlv.value)[0]:
        raise ProxyProtocolError("CRC32C checksum mismatch")
