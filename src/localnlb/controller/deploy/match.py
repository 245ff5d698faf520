"""The one diff: pair desired items with actual ones by a key.

Load balancers, listeners, target groups, bindings and targets are all reconciled the same way:
match desired against actual by a key (the resource-id tag, the listener port, ``id:port``), then
create what only the desired side has, update the pairs, delete what only the actual side has.
Replacement is not a separate case: a caller whose pair needs replacing (an immutable field
changed) treats the pair as one delete plus one create (see ``target_groups.py``).

Order is kept (desired order for pairs and creations, actual order for deletions), so plans are
deterministic and read in the order users wrote things.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

DesiredT = TypeVar("DesiredT")
ActualT = TypeVar("ActualT")


class DuplicateKeyError(ValueError):
    """Two items on the same side share a key: the caller's key does not identify items."""


@dataclass(frozen=True, slots=True)
class Matched(Generic[DesiredT, ActualT]):
    pairs: tuple[tuple[DesiredT, ActualT], ...]
    to_create: tuple[DesiredT, ...]
    to_delete: tuple[ActualT, ...]


def _index(
    items: Iterable[ActualT], key: Callable[[ActualT], Hashable], *, side: str
) -> dict[Hashable, ActualT]:
    index: dict[Hashable, ActualT] = {}
    for item in items:
        k = key(item)
        if k in index:
            raise DuplicateKeyError(f"{side} items share the key {k!r}")
        index[k] = item
    return index


def match(
    desired: Iterable[DesiredT],
    actual: Iterable[ActualT],
    *,
    key: Callable[[DesiredT], Hashable],
    actual_key: Callable[[ActualT], Hashable] | None = None,
) -> Matched[DesiredT, ActualT]:
    """Pair ``desired`` and ``actual`` by key (``actual_key`` defaults to ``key``)."""
    # Without ``actual_key`` both sides are keyed alike: the caller's ``key`` accepts both.
    actual_by_key = _index(actual, actual_key or key, side="actual")  # type: ignore[arg-type]
    desired_keys: set[Hashable] = set()
    pairs: list[tuple[DesiredT, ActualT]] = []
    to_create: list[DesiredT] = []
    for item in desired:
        k = key(item)
        if k in desired_keys:
            raise DuplicateKeyError(f"desired items share the key {k!r}")
        desired_keys.add(k)
        if k in actual_by_key:
            pairs.append((item, actual_by_key[k]))
        else:
            to_create.append(item)
    to_delete = tuple(v for k, v in actual_by_key.items() if k not in desired_keys)
    return Matched(tuple(pairs), tuple(to_create), to_delete)
