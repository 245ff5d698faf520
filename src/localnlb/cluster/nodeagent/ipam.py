"""Pod addresses, VPC-CNI style: each pod gets a first-class address from its node's AZ subnet.

One pool per AZ over the subnet's ``pods`` range of the address plan. Allocation is by pod uid
and idempotent; addresses of pods that already exist (after a restart) are claimed first, so a
running pod keeps its address and no two pods ever share one. Pure and in memory: the API
(``status.podIP``) is the durable record.
"""

from __future__ import annotations

from localnlb.common.addressing import AddressRange


class PoolExhausted(Exception):
    pass


class PodAddressPool:
    def __init__(self, addresses: AddressRange) -> None:
        self._range = addresses
        self._next = int(addresses.first)
        self._by_uid: dict[str, str] = {}
        self._taken: set[str] = set()

    def claim(self, uid: str, address: str) -> None:
        """Record an address a pod already has (from ``status.podIP``)."""
        if address in self._range and address not in self._taken:
            self._by_uid[uid] = address
            self._taken.add(address)

    def allocate(self, uid: str) -> str:
        if uid in self._by_uid:
            return self._by_uid[uid]
        first, last = int(self._range.first), int(self._range.last)
        size = last - first + 1
        for offset in range(size):
            candidate = first + (self._next - first + offset) % size
            address = _dotted(candidate)
            if address not in self._taken:
                self._next = candidate + 1
                self._by_uid[uid] = address
                self._taken.add(address)
                return address
        raise PoolExhausted(f"no free pod address left in {self._range.first}-{self._range.last}")

    def release(self, uid: str) -> None:
        address = self._by_uid.pop(uid, None)
        if address is not None:
            self._taken.discard(address)

    def address_of(self, uid: str) -> str | None:
        return self._by_uid.get(uid)


def _dotted(number: int) -> str:
    return ".".join(str((number >> shift) & 0xFF) for shift in (24, 16, 8, 0))
