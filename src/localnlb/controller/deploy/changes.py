"""Attribute and tag changes, computed the way the real controller reconciles them.

Attributes are *add or update only*: keys whose desired value differs from the actual one (or
that are missing) are sent; keys the Service stopped mentioning are left as they are, never
reset. Tags are diffed both ways: changed or new tags are added, tags no longer desired are
removed, except keys managed outside the controller (``--external-managed-tags``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from localnlb.controller.model.resources import Attribute


def attribute_changes(desired: Iterable[Attribute], actual: Mapping[str, str]) -> dict[str, str]:
    return {a.key: a.value for a in desired if actual.get(a.key) != a.value}


@dataclass(frozen=True, slots=True)
class TagChanges:
    to_add: dict[str, str]  # new or changed values
    to_remove: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.to_add and not self.to_remove


def tag_changes(
    desired: Mapping[str, str],
    actual: Mapping[str, str],
    *,
    ignored: frozenset[str] = frozenset(),
) -> TagChanges:
    to_add = {k: v for k, v in desired.items() if actual.get(k) != v and k not in ignored}
    to_remove = tuple(sorted(k for k in actual if k not in desired and k not in ignored))
    return TagChanges(to_add, to_remove)
