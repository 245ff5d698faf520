"""Target choice by flow hash, as an NLB does it (reference §3.7): one hash for both engines.

The hash is fixed and process-independent, because every choice that must agree across the LB
node worker processes (``source_ip`` stickiness above all) is made in each of them separately,
and each is a fresh interpreter (``spawn``) whose built-in ``hash()`` is seeded at random. It is
the Linux kernel's ``jhash`` (Bob Jenkins' lookup3) with the fixed seed :data:`SEED`, over the
flow's fields laid out as nftables lays them in its registers (each field in network byte order,
padded to 4 bytes), and the hash maps to a candidate as nftables' ``jhash … mod N`` does
(``reciprocal_scale``: ``hash * N >> 32``). So the kernel engine, whose rules
(:mod:`localnlb.dataplane.kernel.ruleset`) hash each new flow's first packet inside nftables
with :data:`SEED`, and the user-space engine pick the same target for the same fields.

The fields: TCP: client IP and port, node IP and listener port, and the TCP sequence number of
the SYN. UDP: the 4-tuple alone, so a flow's datagrams agree. With ``stickiness.type=source_ip``
only the client IP counts. A user space proxy never sees the client's ISN: the hash of four
fields and a random number is itself a random number, so :func:`flow_key` gives a new TCP
connection a fresh random key outright. It plays the ISN's part (two connections from one
client spread over the targets) at the cost of one call on the hottest path there is.

The flow is pinned by the caller (the relay holds its target); this module only chooses. Pure.
"""

from __future__ import annotations

import functools
import random
import socket
import struct
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

TCP = 6
UDP = 17
# The hash seed every engine uses ("LNLB" in ASCII): fixed, so a sticky client keeps its target
# across worker processes, engines and restarts for as long as the candidates stay the same.
SEED = 0x4C4E4C42

_MASK = 0xFFFFFFFF
_INITIAL = 0xDEADBEEF  # lookup3's JHASH_INITVAL
_keys = random.Random()
_TCP_KEY = struct.Struct("!4sH2x4sH2xI")  # saddr . sport . daddr . dport . sequence (20 bytes)
_UDP_KEY = struct.Struct("!4sH2x4sH2x")  # saddr . sport . daddr . dport (16 bytes)


def flow_key(
    *, protocol: int, client: tuple[str, int], listener: tuple[str, int], sticky: bool
) -> int:
    """The key a user-space LB node chooses a new flow's target by."""
    if sticky:
        return _sticky_hash(client[0])
    if protocol == TCP:
        return _keys.getrandbits(32)  # the hash of a random sequence number: random
    return flow_hash(protocol=protocol, client=client, listener=listener)


@functools.lru_cache(maxsize=4096)
def _sticky_hash(client_ip: str) -> int:
    # Cached: a sticky client comes back again and again, and its hash never changes.
    return jhash(_address(client_ip))


def _address(ip: str) -> bytes:
    return socket.inet_aton(ip)  # LB nodes and their clients are IPv4 (127/8)


def flow_hash(
    *,
    protocol: int,
    client: tuple[str, int],
    listener: tuple[str, int],
    sequence: int = 0,
    sticky: bool = False,
) -> int:
    """The flow's 32-bit hash: the kernel's ``jhash`` of its fields with :data:`SEED`
    (``sequence``: the TCP SYN's sequence number)."""
    if sticky:
        return jhash(_address(client[0]))
    if protocol == TCP:
        key = _TCP_KEY.pack(
            _address(client[0]), client[1], _address(listener[0]), listener[1], sequence & _MASK
        )
    else:
        key = _UDP_KEY.pack(_address(client[0]), client[1], _address(listener[0]), listener[1])
    return jhash(key)


def choose(candidates: Sequence[T], key: int) -> T | None:
    """The candidate for a flow hash ``key`` (as nftables' ``jhash … mod N`` picks); None when
    there is no candidate at all."""
    if not candidates:
        return None
    return candidates[(key * len(candidates)) >> 32]


def jhash(key: bytes, seed: int = SEED) -> int:
    """Linux's ``jhash(key, len(key), seed)`` (include/linux/jhash.h; lookup3's
    ``hashlittle``): the key read as little-endian 32-bit words, as the kernel reads it on x86."""
    padded = key + bytes(-len(key) % 4)  # the tail's missing bytes add nothing
    words = list(struct.unpack(f"<{len(padded) // 4}I", padded))
    a = b = c = (_INITIAL + len(key) + seed) & _MASK
    while len(words) > 3:
        a, b, c = _mix((a + words[0]) & _MASK, (b + words[1]) & _MASK, (c + words[2]) & _MASK)
        del words[:3]
    if not words:
        return c
    words += [0] * (3 - len(words))
    return _final((a + words[0]) & _MASK, (b + words[1]) & _MASK, (c + words[2]) & _MASK)


# The rotations are written out (x << k | x >> 32 - k) rather than called: this runs once per
# new flow, and a call per rotation would double its cost.
def _mix(a: int, b: int, c: int) -> tuple[int, int, int]:
    a = ((a - c) & _MASK) ^ ((c << 4 | c >> 28) & _MASK)
    c = (c + b) & _MASK
    b = ((b - a) & _MASK) ^ ((a << 6 | a >> 26) & _MASK)
    a = (a + c) & _MASK
    c = ((c - b) & _MASK) ^ ((b << 8 | b >> 24) & _MASK)
    b = (b + a) & _MASK
    a = ((a - c) & _MASK) ^ ((c << 16 | c >> 16) & _MASK)
    c = (c + b) & _MASK
    b = ((b - a) & _MASK) ^ ((a << 19 | a >> 13) & _MASK)
    a = (a + c) & _MASK
    c = ((c - b) & _MASK) ^ ((b << 4 | b >> 28) & _MASK)
    b = (b + a) & _MASK
    return a, b, c


def _final(a: int, b: int, c: int) -> int:
    c = ((c ^ b) - ((b << 14 | b >> 18) & _MASK)) & _MASK
    a = ((a ^ c) - ((c << 11 | c >> 21) & _MASK)) & _MASK
    b = ((b ^ a) - ((a << 25 | a >> 7) & _MASK)) & _MASK
    c = ((c ^ b) - ((b << 16 | b >> 16) & _MASK)) & _MASK
    a = ((a ^ c) - ((c << 4 | c >> 28) & _MASK)) & _MASK
    b = ((b ^ a) - ((a << 14 | a >> 18) & _MASK)) & _MASK
    return ((c ^ b) - ((b << 24 | b >> 8) & _MASK)) & _MASK
