"""Target choice by flow hash, as an NLB does it (reference §3.7).

TCP: protocol, source IP and port, destination IP and port, and the TCP sequence number. A user
space proxy never sees the client's ISN, so a per-connection random salt stands in for it: it
plays the same part (two connections from one client spread over the targets) and, like the ISN,
is fixed for the flow's life. UDP: the 5-tuple alone (salt 0), so a flow's datagrams agree.
With ``stickiness.type=source_ip`` only the client IP counts.

The flow is pinned by the caller (the relay holds its target); this module only chooses. Pure.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

TCP = 6
UDP = 17

_salts = random.Random()


def new_salt() -> int:
    """A fresh per-connection salt (the stand-in for the client's initial sequence number)."""
    return _salts.getrandbits(32)


def flow_hash(
    *,
    protocol: int,
    client: tuple[str, int],
    listener: tuple[str, int],
    salt: int = 0,
    sticky: bool = False,
) -> int:
    if sticky:
        return hash((client[0],)) & 0xFFFFFFFF
    return hash((protocol, client[0], client[1], listener[0], listener[1], salt)) & 0xFFFFFFFF


def choose(candidates: Sequence[T], key: int) -> T | None:
    """The candidate for a flow hash ``key``; None when there is no candidate at all."""
    if not candidates:
        return None
    return candidates[key % len(candidates)]
