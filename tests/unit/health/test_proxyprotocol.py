"""PROXY v2 headers match the bytes AWS's Network Load Balancer puts on the wire (reference §4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localnlb.common.proxyprotocol import (
    AWS_SUBTYPE_VPCE_ID,
    SIGNATURE,
    Command,
    Family,
    ProxyProtocolError,
    Tlv,
    TlvType,
    Transport,
    crc32c,
    decode,
    encode_local,
    encode_proxy,
)

# A health-check connection as captured from a real NLB (kubernetes/kubernetes#57250).
AWS_HEALTH_CHECK = bytes.fromhex("0D0A0D0A000D0A515549540A20110054030004bce5951f04004a") + bytes(74)

# A PrivateLink client connection from AWS's own proprot compatibility test.
VPCE_ID = b"vpce-08d2bf15fac5001c9"
AWS_PRIVATELINK = (
    bytes.fromhex("0D0A0D0A000D0A515549540A21110054")
    + bytes.fromhex("AC1F0771AC1F0A1FC8F20050")
    + bytes.fromhex("030004E8D6892D")
    + bytes.fromhex("EA001701")
    + VPCE_ID
    + bytes.fromhex("040024")
    + bytes(36)
)


def test_crc32c_check_value() -> None:
    assert crc32c(b"123456789") == 0xE3069283


def test_local_header_is_byte_for_byte_what_aws_sends() -> None:
    assert encode_local() == AWS_HEALTH_CHECK
    assert len(encode_local()) == 100


def test_proxy_header_is_byte_for_byte_what_aws_sends() -> None:
    header = encode_proxy(
        source=("172.31.7.113", 51442),
        destination=("172.31.10.31", 80),
        tlvs=(Tlv(TlvType.AWS, bytes([AWS_SUBTYPE_VPCE_ID]) + VPCE_ID),),
    )
    assert header == AWS_PRIVATELINK


def test_plain_ipv4_proxy_header_is_padded_to_100_bytes() -> None:
    header = encode_proxy(source=("127.42.0.7", 40000), destination=("127.42.0.100", 80))
    assert len(header) == 100
    assert header[12:16] == bytes.fromhex("21110054")
    parsed = decode(header)
    assert parsed is not None
    assert [t.type for t in parsed.tlvs] == [TlvType.CRC32C, TlvType.NOOP]


def test_decode_aws_health_check() -> None:
    parsed = decode(AWS_HEALTH_CHECK + b"GET / HTTP/1.1\r\n")
    assert parsed is not None
    assert parsed.command is Command.LOCAL
    assert parsed.family is Family.INET
    assert parsed.transport is Transport.STREAM
    assert parsed.source is None
    assert parsed.destination is None
    assert parsed.length == 100
    crc = parsed.tlv(TlvType.CRC32C)
    assert crc is not None
    assert crc.value == bytes.fromhex("bce5951f")


def test_decode_aws_privatelink() -> None:
    parsed = decode(AWS_PRIVATELINK)
    assert parsed is not None
    assert parsed.command is Command.PROXY
    assert parsed.source == ("172.31.7.113", 51442)
    assert parsed.destination == ("172.31.10.31", 80)
    aws = parsed.tlv(TlvType.AWS)
    assert aws is not None
    assert aws.value == b"\x01" + VPCE_ID


def test_ipv6_round_trip() -> None:
    header = encode_proxy(source=("::1", 1234), destination=("fd00::5", 443))
    assert header[13] == 0x21
    parsed = decode(header)
    assert parsed is not None
    assert parsed.family is Family.INET6
    assert parsed.source == ("::1", 1234)
    assert parsed.destination == ("fd00::5", 443)


def test_mixed_ip_versions_are_refused() -> None:
    with pytest.raises(ValueError, match="same IP version"):
        encode_proxy(source=("::1", 1), destination=("127.0.0.1", 2))


@pytest.mark.parametrize("cut", [0, 1, 11, 12, 15, 16, 50, 99])
def test_partial_header_needs_more_bytes(cut: int) -> None:
    assert decode(AWS_PRIVATELINK[:cut]) is None


def test_not_a_signature() -> None:
    with pytest.raises(ProxyProtocolError, match="signature"):
        decode(b"GET / HTTP/1.1\r\n")


def test_wrong_version() -> None:
    with pytest.raises(ProxyProtocolError, match="version"):
        decode(SIGNATURE + bytes([0x11, 0x11, 0, 0]))


def test_bad_command() -> None:
    with pytest.raises(ProxyProtocolError, match="command"):
        decode(SIGNATURE + bytes([0x2F, 0x11, 0, 0]))


def test_checksum_mismatch_is_rejected() -> None:
    tampered = bytearray(AWS_PRIVATELINK)
    tampered[16] ^= 0x01  # one bit of the source address
    with pytest.raises(ProxyProtocolError, match="CRC32C"):
        decode(bytes(tampered))


def test_proxy_too_short_for_addresses() -> None:
    with pytest.raises(ProxyProtocolError, match="too short"):
        decode(SIGNATURE + bytes([0x21, 0x11, 0, 4]) + bytes(4))


def test_malformed_tlvs() -> None:
    with pytest.raises(ProxyProtocolError, match="TLVs"):
        decode(SIGNATURE + bytes([0x21, 0x11, 0, 14]) + bytes(12) + b"\x04\x00")


def test_header_without_crc_is_accepted() -> None:
    parsed = decode(SIGNATURE + bytes([0x21, 0x11, 0, 12]) + bytes([127, 0, 0, 1] * 2) + bytes(4))
    assert parsed is not None
    assert parsed.source == ("127.0.0.1", 0)
    assert parsed.tlvs == ()


@given(
    source=st.tuples(st.ip_addresses(v=4).map(str), st.integers(0, 65535)),
    destination=st.tuples(st.ip_addresses(v=4).map(str), st.integers(0, 65535)),
    extra=st.lists(
        st.tuples(st.sampled_from([0x01, 0x02, 0x05, 0xEA]), st.binary(max_size=80)), max_size=3
    ),
)
def test_encode_decode_round_trip(
    source: tuple[str, int], destination: tuple[str, int], extra: list[tuple[int, bytes]]
) -> None:
    tlvs = tuple(Tlv(t, v) for t, v in extra)
    header = encode_proxy(source=source, destination=destination, tlvs=tlvs)
    assert len(header) >= 100
    parsed = decode(header + b"payload")
    assert parsed is not None
    assert parsed.length == len(header)
    assert (parsed.source, parsed.destination) == (source, destination)
    assert tuple(t for t in parsed.tlvs if t.type not in (TlvType.CRC32C, TlvType.NOOP)) == tlvs
