"""Reading /proc/net socket tables for addresses bound inside a VPC (pure)."""

from __future__ import annotations

from localnlb.common.octet_claims import bound_in

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid"
# 127.200.1.5:8080 listening, 127.201.0.1:80, 127.0.0.1:53 (host-order hex, as x86 prints it)
LINES = [
    "   0: 0501C87F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0",
    "   1: 0100C97F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0",
    "   2: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0",
    "   3: garbage",
]


def test_sockets_bound_in_the_vpc_are_found() -> None:
    assert bound_in(200, LINES) == ["127.200.1.5:8080"]
    assert bound_in(201, LINES) == ["127.201.0.1:80"]
    assert bound_in(202, [HEADER, *LINES]) == []
